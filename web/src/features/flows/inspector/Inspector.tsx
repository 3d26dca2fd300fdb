/** The side panel form of the selected node: every field of docs/flows.md §2 with live checks. */
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { Copy, Info, Plus, Trash2, X } from "lucide-react";
import { SeverityIcon } from "../ProblemsPanel";
import { Button } from "../../../components/Button";
import { cx } from "../../../lib/format";
import { GROUP_STYLES, specOf } from "../catalog";
import { insertMapping, moveMapping, removalMapping } from "../graph";
import { sectionsOf, strings, type ListSectionData } from "../handles";
import { checkNode, fieldMax, LIMITS, type ClientProblem } from "../limits";
import { validationOf } from "../FlowNodeCard";
import type { FlowNode, FlowSummary, NodeData, Problem } from "../types";
import {
  Counter,
  DurationControl,
  FieldErrorsContext,
  FieldShell,
  IconButton,
  inputClasses,
  KeyValueControl,
  NumberControl,
  SectionTitle,
  Segmented,
  SelectControl,
  StringListControl,
  SwitchControl,
  TextControl,
  type ListOp,
} from "./controls";

export interface ChangeOptions {
  /** Coalescing key for undo (typing in one field is one step). */
  key?: string;
  /** Handle renames (`opt-2` → `opt-1`, or null to drop the edge) for list edits. */
  mapping?: Record<string, string | null>;
}

export type DataUpdater = (updater: (data: NodeData) => NodeData, options?: ChangeOptions) => void;

interface InspectorProps {
  node: FlowNode;
  nodes: FlowNode[];
  flows: FlowSummary[];
  currentFlowId: string;
  /** Server problems (validate / publish / save) of this node. */
  problems: Problem[];
  onChange: DataUpdater;
  onDelete: () => void;
  onDuplicate: () => void;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : value == null ? "" : String(value);
}

export function useCheckMessage() {
  const { t } = useTranslation();
  return (problem: ClientProblem) => t(`flows.checks.${problem.code}`, problem.params ?? {});
}

export function Inspector({ node, nodes, flows, currentFlowId, problems, onChange, onDelete, onDuplicate }: InspectorProps) {
  const { t } = useTranslation();
  const checkMessage = useCheckMessage();
  const spec = specOf(node.type);
  const nodeIds = useMemo(() => new Set(nodes.map((n) => n.id)), [nodes]);
  const issues = useMemo(() => checkNode(node, { nodeIds }), [node, nodeIds]);
  const lookup = useMemo(() => {
    return (field: string) => {
      const client = issues.find((p) => p.field === field);
      if (client) return checkMessage(client);
      return problems.find((p) => p.field === field)?.message;
    };
  }, [issues, problems, checkMessage]);

  const data = node.data;
  const set = (field: string, value: unknown) =>
    onChange((d) => ({ ...d, [field]: value }), { key: `${node.id}:${field}` });

  const Icon = spec?.icon ?? Info;
  const style = GROUP_STYLES[spec?.group ?? "logic"];
  const typeLabel = spec ? t(`flows.nodes.${spec.type}.label`) : node.type;
  const unmapped = problems;

  return (
    <FieldErrorsContext.Provider value={lookup}>
      <div data-testid="inspector" data-node-id={node.id} className="flex min-h-0 flex-1 flex-col">
        <div className="flex items-start gap-2.5 border-b border-zinc-100 px-4 py-3">
          <span className={cx("flex size-8 shrink-0 items-center justify-center rounded-lg ring-1 ring-inset", style.tile)}>
            <Icon className="size-4" aria-hidden />
          </span>
          <div className="min-w-0 flex-1">
            <h2 className="truncate text-sm font-semibold text-zinc-900">{typeLabel}</h2>
            <p className="line-clamp-2 text-xs text-zinc-500">
              {spec ? t(`flows.nodes.${spec.type}.description`) : null}
            </p>
          </div>
          <span
            className="shrink-0 rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-[10px] text-zinc-500"
            title={t("flows.inspector.nodeId")}
            data-testid="inspector-node-id"
          >
            {node.id}
          </span>
        </div>

        <div className="min-h-0 flex-1 space-y-4 overflow-y-auto px-4 py-4">
          {unmapped.length > 0 ? (
            <ul
              className={cx(
                "space-y-1 rounded-lg border px-3 py-2",
                unmapped.some((p) => p.severity === "error") ? "border-red-200 bg-red-50" : "border-amber-200 bg-amber-50",
              )}
              data-testid="inspector-problems"
            >
              {unmapped.map((p, i) => (
                <li key={i} className={cx("flex items-start gap-1.5 text-xs", p.severity === "error" ? "text-red-800" : "text-amber-900")}>
                  <SeverityIcon severity={p.severity} className="mt-0.5 size-3.5" />
                  <span>
                    {p.field ? <code className="mr-1 font-mono text-[11px]">{p.field}</code> : null}
                    {p.message}
                  </span>
                </li>
              ))}
            </ul>
          ) : null}

          <TextControl
            field="name"
            label={t("flows.fields.name")}
            value={text(data.name)}
            onChange={(v) => set("name", v)}
            max={LIMITS.name}
            placeholder={typeLabel}
            hint={t("flows.hints.name")}
          />
          <NodeForm node={node} nodes={nodes} flows={flows} currentFlowId={currentFlowId} set={set} onChange={onChange} />
        </div>

        <div className="flex items-center justify-between gap-2 border-t border-zinc-100 px-4 py-2.5">
          <Button size="sm" variant="ghost" onClick={onDuplicate} data-testid="inspector-duplicate" icon={<Copy className="size-3.5" aria-hidden />}>
            {t("flows.inspector.duplicate")}
          </Button>
          <Button size="sm" variant="danger" onClick={onDelete} data-testid="inspector-delete" icon={<Trash2 className="size-3.5" aria-hidden />}>
            {t("flows.inspector.delete")}
          </Button>
        </div>
      </div>
    </FieldErrorsContext.Provider>
  );
}

