import type { HTMLAttributes } from "react";
import { cx } from "../lib/format";

export type Tone = "green" | "red" | "amber" | "zinc" | "blue";

const tones: Record<Tone, string> = {
  green: "bg-brand-50 text-brand-700 ring-brand-600/20",
  red: "bg-red-50 text-red-700 ring-red-600/20",
  amber: "bg-amber-50 text-amber-800 ring-amber-600/20",
  zinc: "bg-zinc-100 text-zinc-700 ring-zinc-500/20",
  blue: "bg-sky-50 text-sky-700 ring-sky-600/20",
};

const dots: Record<Tone, string> = {
  green: "bg-brand-600",
  red: "bg-red-600",
  amber: "bg-amber-500",
  zinc: "bg-zinc-400",
  blue: "bg-sky-500",
};

export function Badge({
  tone = "zinc",
  dot = false,
  className,
  children,
  ...rest
}: HTMLAttributes<HTMLSpanElement> & { tone?: Tone; dot?: boolean }) {
  return (
    <span
      className={cx(
        "inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset whitespace-nowrap",
        tones[tone],
        className,
      )}
      {...rest}
    >
      {dot ? <span className={cx("size-1.5 rounded-full", dots[tone])} aria-hidden /> : null}
      {children}
    </span>
  );
}
