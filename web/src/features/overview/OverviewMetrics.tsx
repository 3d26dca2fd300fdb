import { useState } from "react";
import { Link } from "react-router";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { BarChart3, MessageSquare, Workflow } from "lucide-react";
import type { Overview, OverviewPeriod } from "../../api/types";
import { Card, CardHeader } from "../../components/Card";
import { Spinner } from "../../components/Spinner";
import { cx } from "../../lib/format";
import { PERIODS, overviewApi, overviewKeys } from "./api";
import { DropOffChart, FunnelChart, VolumeChart, formatNumber, formatRate } from "./charts";

/** KPI cards and charts for a chosen period (docs/api.md#overview). */
export function OverviewMetrics() {
  const { t } = useTranslation();
  const [days, setDays] = useState<OverviewPeriod>(7);
  const [flowId, setFlowId] = useState<string | null>(null);
  const query = useQuery({
    queryKey: overviewKeys.overview(days, flowId),
    queryFn: () => overviewApi.get(days, flowId),
    placeholderData: keepPreviousData,
  });

  return (
    <section aria-labelledby="metrics-title" className="space-y-5" data-testid="overview-metrics">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="metrics-title" className="text-base font-semibold text-zinc-900">
          {t("overview.metrics.title")}
        </h2>
        <div
          role="radiogroup"
          aria-label={t("overview.metrics.period")}
          className="inline-flex rounded-lg bg-zinc-100 p-0.5 text-sm"
        >
          {PERIODS.map((p) => (
            <button
              key={p}
              type="button"
              role="radio"
              aria-checked={p === days}
              data-testid={`period-${p}`}
              onClick={() => setDays(p)}
              className={cx(
                "rounded-md px-3 py-1 font-medium transition-colors",
                p === days ? "bg-white text-zinc-900 shadow-xs" : "text-zinc-500 hover:text-zinc-800",
              )}
            >
              {t("overview.metrics.days", { count: p })}
            </button>
          ))}
        </div>
      </div>
      {query.isPending ? (
        <div className="flex justify-center py-16">
          <Spinner />
        </div>
      ) : query.isError ? (
        <Card className="px-5 py-8 text-center text-sm text-rose-700" role="alert">
          {t("overview.metrics.error")}
        </Card>
      ) : (
        <MetricsBody data={query.data} onPickFlow={setFlowId} />
      )}
    </section>
  );
}