interface FormProps {
  node: FlowNode;
  nodes: FlowNode[];
  flows: FlowSummary[];
  currentFlowId: string;
  set: (field: string, value: unknown) => void;
  onChange: DataUpdater;
}

function useSelectOptions() {
  const { t } = useTranslation();
  return {
    match: (["word", "exact", "regex"] as const).map((value) => ({ value, label: t(`flows.options.match.${value}`) })),
    validation: (["text", "number", "email", "phone", "date", "regex", "choice"] as const).map((value) => ({
      value,
      label: t(`flows.options.validation.${value}`),
    })),
    mediaType: (["image", "video", "audio", "document"] as const).map((value) => ({
      value,
      label: t(`flows.options.mediaType.${value}`),
    })),
    methods: (["GET", "POST", "PUT", "PATCH", "DELETE"] as const).map((value) => ({ value, label: value })),
    flowAction: (["navigate", "data_exchange"] as const).map((value) => ({
      value,
      label: t(`flows.options.flowAction.${value}`),
    })),
    flowMode: (["published", "draft"] as const).map((value) => ({ value, label: t(`flows.options.flowMode.${value}`) })),
  };
}

function NodeForm({ node, nodes, flows, currentFlowId, set, onChange }: FormProps) {
  const { t } = useTranslation();
  const opts = useSelectOptions();
  const data = node.data;
  const type = node.type;
  const max = (field: string) => fieldMax(type, field);
  const templatedText = (field: string, label: string, extra: Partial<Parameters<typeof TextControl>[0]> = {}) => (
    <TextControl
      field={field}
      label={label}
      value={text(data[field])}
      onChange={(v) => set(field, v)}
      max={max(field)}
      templated
      {...extra}
    />
  );
  const header = () => templatedText("header", t("flows.fields.header"), { templated: true });
  const footer = () => templatedText("footer", t("flows.fields.footer"), { templated: false });

  switch (type) {
    case "trigger": {
      const match = (text(data.match) || "word") as "word" | "exact" | "regex";
      const keywords = Array.isArray(data.keywords) ? strings(data.keywords) : text(data.keyword) ? [text(data.keyword)] : [];
      return (
        <>
          <SelectControl field="match" label={t("flows.fields.match")} value={match} options={opts.match} onChange={(v) => set("match", v)} />
          {match === "regex" ? (
            <TextControl
              field="pattern"
              label={t("flows.fields.pattern")}
              value={text(data.pattern)}
              onChange={(v) => set("pattern", v)}
              mono
              required
              placeholder="^(hi|hello)\\b"
              hint={t("flows.hints.pattern")}
            />
          ) : (
            <StringListControl
              field="keywords"
              label={t("flows.fields.keywords")}
              items={keywords}
              itemMax={LIMITS.keyword}
              maxItems={20}
              minItems={1}
              required
              addLabel={t("flows.inspector.addKeyword")}
              hint={t("flows.hints.keywords")}
              onChange={(items) =>
                onChange(
                  (d) => {
                    const next: NodeData = { ...d, keywords: items };
                    delete next.keyword;
                    return next;
                  },
                  { key: `${node.id}:keywords` },
                )
              }
            />
          )}
        </>
      );
    }
    case "message": {
      const useTemplate = Boolean(data.useTemplate);
      return (
        <>
          <Segmented
            field="useTemplate"
            label={t("flows.fields.messageKind")}
            value={useTemplate ? "template" : "text"}
            options={[
              { value: "text", label: t("flows.options.messageKind.text") },
              { value: "template", label: t("flows.options.messageKind.template") },
            ]}
            onChange={(v) => set("useTemplate", v === "template")}
          />
          {useTemplate ? (
            <>
              <TextControl
                field="templateName"
                label={t("flows.fields.templateName")}
                value={text(data.templateName)}
                onChange={(v) => set("templateName", v)}
                required
                mono
                hint={t("flows.hints.templateName")}
              />
              <TextControl
                field="templateLanguage"
                label={t("flows.fields.language")}
                value={text(data.templateLanguage)}
                onChange={(v) => set("templateLanguage", v)}
                required
                mono
                placeholder="en_US"
              />
              <ParametersControl field="templateParameters" value={data.templateParameters} onChange={(v) => set("templateParameters", v)} />
            </>
          ) : (
            templatedText("text", t("flows.fields.text"), { multiline: true, rows: 6, required: true, hint: t("flows.hints.formatting") })
          )}
        </>
      );
    }
    case "options": {
      const items = strings(data.options);
      return (
        <>
          {header()}
          {templatedText("text", t("flows.fields.body"), { multiline: true, rows: 4, required: true })}
          {footer()}
          <StringListControl
            field="options"
            label={t("flows.fields.options")}
            items={items}
            itemMax={LIMITS.buttonTitle}
            maxItems={LIMITS.options}
            minItems={1}
            required
            reorderable
            addLabel={t("flows.inspector.addOption")}
            newItem={(i) => t("flows.defaults.optionN", { n: i + 1 })}
            hint={data.display !== "list" ? t("flows.hints.optionsButtons") : t("flows.hints.optionsList")}
            onChange={(next, op) =>
              onChange(
                // WhatsApp shows at most 3 reply buttons: a fourth option switches to a list.
                (d) => ({ ...d, options: next, display: next.length > LIMITS.replyButtons ? "list" : d.display ?? "buttons" }),
                listChange(node.id, "options", op, items.length),
              )
            }
          />
          <SelectControl
            field="display"
            label={t("flows.fields.display")}
            value={data.display === "list" ? "list" : "buttons"}
            options={[
              { value: "buttons", label: t("flows.options.display.buttons") },
              { value: "list", label: t("flows.options.display.list") },
            ]}
            onChange={(v) => set("display", v)}
          />
          {data.display === "list" ? (
            <TextControl
              field="buttonText"
              label={t("flows.fields.listButton")}
              value={text(data.buttonText)}
              onChange={(v) => set("buttonText", v)}
              max={LIMITS.buttonText}
              placeholder={t("flows.preview.defaultListButton")}
            />
          ) : null}
        </>
      );
    }
    case "list":
      return (
        <>
          {header()}
          {templatedText("text", t("flows.fields.body"), { multiline: true, rows: 4, required: true })}
          {footer()}
          <TextControl
            field="buttonText"
            label={t("flows.fields.listButton")}
            value={text(data.buttonText)}
            onChange={(v) => set("buttonText", v)}
            max={LIMITS.buttonText}
            required
          />
          <SectionsControl node={node} onChange={onChange} />
        </>
      );
    case "cta_url":
      return (
        <>
          {header()}
          {templatedText("text", t("flows.fields.body"), { multiline: true, rows: 4, required: true })}
          {footer()}
          <TextControl
            field="buttonText"
            label={t("flows.fields.buttonText")}
            value={text(data.buttonText)}
            onChange={(v) => set("buttonText", v)}
            max={LIMITS.buttonText}
            required
          />
          {templatedText("url", t("flows.fields.url"), { required: true, mono: true, max: null, placeholder: "https://" })}
        </>
      );
    case "question": {
      const validation = validationOf(data);
      const choices = strings(data.choices);
      return (
        <>
          {templatedText("text", t("flows.fields.question"), { multiline: true, rows: 4, required: true })}
          <TextControl
            field="variable"
            label={t("flows.fields.saveAs")}
            value={text(data.variable)}
            onChange={(v) => set("variable", v)}
            max={LIMITS.variable}
            required
            mono
            hint={t("flows.hints.variable")}
          />
          <SelectControl
            field="validation"
            label={t("flows.fields.validation")}
            value={validation}
            options={opts.validation}
            onChange={(v) => set("validation", v)}
          />
          {validation === "regex" ? (
            <TextControl field="pattern" label={t("flows.fields.pattern")} value={text(data.pattern)} onChange={(v) => set("pattern", v)} mono required />
          ) : null}
          {validation === "choice" ? (
            <StringListControl
              field="choices"
              label={t("flows.fields.choices")}
              items={choices}
              itemMax={choices.length <= LIMITS.replyButtons ? LIMITS.buttonTitle : undefined}
              maxItems={LIMITS.choices}
              minItems={1}
              required
              reorderable
              addLabel={t("flows.inspector.addChoice")}
              hint={t("flows.hints.choices")}
              onChange={(next) => onChange((d) => ({ ...d, choices: next }), { key: `${node.id}:choices` })}
            />
          ) : null}
          {templatedText("retryText", t("flows.fields.retryText"), {
            multiline: true,
            rows: 2,
            placeholder: t("flows.defaults.retryText"),
          })}
          <NumberControl
            field="maxAttempts"
            label={t("flows.fields.maxAttempts")}
            value={data.maxAttempts}
            min={1}
            max={LIMITS.maxAttempts}
            placeholder="3"
            onChange={(v) => set("maxAttempts", v)}
            hint={t("flows.hints.maxAttempts")}
          />
        </>
      );
    }
    case "media": {
      const mediaType = (text(data.mediaType) || "image") as "image" | "video" | "audio" | "document";
      const source = "id" in data && !text(data.url) ? "id" : "url";
      return (
        <>
          <SelectControl
            field="mediaType"
            label={t("flows.fields.mediaType")}
            value={mediaType}
            options={opts.mediaType}
            onChange={(v) => set("mediaType", v)}
          />
          <Segmented
            field="mediaSource"
            label={t("flows.fields.mediaSource")}
            value={source === "id" ? "id" : "url"}
            options={[
              { value: "url", label: t("flows.options.mediaSource.url") },
              { value: "id", label: t("flows.options.mediaSource.id") },
            ]}
            onChange={(v) =>
              onChange((d) => {
                const next: NodeData = { ...d };
                if (v === "id") {
                  delete next.url;
                  next.id = text(d.id);
                } else {
                  delete next.id;
                  next.url = text(d.url);
                }
                return next;
              })
            }
          />
          {source === "id"
            ? templatedText("id", t("flows.fields.mediaId"), { required: true, mono: true, max: null })
            : templatedText("url", t("flows.fields.url"), { required: true, mono: true, max: null, placeholder: "https://" })}
          {mediaType !== "audio" ? templatedText("caption", t("flows.fields.caption"), { multiline: true, rows: 3 }) : null}
          {mediaType === "document" ? (
            <TextControl field="filename" label={t("flows.fields.filename")} value={text(data.filename)} onChange={(v) => set("filename", v)} placeholder="invoice.pdf" />
          ) : null}
        </>
      );
    }
    case "template":
      return (
        <>
          <TextControl
            field="templateName"
            label={t("flows.fields.templateName")}
            value={text(data.templateName)}
            onChange={(v) => set("templateName", v)}
            required
            mono
            hint={t("flows.hints.templateName")}
          />
          <TextControl field="language" label={t("flows.fields.language")} value={text(data.language)} onChange={(v) => set("language", v)} required mono placeholder="en_US" />
          <ParametersControl field="parameters" value={data.parameters} onChange={(v) => set("parameters", v)} />
          <p className="flex items-start gap-1.5 rounded-lg bg-sky-50 px-3 py-2 text-xs text-sky-800">
            <Info className="mt-0.5 size-3.5 shrink-0" aria-hidden />
            {t("flows.hints.template")}
          </p>
        </>
      );
    case "delay":
      return (
        <DurationControl
          field="seconds"
          label={t("flows.fields.delay")}
          seconds={data.seconds === undefined ? undefined : Number(data.seconds)}
          onChange={(v) => set("seconds", v)}
          hint={t("flows.hints.delay")}
        />
      );
    case "wait": {
      const timeout = Number(data.timeoutSeconds) || 0;
      return (
        <>
          <TextControl
            field="variable"
            label={t("flows.fields.saveReplyAs")}
            value={text(data.variable)}
            onChange={(v) => set("variable", v)}
            max={LIMITS.variable}
            mono
            hint={t("flows.hints.variableOptional")}
          />
          <SwitchControl
            field="hasTimeout"
            label={t("flows.fields.hasTimeout")}
            checked={timeout > 0}
            onChange={(on) => set("timeoutSeconds", on ? 3600 : 0)}
            hint={t("flows.hints.timeout")}
          />
          {timeout > 0 ? (
            <DurationControl
              field="timeoutSeconds"
              label={t("flows.fields.timeout")}
              seconds={timeout}
              minUnit="minutes"
              onChange={(v) => set("timeoutSeconds", v)}
            />
          ) : null}
        </>
      );
    }
    case "condition":
      return <ConditionForm node={node} onChange={onChange} set={set} />;
    case "api":
    case "http":
      return (
        <>
          <div className="grid grid-cols-[7rem_1fr] items-start gap-2">
            <SelectControl
              field="method"
              label={t("flows.fields.method")}
              value={(text(data.method) || (type === "api" ? "POST" : "GET")).toUpperCase() as "GET"}
              options={opts.methods}
              onChange={(v) => set("method", v)}
            />
            {templatedText("url", t("flows.fields.url"), { required: true, mono: true, max: null, placeholder: "https://" })}
          </div>
          <KeyValueControl
            field="headers"
            label={t("flows.fields.headers")}
            value={stringRecord(data.headers)}
            onChange={(v) => set("headers", v)}
            keyPlaceholder={t("flows.inspector.headerName")}
            valuePlaceholder={t("flows.inspector.headerValue")}
            addLabel={t("flows.inspector.addHeader")}
          />
          {templatedText("body", t("flows.fields.requestBody"), {
            multiline: true,
            rows: 4,
            mono: true,
            max: null,
            placeholder: '{"phone": "{{contact.phone}}"}',
            hint: t("flows.hints.body"),
          })}
          {type === "http" ? (
            <>
              <NumberControl
                field="timeoutSeconds"
                label={t("flows.fields.httpTimeout")}
                value={data.timeoutSeconds}
                min={1}
                max={LIMITS.httpTimeoutMax}
                placeholder="10"
                onChange={(v) => set("timeoutSeconds", v)}
              />
              <KeyValueControl
                field="responseMapping"
                label={t("flows.fields.responseMapping")}
                value={stringRecord(data.responseMapping)}
                onChange={(v) => set("responseMapping", v)}
                keyPlaceholder={t("flows.inspector.mappingVariable")}
                valuePlaceholder={t("flows.inspector.mappingPath")}
                addLabel={t("flows.inspector.addMapping")}
                hint={t("flows.hints.responseMapping")}
              />
            </>
          ) : null}
          <TextControl
            field="assignTo"
            label={t("flows.fields.assignTo")}
            value={text(data.assignTo)}
            onChange={(v) => set("assignTo", v)}
            mono
            placeholder={type === "api" ? "apiResult" : undefined}
            hint={t("flows.hints.assignTo")}
          />
          <p className="flex items-start gap-1.5 rounded-lg bg-zinc-50 px-3 py-2 text-xs text-zinc-600">
            <Info className="mt-0.5 size-3.5 shrink-0" aria-hidden />
            {type === "api" ? t("flows.hints.apiExits") : t("flows.hints.httpExits")}
          </p>
        </>
      );
    case "assign":
    case "set_attribute": {
      // The same form: a name and a templated value; only what the name refers to differs.
      const isVariable = type === "assign";
      return (
        <>
          <TextControl
            field="key"
            label={isVariable ? t("flows.fields.variableName") : t("flows.fields.attribute")}
            value={text(data.key)}
            onChange={(v) => set("key", v)}
            max={LIMITS.variable}
            required
            mono
            hint={isVariable ? t("flows.hints.variable") : t("flows.hints.attribute")}
          />
          {templatedText("value", t("flows.fields.value"), { multiline: true, rows: 2 })}
        </>
      );
    }
    case "tag":
      return (
        <>
          <Segmented
            field="action"
            label={t("flows.fields.tagAction")}
            value={data.action === "remove" ? "remove" : "add"}
            options={[
              { value: "add", label: t("flows.options.action.add") },
              { value: "remove", label: t("flows.options.action.remove") },
            ]}
            onChange={(v) => set("action", v)}
          />
          <StringListControl
            field="tags"
            label={t("flows.fields.tags")}
            items={strings(data.tags)}
            itemMax={LIMITS.tag}
            maxItems={LIMITS.tags}
            minItems={1}
            required
            addLabel={t("flows.inspector.addTag")}
            onChange={(next) => onChange((d) => ({ ...d, tags: next }), { key: `${node.id}:tags` })}
          />
        </>
      );
    case "whatsapp_flow": {
      const action = (text(data.flowAction) || "navigate") as "navigate" | "data_exchange";
      return (
        <>
          {header()}
          {templatedText("body", t("flows.fields.body"), { multiline: true, rows: 3, required: true })}
          {footer()}
          <TextControl
            field="cta"
            label={t("flows.fields.cta")}
            value={text(data.cta)}
            onChange={(v) => set("cta", v)}
            max={LIMITS.buttonText}
            placeholder={t("flows.preview.defaultFlowCta")}
          />
          <TextControl field="flowId" label={t("flows.fields.metaFlowId")} value={text(data.flowId)} onChange={(v) => set("flowId", v)} required mono />
          <SelectControl field="flowAction" label={t("flows.fields.flowAction")} value={action} options={opts.flowAction} onChange={(v) => set("flowAction", v)} />
          {action === "navigate" ? (
            <TextControl field="screen" label={t("flows.fields.screen")} value={text(data.screen)} onChange={(v) => set("screen", v)} mono placeholder="WELCOME" />
          ) : null}
          <SelectControl
            field="mode"
            label={t("flows.fields.flowMode")}
            value={(text(data.mode) || "published") as "published" | "draft"}
            options={opts.flowMode}
            onChange={(v) => set("mode", v)}
          />
          <TextControl
            field="variable"
            label={t("flows.fields.answersIn")}
            value={text(data.variable)}
            onChange={(v) => set("variable", v)}
            mono
            placeholder="flow"
            hint={t("flows.hints.flowVariable")}
          />
        </>
      );
    }
    case "handoff":
      return (
        <>
          <TextControl field="queue" label={t("flows.fields.queue")} value={text(data.queue)} onChange={(v) => set("queue", v)} max={LIMITS.queue} placeholder="Default" />
          {templatedText("note", t("flows.fields.note"), { multiline: true, rows: 3, hint: t("flows.hints.note") })}
          <TextControl field="assigneeId" label={t("flows.fields.assignee")} value={text(data.assigneeId)} onChange={(v) => set("assigneeId", v)} mono hint={t("flows.hints.assignee")} />
          <NumberControl
            field="returnAfterMinutes"
            label={t("flows.fields.returnAfter")}
            value={data.returnAfterMinutes}
            min={0}
            max={LIMITS.handoffMaxMinutes}
            placeholder="0"
            onChange={(v) => set("returnAfterMinutes", v)}
            hint={t("flows.hints.returnAfter")}
          />
        </>
      );
    case "start_flow": {
      const others = flows.filter((f) => f.id !== currentFlowId);
      const value = text(data.flowId);
      return (
        <SelectControl
          field="flowId"
          label={t("flows.fields.startFlow")}
          value={value}
          options={[
            { value: "", label: t("flows.inspector.choose") },
            ...others.map((f) => ({ value: f.id, label: f.published_version ? f.name : `${f.name} (${t("flows.status.Draft")})` })),
            ...(value && !others.some((f) => f.id === value) ? [{ value, label: value }] : []),
          ]}
          onChange={(v) => set("flowId", v)}
          hint={t("flows.hints.startFlow")}
        />
      );
    }
    case "goto": {
      const value = text(data.targetNodeId);
      return (
        <SelectControl
          field="targetNodeId"
          label={t("flows.fields.target")}
          value={value}
          options={[
            { value: "", label: t("flows.inspector.choose") },
            ...nodes
              .filter((n) => n.id !== node.id)
              .map((n) => {
                const spec = specOf(n.type);
                return { value: n.id, label: nodeLabel(n, spec ? t(`flows.nodes.${spec.type}.label`) : (n.type ?? "?")) };
              }),
            ...(value && !nodes.some((n) => n.id === value) ? [{ value, label: value }] : []),
          ]}
          onChange={(v) => set("targetNodeId", v)}
          hint={t("flows.hints.goto")}
        />
      );
    }
    case "end":
      return <TextControl field="reason" label={t("flows.fields.reason")} value={text(data.reason)} onChange={(v) => set("reason", v)} placeholder="end" hint={t("flows.hints.reason")} />;
    default:
      return <p className="text-xs text-zinc-500">{t("flows.preview.unknown", { type: type ?? "?" })}</p>;
  }
}

