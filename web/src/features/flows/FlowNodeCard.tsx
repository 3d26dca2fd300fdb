import { memo, useEffect, useMemo, type ReactNode } from "react";
import { Handle, Position, useUpdateNodeInternals, type NodeProps } from "@xyflow/react";
import { useTranslation } from "react-i18next";
import { AlertCircle, ExternalLink, Eye, FileText, Flag, Image, Mic, Video } from "lucide-react";
import { cx } from "../../lib/format";
import { GROUP_STYLES, NODE_SPECS, specOf } from "./catalog";
import { useBuilderOverlay } from "./BuilderContext";
import { deriveHandles, hasNamedExits, hasTargetHandle, sectionsOf, strings, type HandleSpec } from "./handles";
import { checkNode, worstSeverity } from "./limits";
import { formatDuration } from "./format";
import type { FlowNode, NodeData } from "./types";

function text(value: unknown): string {
  return typeof value === "string" ? value : value == null ? "" : String(value);
}

/** Text with `{{variables}}` shown as chips. */
export function Templated({ value, className }: { value: string; className?: string }) {
  const parts = value.split(/(\{\{[^}]*\}\})/g);
  return (
    <p className={cx("break-words whitespace-pre-wrap", className)}>
      {parts.map((part, i) =>
        /^\{\{[^}]*\}\}$/.test(part) ? (
          <span key={i} className="rounded bg-violet-50 px-0.5 font-medium text-violet-700">
            {part}
          </span>
        ) : (
          part
        ),
      )}
    </p>
  );
}

function Chip({ children, tone = "zinc" }: { children: ReactNode; tone?: "zinc" | "violet" | "sky" }) {
  const tones = {
    zinc: "bg-zinc-100 text-zinc-700",
    violet: "bg-violet-50 text-violet-700",
    sky: "bg-sky-50 text-sky-700",
  };
  return (
    <span className={cx("inline-flex max-w-full items-center truncate rounded-md px-1.5 py-0.5 text-[11px] font-medium", tones[tone])}>
      {children}
    </span>
  );
}

function Muted({ children }: { children: ReactNode }) {
  return <p className="text-zinc-400 italic">{children}</p>;
}

function Mono({ children }: { children: ReactNode }) {
  return <p className="truncate font-mono text-[11px] text-zinc-600">{children}</p>;
}

function Pill({ children }: { children: ReactNode }) {
  return (
    <span className="mt-1.5 flex items-center justify-center gap-1 rounded-md border border-zinc-200 bg-zinc-50 px-2 py-1 text-[11px] font-medium text-sky-700">
      {children}
    </span>
  );
}

