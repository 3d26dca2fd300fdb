/** Test a flow against the real engine and a virtual contact (POST /api/flows/{id}/simulate). */
import { useEffect, useRef, useState, type FormEvent } from "react";
import { useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { AlarmClock, ChevronRight, ClipboardCheck, Crosshair, FileText, RotateCcw, SendHorizontal, X } from "lucide-react";
import type { SandboxMessage } from "../../api/types";
import { Badge, type Tone } from "../../components/Badge";
import { Spinner } from "../../components/Spinner";
import { useToast } from "../../components/Toast";
import { useErrorMessage } from "../../lib/errors";
import { cx } from "../../lib/format";
import { MessageBubble } from "../simulator/MessageBubble";
import { at, listSections, replyButtons, str } from "../simulator/payload";
import { flowsApi, problemsOf } from "./api";
import type { Problem, SimulateRequest, SimulateResponse } from "./types";

type ChatItem =
  | { kind: "message"; message: SandboxMessage }
  | { kind: "note"; id: string; text: string; tone: "error" | "info" };

const STATUS_TONES: Record<string, Tone> = {
  active: "blue",
  waiting_input: "blue",
  waiting_timer: "amber",
  handed_off: "amber",
  completed: "green",
  errored: "red",
  expired: "zinc",
};

const KNOWN_STATUSES = ["active", "waiting_input", "waiting_timer", "handed_off", "completed", "errored", "expired"] as const;

let sequence = 0;
function nextId(prefix: string): string {
  sequence += 1;
  return `${prefix}-${sequence}`;
}

/** A Graph API message payload (or an item wrapping one) as a bubble message. */
export function toBubble(item: Record<string, unknown>, direction: "inbound" | "outbound"): SandboxMessage {
  const inner = item.payload && typeof item.payload === "object" ? (item.payload as Record<string, unknown>) : item;
  const type = str(inner.type) ?? (inner.text ? "text" : inner.interactive ? "interactive" : "unknown");
  const payload = inner.type ? inner : { ...inner, type };
  return {
    wamid: nextId(direction === "inbound" ? "sim-in" : "sim-out"),
    direction,
    type,
    payload,
    timestamp: Math.floor(Date.now() / 1000),
    status: "simulated",
  };
}

export interface SimulationState {
  nodeId: string | null;
  path: string[];
  status: string | null;
}

export function SimulatorPanel({
  flowId,
  suggestions,
  beforeSend,
  onState,
  onShowNode,
  nodeName,
  onProblems,
  canFireTimer,
  onClose,
}: {
  flowId: string;
  /** Trigger keywords offered as first messages. */
  suggestions: string[];
  /** Runs before each call (the builder saves the draft first). */
  beforeSend?: () => Promise<unknown>;
  onState?: (state: SimulationState) => void;
  onShowNode?: (nodeId: string) => void;
  nodeName?: (nodeId: string) => string;
  /** Problems of a draft the server refused to simulate. */
  onProblems?: (problems: Problem[]) => void;
  /** Whether the node has a timer to fire (delay, wait timeout, handoff return). */
  canFireTimer?: (nodeId: string) => boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const describe = useErrorMessage();
  const [simulationId, setSimulationId] = useState<string | null>(null);
  const [items, setItems] = useState<ChatItem[]>([]);
  const [text, setText] = useState("");
  const [result, setResult] = useState<SimulateResponse | null>(null);
  const [openList, setOpenList] = useState<SandboxMessage | null>(null);
  // After "Restart", the next message starts a new session (`reset: true`).
  const [restart, setRestart] = useState(false);
  const [formOpen, setFormOpen] = useState(false);
  const [formAnswers, setFormAnswers] = useState('{\n  "name": "Ada"\n}');
  const [formError, setFormError] = useState<string | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const onStateRef = useRef(onState);
  onStateRef.current = onState;

  const simulate = useMutation({
    mutationFn: async (body: SimulateRequest) => {
      if (beforeSend) await beforeSend();
      return flowsApi.simulate(flowId, { ...body, use_draft: true });
    },
    onSuccess: (response, body) => {
      setSimulationId(response.simulation_id ?? null);
      setResult(response);
      const incoming: ChatItem[] = (Array.isArray(response.messages) ? response.messages : []).map((m) => ({
        kind: "message",
        message: toBubble(m, "outbound"),
      }));
      for (const event of Array.isArray(response.events) ? response.events : [])
        incoming.push({ kind: "note", id: nextId("note"), text: event, tone: "info" });
      if (response.error) incoming.push({ kind: "note", id: nextId("note"), text: response.error, tone: "error" });
      if (body.reset) setRestart(false);
      setItems((current) => [...current, ...incoming]);
      onStateRef.current?.({
        nodeId: response.node_id ?? null,
        path: Array.isArray(response.path) ? response.path : [],
        status: response.status ?? null,
      });
    },
    onError: (error) => {
      setItems((current) => [...current, { kind: "note", id: nextId("note"), text: describe(error), tone: "error" }]);
      const problems = problemsOf(error);
      if (problems.length > 0) onProblems?.(problems);
      toast.error(describe(error));
    },
  });

  const send = (body: SimulateRequest, bubble?: SandboxMessage) => {
    if (simulate.isPending) return;
    if (bubble) setItems((current) => [...current, { kind: "message", message: bubble }]);
    simulate.mutate({
      ...body,
      ...(simulationId ? { simulation_id: simulationId } : {}),
      ...(simulationId && restart ? { reset: true } : {}),
    });
  };

  const sendText = (value: string) => {
    const body = value.trim();
    if (!body) return;
    send({ text: body }, toBubble({ type: "text", text: { body } }, "inbound"));
    setText("");
  };

  const reply = (id: string, title: string, kind: "button_reply" | "list_reply") =>
    send(
      { reply_id: id, text: title },
      toBubble({ type: "interactive", interactive: { type: kind, [kind]: { id, title } } }, "inbound"),
    );

  const reset = () => {
    setOpenList(null);
    setFormOpen(false);
    setResult(null);
    setItems([]);
    setRestart(true);
    onStateRef.current?.({ nodeId: null, path: [], status: null });
  };

  const fireTimer = () => send({ fire_timer: true });

  const submitForm = (event: FormEvent) => {
    event.preventDefault();
    let answers: unknown;
    try {
      answers = JSON.parse(formAnswers);
    } catch {
      answers = null;
    }
    if (!answers || typeof answers !== "object" || Array.isArray(answers)) {
      setFormError(t("flows.simulator.formInvalid"));
      return;
    }
    setFormError(null);
    setFormOpen(false);
    send(
      { flow_response: answers as Record<string, unknown> },
      toBubble(
        { type: "interactive", interactive: { type: "nfm_reply", nfm_reply: { response_json: JSON.stringify(answers) } } },
        "inbound",
      ),
    );
  };

  useEffect(() => {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [items.length, simulate.isPending]);

  // Leaving the simulator clears its marks on the canvas.
  useEffect(() => () => onStateRef.current?.({ nodeId: null, path: [], status: null }), []);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    sendText(text);
  };

  const status = result?.status ?? null;
  const statusLabel = status
    ? (KNOWN_STATUSES as readonly string[]).includes(status)
      ? t(`flows.simulator.statuses.${status as (typeof KNOWN_STATUSES)[number]}`)
      : status
    : t("flows.simulator.statuses.none");
  const nodeId = result?.node_id ?? null;
  const variables = result?.variables ?? {};
  const sections = openList ? listSections(at(openList.payload, "interactive")) : [];
  const lastOutbound = [...items].reverse().find((i) => i.kind === "message" && i.message.direction === "outbound");
  const lastIsFlow =
    lastOutbound?.kind === "message" && str(at(lastOutbound.message.payload, "interactive", "type")) === "flow";

  return (
    <aside
      data-testid="simulator-panel"
      aria-label={t("flows.simulator.title")}
      className="flex w-[360px] shrink-0 flex-col border-l border-zinc-200 bg-white"
    >
      <div className="flex items-center gap-2 border-b border-zinc-100 px-3 py-2.5">
        <div className="min-w-0 flex-1">
          <h2 className="text-sm font-semibold text-zinc-900">{t("flows.simulator.title")}</h2>
          <p className="text-[11px] leading-snug text-zinc-500">{t("flows.simulator.subtitle")}</p>
        </div>
        <button
          type="button"
          data-testid="simulator-reset"
          onClick={reset}
          disabled={simulate.isPending}
          title={t("flows.simulator.reset")}
          aria-label={t("flows.simulator.reset")}
          className="flex size-8 items-center justify-center rounded-lg text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800 disabled:opacity-50"
        >
          <RotateCcw className="size-4" aria-hidden />
        </button>
        <button
          type="button"
          data-testid="simulator-close"
          onClick={onClose}
          title={t("flows.simulator.close")}
          aria-label={t("flows.simulator.close")}
          className="flex size-8 items-center justify-center rounded-lg text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800"
        >
          <X className="size-4" aria-hidden />
        </button>
      </div>

      <div className="flex flex-wrap items-center gap-x-3 gap-y-1 border-b border-zinc-100 px-3 py-2 text-xs">
        <span className="flex items-center gap-1.5">
          <span className="text-zinc-500">{t("flows.simulator.session")}</span>
          <Badge tone={status ? (STATUS_TONES[status] ?? "zinc") : "zinc"} dot data-testid="simulator-status" data-status={status ?? ""}>
            {statusLabel}
          </Badge>
        </span>
        {nodeId ? (
          <button
            type="button"
            data-testid="simulator-current-node"
            onClick={() => onShowNode?.(nodeId)}
            className="flex min-w-0 items-center gap-1 rounded-md px-1 text-sky-700 hover:bg-sky-50"
            title={t("flows.simulator.showNode")}
          >
            <Crosshair className="size-3.5 shrink-0" aria-hidden />
            <span className="truncate">{nodeName ? nodeName(nodeId) : nodeId}</span>
          </button>
        ) : null}
      </div>

      <div className="relative flex min-h-0 flex-1 flex-col">
        <div ref={scroller} data-testid="simulator-chat" className="min-h-0 flex-1 space-y-1.5 overflow-y-auto bg-[#efeae2] px-3 py-3">
          <p className="mx-auto mb-2 w-fit max-w-full rounded-md bg-[#fff5c4] px-2.5 py-1 text-center text-[11px] text-zinc-700 shadow-sm">
            {t("flows.simulator.banner")}
          </p>
          {items.length === 0 && !simulate.isPending ? (
            <div className="mx-auto mt-6 max-w-[15rem] space-y-2 rounded-lg bg-white/90 px-3 py-3 text-center text-xs text-zinc-600 shadow-sm" data-testid="simulator-empty">
              <p>{suggestions.length > 0 ? t("flows.simulator.emptyWithKeywords") : t("flows.simulator.empty")}</p>
              {suggestions.length > 0 ? (
                <div className="flex flex-wrap justify-center gap-1.5">
                  {suggestions.slice(0, 6).map((s) => (
                    <button
                      key={s}
                      type="button"
                      data-testid="simulator-suggestion"
                      onClick={() => sendText(s)}
                      className="rounded-full bg-brand-50 px-2.5 py-1 text-xs font-medium text-brand-800 ring-1 ring-brand-600/20 hover:bg-brand-100"
                    >
                      {s}
                    </button>
                  ))}
                </div>
              ) : null}
            </div>
          ) : null}
          {items.map((item) =>
            item.kind === "note" ? (
              <p
                key={item.id}
                data-testid="simulator-note"
                className={cx(
                  "mx-auto w-fit max-w-[90%] rounded-md px-2.5 py-1 text-center text-[11px] shadow-sm",
                  item.tone === "error" ? "bg-red-50 text-red-800" : "bg-white/90 text-zinc-600",
                )}
              >
                {item.text}
              </p>
            ) : (
              <div key={item.message.wamid}>
                <MessageBubble
                  message={item.message}
                  accountId=""
                  busy={simulate.isPending}
                  onReplyButton={(m, id) => {
                    const button = replyButtons(at(m.payload, "interactive")).find((b) => b.id === id);
                    reply(id, button?.title ?? id, "button_reply");
                  }}
                  onOpenList={setOpenList}
                />
                <FlowButton message={item.message} />
              </div>
            ),
          )}
          {simulate.isPending ? (
            <div className="flex justify-start" data-testid="simulator-typing">
              <span className="flex items-center gap-1 rounded-lg rounded-tl-none bg-white px-3 py-2 shadow-sm">
                <span className="size-1.5 animate-bounce rounded-full bg-zinc-400 [animation-delay:-0.3s]" />
                <span className="size-1.5 animate-bounce rounded-full bg-zinc-400 [animation-delay:-0.15s]" />
                <span className="size-1.5 animate-bounce rounded-full bg-zinc-400" />
              </span>
            </div>
          ) : null}
        </div>

        {openList ? (
          <div className="absolute inset-0 z-10 flex flex-col justify-end bg-black/30" data-testid="simulator-list-sheet">
            <div role="dialog" aria-modal="true" aria-labelledby="flow-sim-list-title" className="max-h-[75%] overflow-y-auto rounded-t-2xl bg-white pb-2 shadow-xl">
              <div className="sticky top-0 flex items-center gap-2 border-b border-zinc-100 bg-white px-3 py-2.5">
                <button
                  type="button"
                  onClick={() => setOpenList(null)}
                  aria-label={t("simulator.list.close")}
                  className="rounded-full p-1 text-zinc-500 hover:bg-zinc-100"
                >
                  <X className="size-5" aria-hidden />
                </button>
                <h3 id="flow-sim-list-title" className="truncate text-[15px] font-semibold text-zinc-900">
                  {str(at(openList.payload, "interactive", "action", "button")) ?? t("simulator.list.title")}
                </h3>
              </div>
              {sections.map((section, index) => (
                <div key={index} className="px-3 pt-2">
                  {section.title ? <p className="px-1 pb-1 text-xs font-semibold text-emerald-700">{section.title}</p> : null}
                  <ul>
                    {section.rows.map((row) => (
                      <li key={row.id}>
                        <button
                          type="button"
                          data-testid="sim-list-row"
                          data-id={row.id}
                          onClick={() => {
                            setOpenList(null);
                            reply(row.id, row.title, "list_reply");
                          }}
                          className="block w-full rounded-lg px-1 py-2 text-left hover:bg-zinc-50"
                        >
                          <span className="block text-sm text-zinc-900">{row.title}</span>
                          {row.description ? <span className="block text-xs text-zinc-500">{row.description}</span> : null}
                        </button>
                      </li>
                    ))}
                  </ul>
                </div>
              ))}
            </div>
          </div>
        ) : null}
      </div>

      {status && nodeId && (status === "waiting_timer" || status === "handed_off" || (status === "waiting_input" && canFireTimer?.(nodeId))) ? (
        <div className="flex items-center justify-center border-t border-zinc-200 bg-[#f0f2f5] px-2 pt-2">
          <button
            type="button"
            data-testid="simulator-fire-timer"
            onClick={fireTimer}
            disabled={simulate.isPending}
            className="flex items-center gap-1.5 rounded-full bg-white px-3 py-1 text-xs font-medium text-amber-800 shadow-xs ring-1 ring-amber-600/20 hover:bg-amber-50 disabled:opacity-50"
          >
            <AlarmClock className="size-3.5" aria-hidden />
            {status === "handed_off"
              ? t("flows.simulator.resumeBot")
              : status === "waiting_timer"
                ? t("flows.simulator.fireTimer")
                : t("flows.simulator.timeoutNow")}
          </button>
        </div>
      ) : null}
      {status === "waiting_input" && lastIsFlow ? (
        <div className="border-t border-zinc-200 bg-[#f0f2f5] px-2 pt-2">
          {formOpen ? (
            <form onSubmit={submitForm} className="space-y-1.5 rounded-lg bg-white p-2 shadow-xs" data-testid="simulator-form">
              <label className="block text-[11px] font-medium text-zinc-600" htmlFor="sim-form-answers">
                {t("flows.simulator.formAnswers")}
              </label>
              <textarea
                id="sim-form-answers"
                data-testid="simulator-form-answers"
                value={formAnswers}
                onChange={(e) => setFormAnswers(e.target.value)}
                rows={4}
                className="block w-full rounded-md border border-zinc-300 px-2 py-1 font-mono text-xs focus:border-brand-600 focus:ring-2 focus:ring-brand-600/30 focus:outline-none"
              />
              {formError ? <p className="text-[11px] font-medium text-red-600">{formError}</p> : null}
              <div className="flex justify-end gap-1.5">
                <button type="button" onClick={() => setFormOpen(false)} className="rounded-md px-2 py-1 text-xs text-zinc-600 hover:bg-zinc-100">
                  {t("common.cancel")}
                </button>
                <button type="submit" data-testid="simulator-form-send" className="rounded-md bg-[#00a884] px-2.5 py-1 text-xs font-medium text-white hover:bg-[#008f72]">
                  {t("flows.simulator.formSend")}
                </button>
              </div>
            </form>
          ) : (
            <div className="flex justify-center">
              <button
                type="button"
                data-testid="simulator-form-open"
                onClick={() => setFormOpen(true)}
                className="flex items-center gap-1.5 rounded-full bg-white px-3 py-1 text-xs font-medium text-sky-800 shadow-xs ring-1 ring-sky-600/20 hover:bg-sky-50"
              >
                <ClipboardCheck className="size-3.5" aria-hidden />
                {t("flows.simulator.fillForm")}
              </button>
            </div>
          )}
        </div>
      ) : null}
      <form onSubmit={onSubmit} className="flex items-center gap-1.5 bg-[#f0f2f5] px-2 py-2">
        <input
          data-testid="simulator-input"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={t("flows.simulator.placeholder")}
          aria-label={t("flows.simulator.placeholder")}
          autoComplete="off"
          className="h-10 min-w-0 flex-1 rounded-full border-0 bg-white px-4 text-sm text-zinc-900 shadow-xs placeholder:text-zinc-400 focus:ring-2 focus:ring-brand-600/30 focus:outline-none"
        />
        <button
          type="submit"
          data-testid="simulator-send"
          disabled={!text.trim() || simulate.isPending}
          title={t("flows.simulator.send")}
          aria-label={t("flows.simulator.send")}
          className="flex size-10 shrink-0 items-center justify-center rounded-full bg-[#00a884] text-white hover:bg-[#008f72] disabled:opacity-50"
        >
          {simulate.isPending ? <Spinner className="size-4" /> : <SendHorizontal className="size-5" aria-hidden />}
        </button>
      </form>

      <details className="group border-t border-zinc-200" data-testid="simulator-variables">
        <summary className="flex cursor-pointer list-none items-center gap-1.5 px-3 py-2 text-xs font-medium text-zinc-700 hover:bg-zinc-50">
          <ChevronRight className="size-3.5 text-zinc-400 transition-transform group-open:rotate-90" aria-hidden />
          {t("flows.simulator.variables")}
          <span className="text-zinc-400">({Object.keys(variables).length})</span>
        </summary>
        <pre className="max-h-48 overflow-auto bg-zinc-950 px-3 py-2 font-mono text-[11px] leading-relaxed text-emerald-200">
          {JSON.stringify(variables, null, 2)}
        </pre>
      </details>
    </aside>
  );
}

/** The (not clickable) button of a WhatsApp Flow message, which MessageBubble does not draw. */
function FlowButton({ message }: { message: SandboxMessage }) {
  const { t } = useTranslation();
  const interactive = at(message.payload, "interactive");
  if (message.direction !== "outbound" || str(at(interactive, "type")) !== "flow") return null;
  const cta = str(at(interactive, "action", "parameters", "flow_cta")) ?? t("flows.preview.defaultFlowCta");
  return (
    <div className="mt-0.5 flex max-w-[85%]">
      <span
        data-testid="sim-flow-button"
        title={t("flows.simulator.flowNotInteractive")}
        className="flex w-full items-center justify-center gap-1.5 rounded-lg bg-white px-3 py-2 text-center text-sm font-medium text-sky-700 opacity-80 shadow-sm"
      >
        <FileText className="size-4" aria-hidden />
        {cta}
      </span>
    </div>
  );
}
