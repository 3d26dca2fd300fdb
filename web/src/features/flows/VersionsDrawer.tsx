import { useEffect, useMemo, useState } from "react";
import { createPortal } from "react-dom";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Background, BackgroundVariant, Controls, ReactFlow, ReactFlowProvider } from "@xyflow/react";
import { Eye, History, RotateCcw, X } from "lucide-react";
import { Badge } from "../../components/Badge";
import { Button } from "../../components/Button";
import { ConfirmDialog } from "../../components/Dialog";
import { FormError } from "../../components/FormError";
import { Spinner } from "../../components/Spinner";
import { useErrorMessage } from "../../lib/errors";
import { formatDateTime } from "../../lib/format";
import { flowKeys, flowsApi } from "./api";
import { decorateEdges, nodeTypes } from "./canvas";
import { FitOnInit } from "./FitOnInit";
import { fromDefinition } from "./graph";
import type { FlowVersion } from "./types";

export function VersionsDrawer({
  flowId,
  publishedVersion,
  onClose,
  onRolledBack,
}: {
  flowId: string;
  publishedVersion: number | null;
  onClose: () => void;
  onRolledBack: (version: number) => Promise<void> | void;
}) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const versions = useQuery({ queryKey: flowKeys.versions(flowId), queryFn: () => flowsApi.versions(flowId), staleTime: 0 });
  const [viewing, setViewing] = useState<number | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);

  const rollback = useMutation({
    mutationFn: (version: number) => flowsApi.rollback(flowId, version),
    onSuccess: async (_data, version) => {
      setConfirming(null);
      setViewing(null);
      await onRolledBack(version);
      void versions.refetch();
    },
    onError: () => setConfirming(null),
  });

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape" && viewing === null && confirming === null) onClose();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [onClose, viewing, confirming]);

  const isLive = (v: FlowVersion) => v.is_live || (publishedVersion !== null && v.version === publishedVersion);

  return createPortal(
    <div className="fixed inset-0 z-40 flex justify-end">
      <div className="absolute inset-0 bg-zinc-900/20" onClick={onClose} aria-hidden />
      <aside
        role="dialog"
        aria-modal="true"
        aria-labelledby="versions-title"
        data-testid="versions-drawer"
        className="relative flex h-full w-full max-w-sm flex-col border-l border-zinc-200 bg-white shadow-xl"
      >
        <div className="flex items-center gap-2 border-b border-zinc-100 px-4 py-3">
          <History className="size-4 text-zinc-500" aria-hidden />
          <h2 id="versions-title" className="flex-1 text-sm font-semibold text-zinc-900">
            {t("flows.versions.title")}
          </h2>
          <button
            type="button"
            onClick={onClose}
            data-testid="versions-close"
            aria-label={t("flows.versions.close")}
            className="rounded-md p-1 text-zinc-400 hover:bg-zinc-100 hover:text-zinc-700"
          >
            <X className="size-4" aria-hidden />
          </button>
        </div>
        <div className="min-h-0 flex-1 overflow-y-auto p-3">
          {rollback.isError ? <FormError message={describe(rollback.error)} /> : null}
          {versions.isPending ? (
            <div className="flex justify-center py-10 text-zinc-400">
              <Spinner label={t("common.loading")} />
            </div>
          ) : versions.isError ? (
            <FormError message={describe(versions.error)} />
          ) : versions.data.length === 0 ? (
            <p className="px-2 py-8 text-center text-sm text-zinc-500" data-testid="versions-empty">
              {t("flows.versions.empty")}
            </p>
          ) : (
            <ol className="space-y-2">
              {versions.data.map((v) => (
                <li
                  key={v.version}
                  data-testid="version-item"
                  data-version={v.version}
                  className="rounded-lg border border-zinc-200 px-3 py-2.5"
                >
                  <div className="flex items-center gap-2">
                    <span className="text-sm font-semibold text-zinc-900">{t("flows.versions.version", { version: v.version })}</span>
                    {isLive(v) ? (
                      <Badge tone="green" dot>
                        {t("flows.versions.live")}
                      </Badge>
                    ) : null}
                  </div>
                  <p className="mt-0.5 text-xs text-zinc-500">
                    {v.created_at ? formatDateTime(v.created_at) : "—"}
                  </p>
                  <div className="mt-2 flex gap-1.5">
                    <Button size="sm" icon={<Eye className="size-3.5" aria-hidden />} data-testid="version-view" onClick={() => setViewing(v.version)}>
                      {t("flows.versions.view")}
                    </Button>
                    {!isLive(v) ? (
                      <Button
                        size="sm"
                        variant="ghost"
                        icon={<RotateCcw className="size-3.5" aria-hidden />}
                        data-testid="version-rollback"
                        onClick={() => setConfirming(v.version)}
                      >
                        {t("flows.versions.rollback")}
                      </Button>
                    ) : null}
                  </div>
                </li>
              ))}
            </ol>
          )}
        </div>
      </aside>
      {viewing !== null ? (
        <VersionPreview
          flowId={flowId}
          version={viewing}
          live={publishedVersion === viewing}
          onClose={() => setViewing(null)}
          onRollback={() => setConfirming(viewing)}
        />
      ) : null}
      <ConfirmDialog
        open={confirming !== null}
        danger={false}
        title={t("flows.versions.rollbackTitle", { version: confirming ?? 0 })}
        description={t("flows.versions.rollbackBody", { version: confirming ?? 0 })}
        confirmLabel={t("flows.versions.rollback")}
        loading={rollback.isPending}
        onConfirm={() => confirming !== null && rollback.mutate(confirming)}
        onCancel={() => setConfirming(null)}
      />
    </div>,
    document.body,
  );
}