/** "Name · Type (n3)" for node pickers. */
export function nodeLabel(n: FlowNode, typeLabel: string): string {
  const name = text(n.data.name).trim();
  return name ? `${name} · ${typeLabel} (${n.id})` : `${typeLabel} (${n.id})`;
}

function stringRecord(value: unknown): Record<string, string> {
  if (!value || typeof value !== "object" || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, text(v)]));
}

/** Undo key and handle mapping for a list edit of options. */
function listChange(nodeId: string, field: string, op: ListOp, count: number): ChangeOptions {
  switch (op.kind) {
    case "remove":
      return { mapping: removalMapping(op.index, count) };
    case "move":
      return { mapping: moveMapping(op.from, op.to, count) };
    case "add":
      return {};
    case "edit":
      return { key: `${nodeId}:${field}[${op.index}]` };
  }
}

function SectionsControl({ node, onChange }: { node: FlowNode; onChange: DataUpdater }) {
  const { t } = useTranslation();
  const sections = sectionsOf(node.data);
  const total = sections.reduce((n, s) => n + s.rows.length, 0);
  const offsets = sections.map((_, i) => sections.slice(0, i).reduce((n, s) => n + s.rows.length, 0));
  const write = (next: ListSectionData[], options: ChangeOptions = {}) =>
    onChange((d) => ({ ...d, sections: next }), options);
  const updateRow = (si: number, ri: number, patch: { title?: string; description?: string }, field: string) =>
    write(
      sections.map((s, i) => (i === si ? { ...s, rows: s.rows.map((r, j) => (j === ri ? { ...r, ...patch } : r)) } : s)),
      { key: `${node.id}:sections[${si}].rows[${ri}].${field}` },
    );

  return (
    <div className="space-y-3" data-testid="inspector-sections">
      <div className="flex items-center justify-between">
        <SectionTitle>{t("flows.fields.sections")}</SectionTitle>
        <span className="text-[11px] text-zinc-400 tabular-nums">{t("flows.inspector.rowsCount", { count: total, max: LIMITS.rows })}</span>
      </div>
      <SectionsError />
      {sections.map((section, si) => (
        <div key={si} className="space-y-2 rounded-lg border border-zinc-200 bg-zinc-50/60 p-2.5">
          <div className="flex items-end gap-1">
            <TextControl
              field={`sections[${si}].title`}
              testId={`sections-${si}-title`}
              label={t("flows.fields.sectionTitle", { n: si + 1 })}
              value={section.title ?? ""}
              onChange={(v) => write(sections.map((s, i) => (i === si ? { ...s, title: v } : s)), { key: `${node.id}:sections[${si}].title` })}
              max={LIMITS.sectionTitle}
              required={sections.length > 1}
            />
            <IconButton
              label={t("flows.inspector.removeSection")}
              testId={`inspector-sections-${si}-remove`}
              disabled={sections.length <= 1}
              className="mb-0.5"
              onClick={() => {
                const mapping: Record<string, string | null> = {};
                const removed = section.rows.length;
                for (let i = 0; i < removed; i += 1) mapping[`opt-${offsets[si] + i}`] = null;
                for (let i = offsets[si] + removed; i < total; i += 1) mapping[`opt-${i}`] = `opt-${i - removed}`;
                write(sections.filter((_, i) => i !== si), { mapping });
              }}
            >
              <Trash2 className="size-3.5" aria-hidden />
            </IconButton>
          </div>
          <ul className="space-y-2">
            {section.rows.map((row, ri) => (
              <RowEditor
                key={ri}
                si={si}
                ri={ri}
                title={row.title ?? ""}
                description={row.description ?? ""}
                canRemove={total > 1}
                onTitle={(v) => updateRow(si, ri, { title: v }, "title")}
                onDescription={(v) => updateRow(si, ri, { description: v }, "description")}
                onRemove={() =>
                  write(
                    sections.map((s, i) => (i === si ? { ...s, rows: s.rows.filter((_, j) => j !== ri) } : s)),
                    { mapping: removalMapping(offsets[si] + ri, total) },
                  )
                }
              />
            ))}
          </ul>
          {total < LIMITS.rows ? (
            <button
              type="button"
              data-testid={`inspector-sections-${si}-add-row`}
              onClick={() =>
                write(
                  sections.map((s, i) =>
                    i === si ? { ...s, rows: [...s.rows, { title: t("flows.defaults.rowN", { n: total + 1 }) }] } : s,
                  ),
                  { mapping: insertMapping(offsets[si] + section.rows.length, total) },
                )
              }
              className="flex items-center gap-1 rounded-md px-1.5 py-1 text-xs font-medium text-brand-700 hover:bg-brand-50"
            >
              <Plus className="size-3.5" aria-hidden />
              {t("flows.inspector.addRow")}
            </button>
          ) : null}
        </div>
      ))}
      {sections.length < LIMITS.sections && total < LIMITS.rows ? (
        <Button
          size="sm"
          data-testid="inspector-sections-add"
          icon={<Plus className="size-3.5" aria-hidden />}
          onClick={() =>
            write([...sections, { title: t("flows.defaults.sectionN", { n: sections.length + 1 }), rows: [{ title: t("flows.defaults.rowN", { n: total + 1 }) }] }])
          }
        >
          {t("flows.inspector.addSection")}
        </Button>
      ) : null}
    </div>
  );
}

