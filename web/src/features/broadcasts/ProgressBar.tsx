import { cx } from "../../lib/format";

/** A horizontal bar with its percentage (role=progressbar, so tests and screen readers read it). */
export function ProgressBar({ value, compact = false, tone = "brand" }: { value: number; compact?: boolean; tone?: "brand" | "amber" }) {
  return (
    <div className="flex items-center gap-2">
      <div
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={value}
        data-testid="broadcast-progress"
        className={cx("w-full overflow-hidden rounded-full bg-zinc-100", compact ? "h-1.5" : "h-3")}
      >
        <div
          className={cx("h-full rounded-full transition-[width] duration-500", tone === "amber" ? "bg-amber-500" : "bg-brand-600")}
          style={{ width: `${value}%` }}
        />
      </div>
      <span className={cx("shrink-0 tabular-nums text-zinc-600", compact ? "w-9 text-xs" : "w-12 text-sm font-medium")}>
        {value}%
      </span>
    </div>
  );
}