/** A short preview of a node's content. */
export function NodePreview({ type, data }: { type: string; data: NodeData }) {
  const { t } = useTranslation();
  const overlay = useBuilderOverlay();
  const body = (value: unknown, clamp = "line-clamp-3") =>
    text(value).trim() ? <Templated value={text(value)} className={clamp} /> : <Muted>{t("flows.preview.noText")}</Muted>;

  switch (type) {
    case "trigger": {
      const match = text(data.match) || "word";
      if (match === "regex") return <Mono>/{text(data.pattern)}/i</Mono>;
      const keywords = Array.isArray(data.keywords) ? strings(data.keywords) : text(data.keyword) ? [text(data.keyword)] : [];
      if (keywords.length === 0) return <Muted>{t("flows.preview.noKeywords")}</Muted>;
      return (
        <div className="space-y-1">
          <div className="flex flex-wrap gap-1">
            {keywords.slice(0, 5).map((k, i) => (
              <Chip key={i}>{k || "…"}</Chip>
            ))}
            {keywords.length > 5 ? <Chip>+{keywords.length - 5}</Chip> : null}
          </div>
          {match === "exact" ? <p className="text-[11px] text-zinc-400">{t("flows.options.match.exact")}</p> : null}
        </div>
      );
    }
    case "message":
      if (data.useTemplate)
        return (
          <p className="flex items-center gap-1.5">
            <FileText className="size-3.5 shrink-0 text-zinc-400" aria-hidden />
            <span className="truncate">
              {t("flows.preview.template", { name: text(data.templateName) || "—", language: text(data.templateLanguage) || "—" })}
            </span>
          </p>
        );
      return body(data.text);
    case "options": {
      const count = strings(data.options).length;
      return (
        <div>
          {body(data.text, "line-clamp-2")}
          <p className="mt-1 text-[11px] text-zinc-400">
            {count <= 3 ? t("flows.preview.asButtons") : t("flows.preview.asList", { button: text(data.buttonText) || t("flows.preview.defaultListButton") })}
          </p>
        </div>
      );
    }
    case "list":
      return (
        <div>
          {body(data.text, "line-clamp-2")}
          <p className="mt-1 text-[11px] text-zinc-400">
            {t("flows.preview.listSummary", {
              button: text(data.buttonText) || "—",
              sections: sectionsOf(data).length,
            })}
          </p>
        </div>
      );
    case "cta_url":
      return (
        <div>
          {body(data.text, "line-clamp-2")}
          <Pill>
            <ExternalLink className="size-3" aria-hidden />
            <span className="truncate">{text(data.buttonText) || "—"}</span>
          </Pill>
        </div>
      );
    case "question":
      return (
        <div className="space-y-1.5">
          {body(data.text, "line-clamp-2")}
          <div className="flex flex-wrap items-center gap-1">
            {text(data.variable) ? <Chip tone="violet">{`→ ${text(data.variable)}`}</Chip> : null}
            <Chip>{t(`flows.options.validation.${validationOf(data)}`)}</Chip>
          </div>
        </div>
      );
    case "media": {
      const kind = text(data.mediaType) || "image";
      const Icon = kind === "video" ? Video : kind === "audio" ? Mic : kind === "document" ? FileText : Image;
      return (
        <div className="space-y-1">
          <p className="flex items-center gap-1.5">
            <Icon className="size-3.5 shrink-0 text-zinc-400" aria-hidden />
            <span className="truncate font-mono text-[11px]">{text(data.url) || text(data.id) || "—"}</span>
          </p>
          {text(data.caption) ? <Templated value={text(data.caption)} className="line-clamp-2" /> : null}
        </div>
      );
    }
    case "template":
      return (
        <p className="flex items-center gap-1.5">
          <FileText className="size-3.5 shrink-0 text-zinc-400" aria-hidden />
          <span className="truncate">
            {t("flows.preview.template", { name: text(data.templateName) || "—", language: text(data.language) || "—" })}
          </span>
        </p>
      );
    case "delay":
      return <p>{t("flows.preview.delay", { duration: formatDuration(Number(data.seconds) || 0) })}</p>;
    case "wait": {
      const timeout = Number(data.timeoutSeconds) || 0;
      return (
        <div className="space-y-1">
          <p>{timeout > 0 ? t("flows.preview.waitTimeout", { duration: formatDuration(timeout) }) : t("flows.preview.wait")}</p>
          {text(data.variable) ? <Chip tone="violet">{`→ ${text(data.variable)}`}</Chip> : null}
        </div>
      );
    }
    case "condition": {
      const rules = data.rules && typeof data.rules === "object" ? (data.rules as Record<string, unknown>) : null;
      if (rules) {
        const count = Array.isArray(rules.conditions) ? rules.conditions.length : 0;
        return (
          <p>
            {t("flows.preview.rules", {
              count,
              match: t(`flows.options.ruleMatch.${rules.match === "any" ? "any" : "all"}`),
            })}
          </p>
        );
      }
      return text(data.expression) ? (
        <p className="line-clamp-2 font-mono text-[11px] break-all text-zinc-700">{text(data.expression)}</p>
      ) : (
        <Muted>{t("flows.preview.noText")}</Muted>
      );
    }
    case "api":
    case "http": {
      const method = (text(data.method) || (type === "api" ? "POST" : "GET")).toUpperCase();
      return (
        <div className="space-y-1">
          <p className="flex min-w-0 items-center gap-1.5">
            <span className="rounded bg-zinc-800 px-1 py-px font-mono text-[10px] font-semibold text-white">{method}</span>
            <span className="truncate font-mono text-[11px] text-zinc-600">{text(data.url) || "—"}</span>
          </p>
          {text(data.assignTo) || type === "api" ? (
            <Chip tone="violet">{`→ ${text(data.assignTo) || "apiResult"}`}</Chip>
          ) : null}
        </div>
      );
    }
    case "assign":
      return (
        <Mono>
          {text(data.key) || "—"} = {text(data.value) || '""'}
        </Mono>
      );
    case "set_attribute":
      return (
        <Mono>
          contact.attributes.{text(data.key) || "—"} = {text(data.value) || '""'}
        </Mono>
      );
    case "tag": {
      const tags = strings(data.tags);
      return (
        <div className="flex flex-wrap items-center gap-1">
          <span className="text-[11px] text-zinc-500">
            {data.action === "remove" ? t("flows.options.action.remove") : t("flows.options.action.add")}:
          </span>
          {tags.slice(0, 4).map((tag, i) => (
            <Chip key={i} tone="sky">
              {tag || "…"}
            </Chip>
          ))}
          {tags.length > 4 ? <Chip>+{tags.length - 4}</Chip> : null}
        </div>
      );
    }
    case "whatsapp_flow":
      return (
        <div>
          {body(data.body, "line-clamp-2")}
          <Pill>{text(data.cta) || t("flows.preview.defaultFlowCta")}</Pill>
        </div>
      );
    case "handoff":
      return (
        <div className="space-y-0.5">
          <p>{t("flows.preview.handoff", { queue: text(data.queue) || "Default" })}</p>
          {Number(data.returnAfterMinutes) > 0 ? (
            <p className="text-[11px] text-zinc-400">
              {t("flows.preview.handoffReturn", { duration: formatDuration(Number(data.returnAfterMinutes) * 60) })}
            </p>
          ) : null}
        </div>
      );
    case "start_flow": {
      const id = text(data.flowId);
      return id ? <p className="truncate">→ {overlay.flowNames.get(id) ?? id}</p> : <Muted>{t("flows.preview.noFlow")}</Muted>;
    }
    case "goto": {
      const id = text(data.targetNodeId);
      return id ? <p className="truncate">→ {id}</p> : <Muted>{t("flows.preview.noTarget")}</Muted>;
    }
    case "end":
      return <p className="truncate text-zinc-500">{text(data.reason) || "end"}</p>;
    default:
      return <Muted>{t("flows.preview.unknown", { type })}</Muted>;
  }
}

