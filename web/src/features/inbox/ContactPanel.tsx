/** The right-hand panel: who the contact is, tags, flow session, assignment and status. */
import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Bot, Play, RotateCcw, Tag, UserRound, X } from "lucide-react";
import { membersApi, queryKeys } from "../../api/endpoints";
import type { ConversationDetail, ConversationEnvelope, Id } from "../../api/types";
import { Badge } from "../../components/Badge";
import { Button } from "../../components/Button";
import { Select } from "../../components/Field";
import { useToast } from "../../components/Toast";
import { useErrorMessage } from "../../lib/errors";
import { formatDateTime, initials } from "../../lib/format";
import { useSession } from "../auth/session";
import { inboxApi, inboxKeys } from "./api";
import { patchConversation } from "./socketCache";

function Section({ title, children, testId }: { title: string; children: React.ReactNode; testId?: string }) {
  return (
    <section data-testid={testId} className="border-b border-zinc-100 px-4 py-3">
      <h3 className="mb-2 text-[11px] font-semibold tracking-wide text-zinc-500 uppercase">{title}</h3>
      {children}
    </section>
  );
}

function attributeText(value: unknown): string {
  if (value == null) return "—";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** Applies a mutation's `{conversation}` answer and re-reads lists and counts. */
export function useConversationUpdate(contactId: Id) {
  const queryClient = useQueryClient();
  return (answer: ConversationEnvelope, refetchThread = false) => {
    patchConversation(queryClient, contactId, answer.conversation);
    void queryClient.invalidateQueries({ queryKey: inboxKeys.lists });
    void queryClient.invalidateQueries({ queryKey: inboxKeys.counts });
    if (refetchThread) void queryClient.invalidateQueries({ queryKey: inboxKeys.thread(contactId) });
  };
}

export function ContactPanel({ conversation, onClose }: { conversation: ConversationDetail; onClose?: () => void }) {
  const { t } = useTranslation();
  const session = useSession();
  const toast = useToast();
  const describe = useErrorMessage();
  const contactId = conversation.contact_id;
  const applyAnswer = useConversationUpdate(contactId);
  const members = useQuery({ queryKey: queryKeys.members, queryFn: membersApi.list, staleTime: 60_000 });
  const [tagDraft, setTagDraft] = useState("");

  const update = useMutation({
    mutationFn: (body: Parameters<typeof inboxApi.update>[1]) => inboxApi.update(contactId, body),
    onSuccess: (answer) => applyAnswer(answer),
    onError: (error) => toast.error(describe(error)),
  });
  const resume = useMutation({
    mutationFn: () => inboxApi.resume(contactId),
    onSuccess: (answer) => {
      applyAnswer(answer, true);
      toast.success(t("inbox.panel.resumed"));
    },
    onError: (error) => toast.error(describe(error)),
  });
  const tags = useMutation({
    mutationFn: (next: string[]) => inboxApi.tags(contactId, next),
    onSuccess: (answer) => applyAnswer(answer),
    onError: (error) => toast.error(describe(error)),
  });

  const addTag = (event: FormEvent) => {
    event.preventDefault();
    const tag = tagDraft.trim();
    if (!tag || conversation.tags.includes(tag)) {
      setTagDraft("");
      return;
    }
    tags.mutate([...conversation.tags, tag], { onSuccess: () => setTagDraft("") });
  };

  const contact = conversation.contact;
  const name = contact?.name || conversation.contact_name || conversation.contact_phone || "?";
  const attributes = Object.entries(contact?.attributes ?? {});
  const assigneeId = conversation.assignee?.id ?? "";
  const memberOptions = members.data ?? [];
  const assigneeKnown = !assigneeId || memberOptions.some((m) => m.userId === assigneeId);

  return (
    <aside data-testid="contact-panel" className="flex h-full min-h-0 flex-col overflow-y-auto bg-white">
      <div className="flex items-start gap-3 border-b border-zinc-100 px-4 py-4">
        <span className="flex size-11 shrink-0 items-center justify-center rounded-full bg-brand-100 text-sm font-semibold text-brand-800">
          {initials(name)}
        </span>
        <div className="min-w-0 flex-1">
          <p className="truncate text-sm font-semibold text-zinc-900">{name}</p>
          <p className="truncate text-xs text-zinc-500">{contact?.phone || conversation.contact_phone}</p>
          {contact?.opted_out ? (
            <Badge tone="red" className="mt-1">
              {t("inbox.panel.optedOut")}
            </Badge>
          ) : null}
        </div>
        {onClose ? (
          <button
            type="button"
            onClick={onClose}
            className="rounded-lg p-1 text-zinc-400 hover:bg-zinc-100 hover:text-zinc-700"
            aria-label={t("inbox.panel.close")}
          >
            <X className="size-4" aria-hidden />
          </button>
        ) : null}
      </div>

      <Section title={t("inbox.panel.conversation")}>
        <div className="space-y-2">
          <label className="block text-xs text-zinc-600">
            {t("inbox.panel.assignee")}
            <Select
              data-testid="assignee-select"
              className="mt-1 h-8 text-xs"
              value={assigneeId}
              disabled={update.isPending}
              onChange={(e) => update.mutate({ assignee_id: e.target.value || null })}
            >
              <option value="">{t("inbox.panel.unassigned")}</option>
              {!assigneeKnown && conversation.assignee ? (
                <option value={conversation.assignee.id}>{conversation.assignee.name}</option>
              ) : null}
              {memberOptions.map((m) => (
                <option key={m.userId} value={m.userId}>
                  {m.name}
                  {m.userId === session.user.id ? ` (${t("inbox.panel.you")})` : ""}
                </option>
              ))}
            </Select>
          </label>
          <div className="flex flex-wrap gap-1.5">
            {assigneeId !== session.user.id ? (
              <Button size="sm" data-testid="assign-me" onClick={() => update.mutate({ assignee_id: session.user.id })}>
                {t("inbox.panel.assignMe")}
              </Button>
            ) : null}
            {assigneeId ? (
              <Button size="sm" variant="ghost" data-testid="unassign" onClick={() => update.mutate({ assignee_id: null })}>
                {t("inbox.panel.unassign")}
              </Button>
            ) : null}
          </div>
          <div className="flex flex-wrap items-center gap-2 pt-1">
            <Badge tone={conversation.status === "resolved" ? "green" : conversation.status === "pending" ? "amber" : "blue"} dot>
              {t(`inbox.panel.state.${conversation.status}`)}
            </Badge>
            {conversation.status === "resolved" ? (
              <Button
                size="sm"
                variant="ghost"
                data-testid="reopen"
                icon={<RotateCcw className="size-3.5" aria-hidden />}
                onClick={() => update.mutate({ status: "open" })}
              >
                {t("inbox.panel.reopen")}
              </Button>
            ) : conversation.status === "open" ? (
              <Button size="sm" variant="ghost" data-testid="mark-pending" onClick={() => update.mutate({ status: "pending" })}>
                {t("inbox.panel.markPending")}
              </Button>
            ) : (
              <Button size="sm" variant="ghost" data-testid="mark-open" onClick={() => update.mutate({ status: "open" })}>
                {t("inbox.panel.markOpen")}
              </Button>
            )}
          </div>
        </div>
      </Section>

      <Section title={t("inbox.panel.bot")} testId="session-panel">
        <p className="mb-2 flex items-center gap-1.5 text-xs text-zinc-700">
          {conversation.mode === "human" ? (
            <>
              <UserRound className="size-3.5 text-amber-600" aria-hidden />
              {t("inbox.panel.modeHuman")}
            </>
          ) : (
            <>
              <Bot className="size-3.5 text-sky-600" aria-hidden />
              {t("inbox.panel.modeBot")}
            </>
          )}
        </p>
        {conversation.session ? (
          <dl className="mb-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 rounded-lg bg-zinc-50 px-3 py-2 text-xs ring-1 ring-zinc-200 ring-inset">
            <dt className="text-zinc-500">{t("inbox.panel.flow")}</dt>
            <dd className="truncate font-medium text-zinc-800">{conversation.session.flow_name ?? "—"}</dd>
            <dt className="text-zinc-500">{t("inbox.panel.sessionStatus")}</dt>
            <dd className="text-zinc-800">{conversation.session.status}</dd>
            <dt className="text-zinc-500">{t("inbox.panel.waiting")}</dt>
            <dd className="text-zinc-800">{conversation.session.waiting ? t("inbox.panel.waitingYes") : t("inbox.panel.waitingNo")}</dd>
          </dl>
        ) : (
          <p className="mb-2 text-xs text-zinc-500">{t("inbox.panel.noSession")}</p>
        )}
        {conversation.mode === "human" ? (
          <Button
            size="sm"
            data-testid="resume-bot"
            loading={resume.isPending}
            icon={<Play className="size-3.5" aria-hidden />}
            onClick={() => resume.mutate()}
          >
            {t("inbox.panel.resume")}
          </Button>
        ) : null}
      </Section>

      <Section title={t("inbox.panel.tags")}>
        <div className="flex flex-wrap gap-1.5" data-testid="contact-tags">
          {conversation.tags.length === 0 ? <span className="text-xs text-zinc-400">{t("inbox.panel.noTags")}</span> : null}
          {conversation.tags.map((tag) => (
            <span key={tag} className="inline-flex items-center gap-1 rounded-full bg-zinc-100 py-0.5 pr-1 pl-2 text-xs text-zinc-700">
              {tag}
              <button
                type="button"
                onClick={() => tags.mutate(conversation.tags.filter((x) => x !== tag))}
                className="rounded-full p-0.5 text-zinc-400 hover:bg-zinc-200 hover:text-zinc-700"
                aria-label={t("inbox.panel.removeTag", { tag })}
              >
                <X className="size-3" aria-hidden />
              </button>
            </span>
          ))}
        </div>
        <form onSubmit={addTag} className="mt-2 flex items-center gap-1.5">
          <Tag className="size-3.5 shrink-0 text-zinc-400" aria-hidden />
          <input
            data-testid="tag-input"
            value={tagDraft}
            onChange={(e) => setTagDraft(e.target.value)}
            placeholder={t("inbox.panel.addTag")}
            aria-label={t("inbox.panel.addTag")}
            className="h-7 min-w-0 flex-1 rounded-md border border-zinc-300 px-2 text-xs focus:border-brand-600 focus:ring-2 focus:ring-brand-600/30 focus:outline-none"
          />
        </form>
      </Section>

      <Section title={t("inbox.panel.details")}>
        <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs">
          <dt className="text-zinc-500">{t("inbox.panel.phone")}</dt>
          <dd className="truncate text-zinc-800">{contact?.phone || conversation.contact_phone || "—"}</dd>
          {contact?.wa_id ? (
            <>
              <dt className="text-zinc-500">WhatsApp ID</dt>
              <dd className="truncate font-mono text-zinc-800">{contact.wa_id}</dd>
            </>
          ) : null}
          {contact?.created_at ? (
            <>
              <dt className="text-zinc-500">{t("inbox.panel.since")}</dt>
              <dd className="text-zinc-800">{formatDateTime(contact.created_at)}</dd>
            </>
          ) : null}
          {attributes.map(([key, value]) => (
            <div key={key} className="contents">
              <dt className="truncate text-zinc-500">{key}</dt>
              <dd className="truncate text-zinc-800" title={attributeText(value)}>
                {attributeText(value)}
              </dd>
            </div>
          ))}
        </dl>
      </Section>

      <Section title={t("inbox.panel.notes")}>
        <p className="text-xs whitespace-pre-wrap text-zinc-700">{contact?.notes || t("inbox.panel.noNotes")}</p>
      </Section>
    </aside>
  );
}
