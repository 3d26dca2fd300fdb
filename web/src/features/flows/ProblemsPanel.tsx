import { useTranslation } from "react-i18next";
import { AlertCircle, AlertTriangle, CheckCircle2, CircleDashed, Info, X } from "lucide-react";
import { cx } from "../../lib/format";
import { specOf } from "./catalog";
import type { FlowNode, Problem } from "./types";

/** Where a list of problems came from; `draft` = the warnings of the last autosave. */
export type ProblemsSource = "validate" | "publish" | "save" | "draft" | "simulate";

export function SeverityIcon({ severity, className }: { severity: Problem["severity"]; className?: string }) {
  const { t } = useTranslation();
  const label = t(`flows.problems.severity.${severity}`);
  if (severity === "error")
    return <AlertCircle role="img" aria-label={label} className={cx("size-4 shrink-0 text-red-600", className)} />;
  if (severity === "incomplete")
    return <CircleDashed role="img" aria-label={label} className={cx("size-4 shrink-0 text-orange-500", className)} />;
  if (severity === "warning")
    return <AlertTriangle role="img" aria-label={label} className={cx("size-4 shrink-0 text-amber-500", className)} />;
  return <Info role="img" aria-label={label} className={cx("size-4 shrink-0 text-sky-600", className)} />;
}

export function ProblemsPanel({
  problems,
  source,
  nodes,
  onSelect,
  onClose,
}: {
  problems: Problem[];
  source: ProblemsSource;
  nodes: FlowNode[];
  onSelect: (nodeId: string) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const errors = problems.filter((p) => p.severity === "error").length;
  const incomplete = problems.filter((p) => p.severity === "incomplete").length;
  const warnings = problems.filter((p) => p.severity === "warning").length;
  const byId = new Map(nodes.map((n) => [n.id, n]));

  return (
    <section
      data-testid="problems-panel"
      aria-label={t("flows.problems.title")}
      className="flex max-h-64 shrink-0 flex-col border-t border-zinc-200 bg-white"
    >
      <div className="flex items-center gap-3 border-b border-zinc-100 px-4 py-2">
        <h2 className="text-sm font-semibold text-zinc-900">{t("flows.problems.title")}</h2>
        <span className="text-xs text-zinc-500">{t(`flows.problems.source.${source}`)}</span>
        <span className="flex items-center gap-1 text-xs text-red-700" data-testid="problems-errors">
          <AlertCircle className="size-3.5" aria-hidden />
          {t("flows.problems.errors", { count: errors })}
        </span>
        <span className="flex items-center gap-1 text-xs text-orange-700" data-testid="problems-incomplete" title={t("flows.problems.incompleteHint")}>
          <CircleDashed className="size-3.5" aria-hidden />
          {t("flows.problems.incomplete", { count: incomplete })}
        </span>
        <span className="flex items-center gap-1 text-xs text-amber-700" data-testid="problems-warnings">
          <AlertTriangle className="size-3.5" aria-hidden />
          {t("flows.problems.warnings", { count: warnings })}
        </span>
        <span className="flex-1" />
        <button
          type="button"
          onClick={onClose}
          data-testid="problems-close"
          aria-label={t("flows.problems.close")}
          title={t("flows.problems.close")}
          className="rounded-md p-1 text-zinc-400 hover:bg-zinc-100 hover:text-zinc-700"
        >
          <X className="size-4" aria-hidden />
        </button>
      </div>
      {problems.length === 0 ? (
        <p className="flex items-center gap-2 px-4 py-3 text-sm text-brand-700" data-testid="problems-none">
          <CheckCircle2 className="size-4" aria-hidden />
          {t("flows.problems.none")}
        </p>
      ) : (
        <ul className="min-h-0 flex-1 divide-y divide-zinc-100 overflow-y-auto">
          {problems.map((problem, i) => {
            const node = problem.node ? byId.get(problem.node) : undefined;
            const spec = node ? specOf(node.type) : null;
            const nodeName = node
              ? (typeof node.data.name === "string" && node.data.name.trim()) ||
                (spec ? t(`flows.nodes.${spec.type}.label`) : node.type)
              : problem.node
                ? problem.node
                : t("flows.problems.flowLevel");
            const clickable = !!node;
            return (
              <li key={i}>
                <button
                  type="button"
                  data-testid="problem-item"
                  data-node={problem.node ?? ""}
                  data-severity={problem.severity}
                  disabled={!clickable}
                  onClick={() => node && onSelect(node.id)}
                  className={cx(
                    "flex w-full items-start gap-2.5 px-4 py-2 text-left text-sm",
                    clickable ? "hover:bg-zinc-50" : "cursor-default",
                  )}
                >
                  <SeverityIcon severity={problem.severity} className="mt-0.5" />
                  <span className="min-w-0 flex-1">
                    <span className="text-zinc-800">{problem.message}</span>
                    <span className="mt-0.5 flex flex-wrap items-center gap-x-2 text-xs text-zinc-500">
                      <span className="font-medium text-zinc-600">{nodeName}</span>
                      {problem.node ? <code className="font-mono text-[11px]">{problem.node}</code> : null}
                      {problem.field ? <code className="rounded bg-zinc-100 px-1 font-mono text-[11px]">{problem.field}</code> : null}
                    </span>
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
