import { cx } from "../lib/format";

export function LogoMark({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" className={cx("size-7 shrink-0", className)} aria-hidden>
      <rect width="32" height="32" rx="8" fill="#16a34a" />
      <path d="M10 23V9h12v3.2h-8.3v2.6h7.2V18h-7.2v5z" fill="#fff" />
    </svg>
  );
}

export function Logo({ className }: { className?: string }) {
  return (
    <span className={cx("inline-flex items-center gap-2", className)}>
      <LogoMark />
      <span className="text-[15px] font-semibold tracking-tight text-zinc-900">Finnegans</span>
    </span>
  );
}