export function validationOf(data: NodeData) {
  const v = text(data.validation);
  return (["text", "number", "email", "phone", "date", "regex", "choice"] as const).find((x) => x === v) ?? "text";
}

export function useHandleLabel() {
  const { t } = useTranslation();
  return (handle: HandleSpec, type: string, index: number): string => {
    switch (handle.kind) {
      case "option":
        return handle.label?.trim() || t("flows.handles.option", { n: index + 1 });
      case "default":
        if (type === "question") return t("flows.handles.valid");
        if (type === "wait") return t("flows.handles.reply");
        if (type === "whatsapp_flow") return t("flows.handles.answers");
        return t("flows.handles.next");
      case "no-match":
        return type === "whatsapp_flow" ? t("flows.handles.otherMessage") : t("flows.handles.noMatch");
      case "true":
        return t("flows.handles.true");
      case "false":
        return t("flows.handles.false");
      case "success":
        return t("flows.handles.success");
      case "error":
        return t("flows.handles.error");
      case "fallback":
        return t("flows.handles.fallback");
      case "timeout":
        return t("flows.handles.timeout");
    }
  };
}

const EXIT_DOT: Record<HandleSpec["kind"], string> = {
  default: "bg-zinc-400",
  option: "bg-sky-500",
  "no-match": "bg-zinc-300",
  true: "bg-emerald-500",
  false: "bg-red-500",
  success: "bg-emerald-500",
  error: "bg-red-500",
  fallback: "bg-zinc-300",
  timeout: "bg-amber-500",
};