function SectionsError() {
  const { t } = useTranslation();
  return (
    <FieldErrorsContext.Consumer>
      {(lookup) => {
        const error = lookup("sections");
        return error ? (
          <p className="text-[11px] font-medium text-red-600" role="alert" title={t("flows.fields.sections")}>
            {error}
          </p>
        ) : null;
      }}
    </FieldErrorsContext.Consumer>
  );
}

function RowEditor({
  si,
  ri,
  title,
  description,
  canRemove,
  onTitle,
  onDescription,
  onRemove,
}: {
  si: number;
  ri: number;
  title: string;
  description: string;
  canRemove: boolean;
  onTitle: (v: string) => void;
  onDescription: (v: string) => void;
  onRemove: () => void;
}) {
  const { t } = useTranslation();
  return (
    <FieldErrorsContext.Consumer>
      {(lookup) => {
        const titleError = lookup(`sections[${si}].rows[${ri}].title`);
        const descriptionError = lookup(`sections[${si}].rows[${ri}].description`);
        return (
          <li className="rounded-md border border-zinc-200 bg-white p-2">
            <div className="flex items-center gap-1">
              <div className="relative min-w-0 flex-1">
                <input
                  data-testid={`inspector-sections-${si}-rows-${ri}-title`}
                  value={title}
                  aria-label={t("flows.fields.rowTitle")}
                  placeholder={t("flows.fields.rowTitle")}
                  aria-invalid={titleError ? true : undefined}
                  onChange={(e) => onTitle(e.target.value)}
                  className={inputClasses(!!titleError, "h-8 pr-12 font-medium")}
                />
                <span className="pointer-events-none absolute inset-y-0 right-2 flex items-center">
                  <Counter value={title} max={LIMITS.rowTitle} testId={`inspector-sections-${si}-rows-${ri}-title-counter`} />
                </span>
              </div>
              <IconButton label={t("flows.inspector.remove")} disabled={!canRemove} onClick={onRemove} testId={`inspector-sections-${si}-rows-${ri}-remove`}>
                <X className="size-3.5" aria-hidden />
              </IconButton>
            </div>
            <div className="relative mt-1 mr-8">
              <input
                data-testid={`inspector-sections-${si}-rows-${ri}-description`}
                value={description}
                aria-label={t("flows.fields.rowDescription")}
                placeholder={t("flows.fields.rowDescription")}
                aria-invalid={descriptionError ? true : undefined}
                onChange={(e) => onDescription(e.target.value)}
                className={inputClasses(!!descriptionError, "h-7 pr-12 text-xs")}
              />
              <span className="pointer-events-none absolute inset-y-0 right-2 flex items-center">
                <Counter value={description} max={LIMITS.rowDescription} />
              </span>
            </div>
            {titleError || descriptionError ? (
              <p className="mt-0.5 text-[11px] font-medium text-red-600">{titleError ?? descriptionError}</p>
            ) : null}
          </li>
        );
      }}
    </FieldErrorsContext.Consumer>
  );
}

