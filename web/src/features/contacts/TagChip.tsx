import type { ReactNode } from "react";
import { X } from "lucide-react";
import { cx } from "../../lib/format";

/** A tag as a small chip, tinted by the tag's color when it has one. */
export function TagChip({
  name,
  color,
  onRemove,
  removeLabel,
  className,
}: {
  name: string;
  color?: string | null;
  onRemove?: () => void;
  removeLabel?: string;
  className?: string;
}) {
  return (
    <span
      data-testid="tag-chip"
      data-tag={name}
      className={cx(
        "inline-flex max-w-[8rem] items-center gap-1 rounded-md bg-zinc-100 px-1.5 py-0.5 text-xs font-medium text-zinc-700 ring-1 ring-zinc-500/15 ring-inset",
        className,
      )}
    >
      <span
        aria-hidden
        className="size-2 shrink-0 rounded-full"
        style={{ backgroundColor: color ?? "#a1a1aa" }}
      />
      <span className="truncate">{name}</span>
      {onRemove ? (
        <button
          type="button"
          onClick={onRemove}
          aria-label={removeLabel}
          data-testid="tag-chip-remove"
          className="-mr-0.5 rounded p-0.5 text-zinc-400 hover:bg-zinc-200 hover:text-zinc-700"
        >
          <X className="size-3" aria-hidden />
        </button>
      ) : null}
    </span>
  );
}

/** Chips that fit one table row: the first few, then "+N". */
export function TagChips({
  tags,
  colors,
  max = 3,
}: {
  tags: string[];
  colors: Map<string, string | null>;
  max?: number;
}): ReactNode {
  if (tags.length === 0) return <span className="text-xs text-zinc-300">—</span>;
  return (
    <span className="flex min-w-0 items-center gap-1 overflow-hidden">
      {tags.slice(0, max).map((tag) => (
        <TagChip key={tag} name={tag} color={colors.get(tag)} />
      ))}
      {tags.length > max ? (
        <span className="shrink-0 text-xs text-zinc-400" title={tags.slice(max).join(", ")}>
          +{tags.length - max}
        </span>
      ) : null}
    </span>
  );
}