function VersionPreview({
  flowId,
  version,
  live,
  onClose,
  onRollback,
}: {
  flowId: string;
  version: number;
  live: boolean;
  onClose: () => void;
  onRollback: () => void;
}) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const query = useQuery({ queryKey: flowKeys.version(flowId, version), queryFn: () => flowsApi.version(flowId, version) });
  const graph = useMemo(() => (query.data?.definition ? fromDefinition(query.data.definition) : null), [query.data]);
  const edges = useMemo(() => (graph ? decorateEdges(graph.edges) : []), [graph]);

  return (
    <div className="fixed inset-0 z-50 flex items-center justify-center p-6">
      <div className="absolute inset-0 bg-zinc-900/40" onClick={onClose} aria-hidden />
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby="version-preview-title"
        data-testid="version-preview"
        className="relative flex h-full max-h-[52rem] w-full max-w-6xl flex-col overflow-hidden rounded-xl border border-zinc-200 bg-white shadow-2xl"
      >
        <div className="flex items-center gap-2 border-b border-zinc-100 px-4 py-3">
          <h2 id="version-preview-title" className="text-sm font-semibold text-zinc-900">
            {t("flows.versions.version", { version })}
          </h2>
          {live ? (
            <Badge tone="green" dot>
              {t("flows.versions.live")}
            </Badge>
          ) : null}
          <span className="text-xs text-zinc-500">{t("flows.versions.readOnly")}</span>
          <span className="flex-1" />
          {!live ? (
            <Button size="sm" icon={<RotateCcw className="size-3.5" aria-hidden />} onClick={onRollback}>
              {t("flows.versions.rollback")}
            </Button>
          ) : null}
          <button
            type="button"
            onClick={onClose}
            aria-label={t("flows.versions.close")}
            className="rounded-md p-1 text-zinc-400 hover:bg-zinc-100 hover:text-zinc-700"
          >
            <X className="size-4" aria-hidden />
          </button>
        </div>
        <div className="relative min-h-0 flex-1 bg-zinc-50">
          {query.isPending ? (
            <div className="flex h-full items-center justify-center text-zinc-400">
              <Spinner label={t("common.loading")} />
            </div>
          ) : query.isError ? (
            <div className="p-4">
              <FormError message={describe(query.error)} />
            </div>
          ) : graph ? (
            <ReactFlowProvider>
              {/* Uncontrolled: React Flow keeps the measured sizes itself (needed to fit the view). */}
              <ReactFlow
                defaultNodes={graph.nodes}
                defaultEdges={edges}
                nodeTypes={nodeTypes}
                nodesDraggable={false}
                nodesConnectable={false}
                elementsSelectable={false}
                minZoom={0.1}
                proOptions={{ hideAttribution: true }}
              >
                <Background variant={BackgroundVariant.Dots} gap={16} size={1} color="#d4d4d8" />
                <Controls showInteractive={false} />
                <FitOnInit />
              </ReactFlow>
            </ReactFlowProvider>
          ) : null}
        </div>
      </div>
    </div>
  );
}