function MetricsBody({ data, onPickFlow }: { data: Overview; onPickFlow: (id: string) => void }) {
  const { t } = useTranslation();
  const k = data.kpis;
  const hasMessages = data.messages_per_day.some((d) => d.sent + d.received > 0);
  const outbound = data.funnel.sent + data.funnel.failed;
  return (
    <>
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-3" data-testid="kpis">
        <Kpi id="contacts" label={t("overview.kpi.contacts")} value={formatNumber(k.contacts_total)}
          hint={t("overview.kpi.contactsNew", { count: k.contacts_new })} />
        <Kpi id="conversations" label={t("overview.kpi.conversations")} value={formatNumber(k.conversations_open)}
          hint={t("overview.kpi.conversationsHint")} />
        <Kpi id="messages" label={t("overview.kpi.messages")}
          value={`${formatNumber(k.messages_sent)} / ${formatNumber(k.messages_received)}`}
          hint={t("overview.kpi.messagesHint")} />
        <Kpi id="delivery" label={t("overview.kpi.delivery")} value={formatRate(k.delivery_rate)}
          hint={t("overview.kpi.deliveryHint")} />
        <Kpi id="read" label={t("overview.kpi.read")} value={formatRate(k.read_rate)}
          hint={t("overview.kpi.readHint")} />
        <Kpi id="completion" label={t("overview.kpi.completion")} value={formatRate(k.flow_completion_rate)}
          hint={t("overview.kpi.completionHint", { completed: k.flow_sessions_completed, started: k.flow_sessions_started })} />
      </div>

      <Card>
        <CardHeader title={t("overview.volume.title")} description={t("overview.volume.description", { zone: data.timezone })} />
        <div className="px-5 py-4">
          {hasMessages ? (
            <VolumeChart days={data.messages_per_day} />
          ) : (
            <Empty icon={MessageSquare} text={t("overview.volume.empty")} testId="volume-empty" />
          )}
        </div>
      </Card>

      <div className="grid gap-5 lg:grid-cols-2">
        <Card>
          <CardHeader title={t("overview.funnel.title")} description={t("overview.funnel.description")} />
          <div className="px-5 py-4">
            {outbound > 0 ? (
              <FunnelChart funnel={data.funnel} />
            ) : (
              <Empty icon={BarChart3} text={t("overview.funnel.empty")} testId="funnel-empty" />
            )}
          </div>
        </Card>
        <Card>
          <CardHeader
            title={t("overview.dropOff.title")}
            description={data.drop_off ? t("overview.dropOff.description", { flow: data.drop_off.flow_name, count: data.drop_off.sessions }) : undefined}
          />
          <div className="px-5 py-4">
            {data.drop_off && data.drop_off.nodes.length > 0 ? (
              <DropOffChart dropOff={data.drop_off} />
            ) : (
              <Empty icon={Workflow} text={t("overview.dropOff.empty")} testId="dropoff-empty" />
            )}
          </div>
        </Card>
      </div>

      <Card>
        <CardHeader title={t("overview.topFlows.title")} description={t("overview.topFlows.description")} />
        {data.top_flows.length > 0 ? (
          <div className="overflow-x-auto">
            <table className="w-full text-sm" data-testid="top-flows">
              <thead>
                <tr className="border-b border-zinc-100 text-left text-xs font-medium tracking-wide text-zinc-500 uppercase">
                  <th className="px-5 py-2.5">{t("overview.topFlows.flow")}</th>
                  <th className="px-5 py-2.5 text-right">{t("overview.topFlows.started")}</th>
                  <th className="px-5 py-2.5 text-right">{t("overview.topFlows.completed")}</th>
                  <th className="px-5 py-2.5 text-right">{t("overview.topFlows.rate")}</th>
                  <th className="px-5 py-2.5"><span className="sr-only">{t("overview.topFlows.actions")}</span></th>
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-100">
                {data.top_flows.map((f) => (
                  <tr key={f.id} data-testid="top-flow-row">
                    <td className="px-5 py-3 font-medium text-zinc-900">
                      <Link to={`/flows/${f.id}`} className="hover:text-brand-700 hover:underline">{f.name}</Link>
                    </td>
                    <td className="px-5 py-3 text-right tabular-nums">{formatNumber(f.started)}</td>
                    <td className="px-5 py-3 text-right tabular-nums">{formatNumber(f.completed)}</td>
                    <td className="px-5 py-3 text-right tabular-nums">
                      <span className="inline-flex items-center gap-2">
                        <span className="hidden h-1.5 w-16 overflow-hidden rounded-full bg-zinc-100 sm:inline-block">
                          <span className="block h-full rounded-full bg-brand-600" style={{ width: `${f.completion_rate * 100}%` }} />
                        </span>
                        {formatRate(f.completion_rate)}
                      </span>
                    </td>
                    <td className="px-5 py-3 text-right">
                      <button
                        type="button"
                        onClick={() => onPickFlow(f.id)}
                        className="text-xs font-medium text-zinc-500 hover:text-brand-700"
                        aria-pressed={data.drop_off?.flow_id === f.id}
                      >
                        {t("overview.topFlows.showDropOff")}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <div className="px-5 py-4">
            <Empty icon={Workflow} text={t("overview.topFlows.empty")} testId="top-flows-empty" />
          </div>
        )}
      </Card>
    </>
  );
}

function Kpi({ id, label, value, hint }: { id: string; label: string; value: string; hint: string }) {
  return (
    <Card className="px-4 py-3.5" data-testid={`kpi-${id}`}>
      <p className="text-xs font-medium text-zinc-500">{label}</p>
      <p className="mt-1 text-2xl font-semibold tracking-tight text-zinc-900 tabular-nums" data-testid="kpi-value">
        {value}
      </p>
      <p className="mt-0.5 truncate text-xs text-zinc-400">{hint}</p>
    </Card>
  );
}

function Empty({ icon: Icon, text, testId }: { icon: typeof Workflow; text: string; testId: string }) {
  return (
    <div className="flex flex-col items-center gap-2 py-10 text-center text-sm text-zinc-500" data-testid={testId}>
      <Icon className="size-6 text-zinc-300" aria-hidden />
      {text}
    </div>
  );
}