const OPS = ["eq", "neq", "contains", "not_contains", "starts_with", "ends_with", "gt", "gte", "lt", "lte", "is_empty", "not_empty", "matches"] as const;
type Op = (typeof OPS)[number];

interface Rule {
  left?: string;
  op?: Op;
  right?: string;
}

function ConditionForm({ node, onChange, set }: { node: FlowNode; onChange: DataUpdater; set: (field: string, value: unknown) => void }) {
  const { t } = useTranslation();
  const data = node.data;
  const rules = data.rules && typeof data.rules === "object" ? (data.rules as { match?: string; conditions?: Rule[] }) : null;
  const mode = rules ? "rules" : "expression";
  const conditions = rules && Array.isArray(rules.conditions) ? rules.conditions : [];
  const writeRules = (next: { match?: string; conditions?: Rule[] }, key?: string) =>
    onChange((d) => ({ ...d, rules: next }), key ? { key: `${node.id}:${key}` } : {});

  return (
    <>
      <Segmented
        field="conditionMode"
        label={t("flows.fields.conditionMode")}
        value={mode}
        options={[
          { value: "expression", label: t("flows.options.conditionMode.expression") },
          { value: "rules", label: t("flows.options.conditionMode.rules") },
        ]}
        onChange={(v) =>
          onChange((d) => {
            const next: NodeData = { ...d };
            if (v === "rules") {
              next.rules = next.rules ?? { match: "all", conditions: [{ left: "{{input}}", op: "eq", right: "" }] };
              delete next.expression;
            } else {
              next.expression = text(d.expression);
              delete next.rules;
            }
            return next;
          })
        }
      />
      {mode === "expression" ? (
        <TextControl
          field="expression"
          label={t("flows.fields.expression")}
          value={text(data.expression)}
          onChange={(v) => set("expression", v)}
          max={LIMITS.expression}
          multiline
          rows={3}
          mono
          required
          hint={t("flows.hints.expression")}
        />
      ) : (
        <div className="space-y-2" data-testid="inspector-rules">
          <SelectControl
            field="rules-match"
            label={t("flows.fields.ruleMatch")}
            value={(rules?.match === "any" ? "any" : "all") as "all" | "any"}
            options={[
              { value: "all", label: t("flows.options.ruleMatch.all") },
              { value: "any", label: t("flows.options.ruleMatch.any") },
            ]}
            onChange={(v) => writeRules({ ...rules, match: v })}
          />
          {conditions.map((c, i) => {
            const op = (OPS.includes(c.op as Op) ? c.op : "eq") as Op;
            const update = (patch: Rule, key: string) =>
              writeRules({ ...rules, conditions: conditions.map((x, j) => (j === i ? { ...x, ...patch } : x)) }, `rules[${i}].${key}`);
            return (
              <div key={i} className="space-y-1.5 rounded-lg border border-zinc-200 bg-zinc-50/60 p-2.5">
                <div className="flex items-center justify-between">
                  <span className="text-[11px] font-semibold text-zinc-500">{t("flows.inspector.ruleN", { n: i + 1 })}</span>
                  <IconButton
                    label={t("flows.inspector.remove")}
                    disabled={conditions.length <= 1}
                    onClick={() => writeRules({ ...rules, conditions: conditions.filter((_, j) => j !== i) })}
                  >
                    <X className="size-3.5" aria-hidden />
                  </IconButton>
                </div>
                <TextControl
                  field={`rules.conditions[${i}].left`}
                  testId={`rules-${i}-left`}
                  label={t("flows.fields.left")}
                  value={text(c.left)}
                  onChange={(v) => update({ left: v }, "left")}
                  templated
                  mono
                  placeholder="{{input}}"
                />
                <FieldShell label={t("flows.fields.operator")}>
                  <select
                    data-testid={`inspector-rules-${i}-op`}
                    aria-label={t("flows.fields.operator")}
                    value={op}
                    onChange={(e) => update({ op: e.target.value as Op }, "op")}
                    className={inputClasses(false, "h-8 pr-8")}
                  >
                    {OPS.map((o) => (
                      <option key={o} value={o}>
                        {t(`flows.options.ops.${o}`)}
                      </option>
                    ))}
                  </select>
                </FieldShell>
                {op !== "is_empty" && op !== "not_empty" ? (
                  <TextControl
                    field={`rules.conditions[${i}].right`}
                    testId={`rules-${i}-right`}
                    label={t("flows.fields.right")}
                    value={text(c.right)}
                    onChange={(v) => update({ right: v }, "right")}
                    templated
                    mono
                  />
                ) : null}
              </div>
            );
          })}
          <button
            type="button"
            data-testid="inspector-rules-add"
            onClick={() => writeRules({ ...rules, conditions: [...conditions, { left: "{{input}}", op: "eq", right: "" }] })}
            className="flex items-center gap-1 rounded-md px-1.5 py-1 text-xs font-medium text-brand-700 hover:bg-brand-50"
          >
            <Plus className="size-3.5" aria-hidden />
            {t("flows.inspector.addRule")}
          </button>
        </div>
      )}
    </>
  );
}