function FlowNodeCardImpl({ id, type, data, selected }: NodeProps<FlowNode>) {
  const { t } = useTranslation();
  const overlay = useBuilderOverlay();
  const updateNodeInternals = useUpdateNodeInternals();
  const handleLabel = useHandleLabel();
  const spec = specOf(type);
  const style = GROUP_STYLES[spec?.group ?? "logic"];
  const Icon = spec?.icon ?? NODE_SPECS.end.icon;
  const typeLabel = spec ? t(`flows.nodes.${spec.type}.label`) : type;
  const handles = useMemo(() => deriveHandles(type, data), [type, data]);
  const named = hasNamedExits(handles);
  const signature = handles.map((h) => h.id ?? "").join("|");
  useEffect(() => updateNodeInternals(id), [id, signature, updateNodeInternals]);

  const issues = useMemo(() => checkNode({ id, type, data }, { nodeIds: overlay.nodeIds }), [id, type, data, overlay.nodeIds]);
  const issueLevel = worstSeverity(issues);
  const problem = overlay.problemNodes.get(id);
  const isCurrent = overlay.simNodeId === id;
  const onPath = overlay.simPath.has(id);
  const stats = overlay.analytics ? (overlay.analytics[id] ?? { reached: 0, stopped: 0 }) : null;
  const name = typeof data.name === "string" ? data.name.trim() : "";

  return (
    <div
      data-testid="flow-node"
      data-node-type={type}
      data-problem={problem ?? undefined}
      data-current={isCurrent ? "true" : undefined}
      className={cx(
        "group/node relative w-[264px] rounded-xl border bg-white text-xs text-zinc-700 shadow-sm transition-shadow",
        selected ? "border-brand-600 ring-2 ring-brand-600/25" : "border-zinc-200 hover:shadow-md",
        problem === "error" && "!border-red-500 ring-[3px] !ring-red-500/40",
        problem === "incomplete" && !selected && "!border-orange-400 ring-2 !ring-orange-400/40",
        problem === "warning" && !selected && "!border-amber-400 ring-2 !ring-amber-400/40",
        isCurrent && "flow-node-current !border-sky-500 ring-4 !ring-sky-400/40",
        !isCurrent && onPath && !problem && "!border-sky-300",
      )}
    >
      {hasTargetHandle(type) ? (
        <Handle type="target" position={Position.Top} className="flow-handle flow-handle-target" />
      ) : null}

      {stats ? (
        <div
          data-testid="node-analytics"
          className="absolute -top-3 right-3 flex items-center gap-2 rounded-full bg-zinc-900 px-2 py-0.5 text-[11px] font-medium text-white shadow"
        >
          <span className="flex items-center gap-1" title={t("flows.analytics.reached")}>
            <Eye className="size-3" aria-hidden />
            {stats.reached}
          </span>
          <span className="flex items-center gap-1 text-amber-300" title={t("flows.analytics.stopped")}>
            <Flag className="size-3" aria-hidden />
            {stats.stopped}
          </span>
        </div>
      ) : null}

      <div className="flex items-center gap-2.5 px-3 pt-2.5 pb-2">
        <span className={cx("flex size-7 shrink-0 items-center justify-center rounded-lg ring-1 ring-inset", style.tile)}>
          <Icon className="size-4" aria-hidden />
        </span>
        <div className="min-w-0 flex-1">
          <p className="truncate text-[13px] leading-tight font-semibold text-zinc-900">{name || typeLabel}</p>
          {name ? <p className="truncate text-[11px] leading-tight text-zinc-500">{typeLabel}</p> : null}
        </div>
        {issueLevel === "error" || issueLevel === "warning" ? (
          <span
            data-testid="node-issues"
            title={t("flows.inspector.issues", { count: issues.length })}
            className={issueLevel === "error" ? "text-red-600" : "text-amber-500"}
          >
            <AlertCircle className="size-4" aria-hidden />
          </span>
        ) : null}
      </div>

      <div className="px-3 pb-2.5 leading-snug">
        <NodePreview type={type} data={data} />
      </div>

      {named ? (
        <ul className="border-t border-zinc-100 py-1">
          {handles.map((handle, index) => (
            <li
              key={handle.id ?? "default"}
              data-testid="node-exit"
              data-handle={handle.id ?? "default"}
              className="relative flex items-center justify-end gap-1.5 py-1 pr-4 pl-3"
            >
              <span
                className={cx(
                  "truncate text-[11px]",
                  handle.kind === "option" ? "font-medium text-zinc-800" : "text-zinc-500",
                )}
              >
                {handleLabel(handle, type, index)}
              </span>
              <span className={cx("size-1.5 shrink-0 rounded-full", EXIT_DOT[handle.kind])} aria-hidden />
              <Handle
                type="source"
                position={Position.Right}
                id={handle.id ?? undefined}
                className={cx("flow-handle", `flow-handle-${handle.kind}`)}
              />
            </li>
          ))}
        </ul>
      ) : handles.length === 1 ? (
        <Handle type="source" position={Position.Bottom} className="flow-handle flow-handle-default" />
      ) : null}
    </div>
  );
}

export const FlowNodeCard = memo(FlowNodeCardImpl);
