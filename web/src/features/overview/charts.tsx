/**
 * Hand-made SVG and CSS charts for the Overview: few enough shapes that a chart library would
 * weigh more than it gives, and they follow the dashboard's own colours and type.
 */
import { useTranslation } from "react-i18next";
import type { DeliveryFunnel, FlowDropOff, OverviewDay } from "../../api/types";
import i18n from "../../i18n";
import { cx } from "../../lib/format";

const W = 720;
const H = 240;
const PAD = { top: 12, right: 8, bottom: 28, left: 40 };

export function formatNumber(value: number): string {
  return new Intl.NumberFormat(i18n.resolvedLanguage ?? "en").format(value);
}

export function formatRate(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return new Intl.NumberFormat(i18n.resolvedLanguage ?? "en", {
    style: "percent",
    maximumFractionDigits: 1,
  }).format(value);
}

/** A round axis maximum (1, 2, 5 × 10ⁿ) at or above the largest value. */
export function niceMax(value: number): number {
  if (value <= 4) return 4;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * power >= value) return step * power;
  }
  return 10 * power;
}

function shortDay(iso: string): string {
  // A calendar day, not an instant: format it at noon UTC so no zone moves it.
  const date = new Date(`${iso}T12:00:00Z`);
  return new Intl.DateTimeFormat(i18n.resolvedLanguage ?? "en", {
    day: "numeric",
    month: "short",
    timeZone: "UTC",
  }).format(date);
}

export function VolumeChart({ days }: { days: OverviewDay[] }) {
  const { t } = useTranslation();
  const max = niceMax(Math.max(0, ...days.map((d) => Math.max(d.sent, d.received))));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(days.length, 1);
  const barW = Math.max(1.5, Math.min(14, (slot - 4) / 2));
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const labelEvery = Math.ceil(days.length / 8);
  // Whole-number gridlines only: 10 gets 0, 5, 10 rather than 2.5 and 7.5.
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => max * f).filter((v) => Number.isInteger(v));

  return (
    <div>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        className="h-auto w-full"
        role="img"
        aria-label={t("overview.volume.title")}
        data-testid="volume-chart"
      >
        {ticks.map((tick) => (
          <g key={tick}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(tick)} y2={y(tick)} className="stroke-zinc-100" />
            <text x={PAD.left - 8} y={y(tick) + 4} textAnchor="end" className="fill-zinc-400 text-[11px]">
              {formatNumber(tick)}
            </text>
          </g>
        ))}
        {days.map((d, i) => {
          const x = PAD.left + i * slot + slot / 2;
          return (
            <g key={d.date} data-testid="volume-day">
              <rect
                data-testid="volume-bar-sent"
                x={x - barW - 1}
                y={y(d.sent)}
                width={barW}
                height={Math.max(0, PAD.top + plotH - y(d.sent))}
                rx={Math.min(3, barW / 2)}
                className="fill-brand-600"
              >
                <title>{`${shortDay(d.date)} · ${t("overview.volume.sent")}: ${formatNumber(d.sent)}`}</title>
              </rect>
              <rect
                data-testid="volume-bar-received"
                x={x + 1}
                y={y(d.received)}
                width={barW}
                height={Math.max(0, PAD.top + plotH - y(d.received))}
                rx={Math.min(3, barW / 2)}
                className="fill-sky-400"
              >
                <title>{`${shortDay(d.date)} · ${t("overview.volume.received")}: ${formatNumber(d.received)}`}</title>
              </rect>
              {i % labelEvery === 0 ? (
                <text x={x} y={H - 8} textAnchor="middle" className="fill-zinc-500 text-[11px]">
                  {shortDay(d.date)}
                </text>
              ) : null}
            </g>
          );
        })}
        <line
          x1={PAD.left}
          x2={W - PAD.right}
          y1={PAD.top + plotH}
          y2={PAD.top + plotH}
          className="stroke-zinc-300"
        />
      </svg>
      <div className="mt-2 flex items-center justify-center gap-5 text-xs text-zinc-600">
        <Legend className="bg-brand-600" label={t("overview.volume.sent")} />
        <Legend className="bg-sky-400" label={t("overview.volume.received")} />
      </div>
    </div>
  );
}

function Legend({ className, label }: { className: string; label: string }) {
  return (
    <span className="inline-flex items-center gap-1.5">
      <span className={cx("size-2.5 rounded-sm", className)} aria-hidden />
      {label}
    </span>
  );
}

function Bar({
  label,
  value,
  max,
  detail,
  className,
  testId,
}: {
  label: string;
  value: number;
  max: number;
  detail?: string;
  className: string;
  testId: string;
}) {
  const width = max > 0 ? Math.max(value > 0 ? 1.5 : 0, (value / max) * 100) : 0;
  return (
    <li data-testid={testId}>
      <div className="mb-1 flex items-baseline justify-between gap-3 text-sm">
        <span className="truncate font-medium text-zinc-700">{label}</span>
        <span className="shrink-0 tabular-nums text-zinc-900">
          {formatNumber(value)}
          {detail ? <span className="ml-1.5 text-xs text-zinc-400">{detail}</span> : null}
        </span>
      </div>
      <div className="h-2.5 overflow-hidden rounded-full bg-zinc-100">
        <div className={cx("h-full rounded-full", className)} style={{ width: `${width}%` }} data-testid="bar-fill" />
      </div>
    </li>
  );
}

export function FunnelChart({ funnel }: { funnel: DeliveryFunnel }) {
  const { t } = useTranslation();
  const total = funnel.sent + funnel.failed;
  const share = (v: number) => (total ? formatRate(v / total) : undefined);
  const steps = [
    { key: "sent", value: funnel.sent, className: "bg-emerald-300" },
    { key: "delivered", value: funnel.delivered, className: "bg-emerald-500" },
    { key: "read", value: funnel.read, className: "bg-brand-700" },
    { key: "failed", value: funnel.failed, className: "bg-rose-400" },
  ] as const;
  return (
    <ul className="space-y-4" data-testid="funnel-chart">
      {steps.map((s) => (
        <Bar
          key={s.key}
          testId={`funnel-${s.key}`}
          label={t(`overview.funnel.${s.key}`)}
          value={s.value}
          max={total}
          detail={share(s.value)}
          className={s.className}
        />
      ))}
    </ul>
  );
}

export function DropOffChart({ dropOff }: { dropOff: FlowDropOff }) {
  const { t } = useTranslation();
  const max = Math.max(dropOff.sessions, ...dropOff.nodes.map((n) => n.reached));
  return (
    <ul className="space-y-4" data-testid="dropoff-chart">
      {dropOff.nodes.map((node) => (
        <Bar
          key={node.node_id}
          testId="dropoff-node"
          label={node.label}
          value={node.reached}
          max={max}
          detail={node.stopped ? t("overview.dropOff.stopped", { count: node.stopped }) : undefined}
          className="bg-violet-500"
        />
      ))}
    </ul>
  );
}