const COMPONENTS = ["body", "header", "button"] as const;
const PARAM_TYPES = ["text", "image", "video", "document", "payload"] as const;

interface Parameter {
  component?: string;
  type?: string;
  value?: string;
  subType?: string;
  index?: number;
}

function ParametersControl({ field, value, onChange }: { field: string; value: unknown; onChange: (next: Parameter[]) => void }) {
  const { t } = useTranslation();
  const params: Parameter[] = Array.isArray(value) ? (value as Parameter[]) : [];
  const update = (i: number, patch: Parameter) => onChange(params.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  return (
    <div className="space-y-2" data-testid={`inspector-${field}`}>
      <SectionTitle>{t("flows.fields.parameters")}</SectionTitle>
      {params.length === 0 ? <p className="text-xs text-zinc-500">{t("flows.inspector.noParameters")}</p> : null}
      {params.map((p, i) => {
        const component = (COMPONENTS.includes(p.component as (typeof COMPONENTS)[number]) ? p.component : "body") as (typeof COMPONENTS)[number];
        return (
          <div key={i} className="space-y-1.5 rounded-lg border border-zinc-200 bg-zinc-50/60 p-2.5">
            <div className="flex items-center gap-1.5">
              <select
                aria-label={t("flows.fields.component")}
                data-testid={`inspector-${field}-${i}-component`}
                value={component}
                onChange={(e) => update(i, { component: e.target.value })}
                className={inputClasses(false, "h-7 min-w-0 flex-1 pr-7 text-xs")}
              >
                {COMPONENTS.map((c) => (
                  <option key={c} value={c}>
                    {t(`flows.options.component.${c}`)}
                  </option>
                ))}
              </select>
              <select
                aria-label={t("flows.fields.paramType")}
                value={p.type ?? "text"}
                onChange={(e) => update(i, { type: e.target.value })}
                className={inputClasses(false, "h-7 min-w-0 flex-1 pr-7 text-xs")}
              >
                {PARAM_TYPES.map((c) => (
                  <option key={c} value={c}>
                    {t(`flows.options.paramType.${c}`)}
                  </option>
                ))}
              </select>
              <IconButton label={t("flows.inspector.remove")} onClick={() => onChange(params.filter((_, j) => j !== i))}>
                <X className="size-3.5" aria-hidden />
              </IconButton>
            </div>
            {component === "button" ? (
              <div className="flex items-center gap-1.5">
                <select
                  aria-label={t("flows.fields.subType")}
                  value={p.subType ?? "quick_reply"}
                  onChange={(e) => update(i, { subType: e.target.value })}
                  className={inputClasses(false, "h-7 min-w-0 flex-1 pr-7 text-xs")}
                >
                  <option value="quick_reply">{t("flows.options.subType.quick_reply")}</option>
                  <option value="url">{t("flows.options.subType.url")}</option>
                </select>
                <input
                  type="number"
                  min={0}
                  max={9}
                  aria-label={t("flows.fields.buttonIndex")}
                  title={t("flows.fields.buttonIndex")}
                  value={p.index ?? 0}
                  onChange={(e) => update(i, { index: Number(e.target.value) })}
                  className={inputClasses(false, "h-7 w-16 text-xs tabular-nums")}
                />
              </div>
            ) : null}
            <TextControl
              field={`${field}[${i}].value`}
              testId={`${field}-${i}-value`}
              label={t("flows.fields.paramValue", { n: i + 1 })}
              value={text(p.value)}
              onChange={(v) => update(i, { value: v })}
              max={LIMITS.templateParameter}
              templated
            />
          </div>
        );
      })}
      <button
        type="button"
        data-testid={`inspector-${field}-add`}
        onClick={() => onChange([...params, { component: "body", type: "text", value: "" }])}
        className="flex items-center gap-1 rounded-md px-1.5 py-1 text-xs font-medium text-brand-700 hover:bg-brand-50"
      >
        <Plus className="size-3.5" aria-hidden />
        {t("flows.inspector.addParameter")}
      </button>
    </div>
  );
}
