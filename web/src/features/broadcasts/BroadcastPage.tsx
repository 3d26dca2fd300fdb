/**
 * /broadcasts/:broadcastId: a broadcast's live progress (bar, current rate, ETA), its funnel,
 * why it is paused, pause/resume/cancel (admins), and every recipient with its error reason.
 * A draft shows what it would send, with launch and delete.
 */
import { useCallback, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { AlertTriangle, ArrowLeft, Ban, Pause, Pencil, Play, Rocket, Trash2 } from "lucide-react";
import type { Broadcast } from "../../api/types";
import { Badge } from "../../components/Badge";
import { Button, buttonClasses } from "../../components/Button";
import { Card, PageHeader } from "../../components/Card";
import { ConfirmDialog } from "../../components/Dialog";
import { FormError } from "../../components/FormError";
import { PageSpinner } from "../../components/Spinner";
import { useToast } from "../../components/Toast";
import { useErrorMessage } from "../../lib/errors";
import { formatDateTime } from "../../lib/format";
import { canManage, useSession } from "../auth/session";
import { broadcastKeys, broadcastsApi } from "./api";
import { AudienceSummary, ContentSummary } from "./Summaries";
import { canCancel, canPause, canResume, formatEta, isActive, percent, statusTone } from "./model";
import { ProgressBar } from "./ProgressBar";
import { RecipientsTable } from "./RecipientsTable";
import { useBroadcastLive } from "./useBroadcastLive";

const FUNNEL = ["sent", "delivered", "read", "replied", "failed", "skipped"] as const;

export function BroadcastPage() {
  const { broadcastId = "" } = useParams();
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const toast = useToast();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const admin = canManage(useSession().role);
  const [confirm, setConfirm] = useState<"cancel" | "delete" | null>(null);

  const refresh = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: broadcastKeys.one(broadcastId) });
    void queryClient.invalidateQueries({ queryKey: ["broadcasts", "recipients", broadcastId] });
  }, [queryClient, broadcastId]);
  const live = useBroadcastLive({
    onChange: useCallback((ids: string[]) => (ids.length === 0 || ids.includes(broadcastId) ? refresh() : undefined), [broadcastId, refresh]),
  });
  const query = useQuery({
    queryKey: broadcastKeys.one(broadcastId),
    queryFn: () => broadcastsApi.get(broadcastId),
    refetchInterval: (q) => (q.state.data && isActive(q.state.data.status) ? live.pollMs : false),
  });
  const b = query.data;
  const active = b ? isActive(b.status) : false;

  const action = useMutation({
    mutationFn: async (kind: "pause" | "resume" | "cancel" | "launch" | "delete"): Promise<Broadcast | null> => {
      if (kind === "delete") {
        await broadcastsApi.remove(broadcastId);
        return null;
      }
      return broadcastsApi[kind](broadcastId);
    },
    onSuccess: (data, kind) => {
      setConfirm(null);
      void queryClient.invalidateQueries({ queryKey: broadcastKeys.list });
      if (kind === "delete") {
        toast.success(t("broadcasts.deleted"));
        void navigate("/broadcasts");
        return;
      }
      if (data) queryClient.setQueryData(broadcastKeys.one(broadcastId), data);
      refresh();
    },
    onError: (error) => {
      setConfirm(null);
      toast.error(describe(error));
    },
  });

  if (query.isPending) return <PageSpinner label={t("common.loading")} />;
  if (query.isError || !b) return <FormError message={describe(query.error)} />;

  const busy = action.isPending ? action.variables : null;
  const actions = admin ? (
    <>
      {b.status === "draft" ? (
        <>
          <Button icon={<Trash2 className="size-4" aria-hidden />} onClick={() => setConfirm("delete")} data-testid="broadcast-delete">
            {t("common.delete")}
          </Button>
          <Link to={`/broadcasts/${b.id}/edit`} className={buttonClasses("secondary")} data-testid="broadcast-edit">
            <Pencil className="size-4" aria-hidden />
            {t("broadcasts.edit")}
          </Link>
          <Button variant="primary" icon={<Rocket className="size-4" aria-hidden />} loading={busy === "launch"} onClick={() => action.mutate("launch")} data-testid="broadcast-launch">
            {t("broadcasts.launchNow")}
          </Button>
        </>
      ) : null}
      {canPause(b.status) ? (
        <Button icon={<Pause className="size-4" aria-hidden />} loading={busy === "pause"} onClick={() => action.mutate("pause")} data-testid="broadcast-pause">
          {t("broadcasts.pause")}
        </Button>
      ) : null}
      {canResume(b.status) ? (
        <Button variant="primary" icon={<Play className="size-4" aria-hidden />} loading={busy === "resume"} onClick={() => action.mutate("resume")} data-testid="broadcast-resume">
          {t("broadcasts.resume")}
        </Button>
      ) : null}
      {canCancel(b.status) ? (
        <Button icon={<Ban className="size-4" aria-hidden />} onClick={() => setConfirm("cancel")} data-testid="broadcast-cancel">
          {t("broadcasts.cancel")}
        </Button>
      ) : null}
    </>
  ) : null;

  const value = percent(b.progress);
  const eta = formatEta(b.eta_seconds);
  return (
    <div className="space-y-4">
      <Link to="/broadcasts" className="inline-flex items-center gap-1 text-sm text-zinc-500 hover:text-zinc-800">
        <ArrowLeft className="size-4" aria-hidden />
        {t("nav.broadcasts")}
      </Link>
      <PageHeader
        title={
          <span className="flex items-center gap-3">
            <span data-testid="broadcast-title">{b.title || t("broadcasts.untitled")}</span>
            <Badge tone={statusTone(b.status)} dot data-testid="broadcast-status">
              {t(`broadcasts.status.${b.status}`, b.status)}
            </Badge>
          </span>
        }
        description={
          b.scheduled_at && b.status === "scheduled"
            ? t("broadcasts.scheduledFor", { at: formatDateTime(b.scheduled_at) })
            : b.started_at
              ? t("broadcasts.startedAt", { at: formatDateTime(b.started_at) })
              : t("broadcasts.createdAt", { at: formatDateTime(b.created_at) })
        }
        actions={actions}
      />
      {b.status === "paused" && b.paused_reason ? (
        <div role="alert" data-testid="broadcast-paused-reason" className="flex gap-2 rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden />
          <div>
            <p className="font-medium">{t("broadcasts.pausedTitle")}</p>
            <p>{b.paused_reason}</p>
          </div>
        </div>
      ) : null}
      {(b.warnings ?? []).map((w) => (
        <div key={w} data-testid="broadcast-warning" className="flex gap-2 rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden />
          {w}
        </div>
      ))}

      {b.status === "draft" ? (
        <Card className="grid gap-4 p-5 sm:grid-cols-2">
          <AudienceSummary audience={b.audience} />
          <ContentSummary content={b.content} />
        </Card>
      ) : (
        <Card className="space-y-4 p-5" data-testid="broadcast-live">
          <ProgressBar value={value} tone={b.status === "paused" ? "amber" : "brand"} />
          <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
            <Stat label={t("broadcasts.total")} value={b.total_recipients.toLocaleString()} testId="stat-total" />
            <Stat
              label={t("broadcasts.rate")}
              value={
                b.status === "running"
                  ? t("broadcasts.rateValue", { rate: b.current_rate.toFixed(1), limit: b.rate_per_second ?? "—" })
                  : "—"
              }
              testId="stat-rate"
            />
            <Stat label={t("broadcasts.eta")} value={active && eta ? eta : "—"} testId="stat-eta" />
            <Stat label={t("broadcasts.pending")} value={(b.counts.pending + b.counts.sending).toLocaleString()} testId="stat-pending" />
          </dl>
          <div className="grid grid-cols-3 gap-2 sm:grid-cols-6" data-testid="broadcast-funnel">
            {FUNNEL.map((key) => {
              const n = key === "skipped" ? b.counts.skipped : b.funnel[key];
              return (
                <div key={key} data-testid={`funnel-${key}`} className="rounded-lg bg-zinc-50 px-3 py-2">
                  <p className="text-xs text-zinc-500">{t(`broadcasts.funnel.${key}`)}</p>
                  <p className={`text-lg font-semibold tabular-nums ${key === "failed" && n > 0 ? "text-red-700" : "text-zinc-900"}`}>{n.toLocaleString()}</p>
                </div>
              );
            })}
          </div>
        </Card>
      )}

      {b.status !== "draft" ? (
        <Card>
          <RecipientsTable broadcastId={b.id} pollMs={active ? live.pollMs : false} />
        </Card>
      ) : null}

      <ConfirmDialog
        open={confirm !== null}
        title={confirm === "delete" ? t("broadcasts.confirmDelete") : t("broadcasts.confirmCancel")}
        description={confirm === "delete" ? t("broadcasts.confirmDeleteBody") : t("broadcasts.confirmCancelBody")}
        confirmLabel={confirm === "delete" ? t("common.delete") : t("broadcasts.cancel")}
        loading={action.isPending}
        onConfirm={() => confirm && action.mutate(confirm)}
        onCancel={() => setConfirm(null)}
      />
    </div>
  );
}

function Stat({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div>
      <dt className="text-xs text-zinc-500">{label}</dt>
      <dd className="font-medium text-zinc-900 tabular-nums" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}
