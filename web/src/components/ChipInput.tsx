import { useId, useState, type KeyboardEvent } from "react";
import { X } from "lucide-react";
import { cx } from "../lib/format";

interface ChipInputProps {
  values: string[];
  onChange: (next: string[]) => void;
  /** data-testid of the text box; chips get "<testId>-chip", their remove buttons "<testId>-remove". */
  testId: string;
  label: string;
  placeholder?: string;
  /** Offered while typing (a datalist), e.g. the workspace's existing tags. */
  suggestions?: string[];
  removeLabel: (value: string) => string;
  /** How values compare for duplicates (keywords ignore case; tags do not). */
  same?: (a: string, b: string) => boolean;
  /** Read-only: the chips show, nothing can be added or removed. */
  disabled?: boolean;
  /** Set by <Field> (like id and aria-describedby) when the server refused the value. */
  "aria-invalid"?: boolean;
  id?: string;
  name?: string;
  "aria-describedby"?: string;
}

/** A list of short strings as removable chips, with a text box that adds one on Enter or comma. */
export function ChipInput({
  values,
  onChange,
  testId,
  label,
  placeholder,
  suggestions,
  removeLabel,
  same = (a, b) => a === b,
  disabled = false,
  "aria-invalid": invalid,
  id,
  "aria-describedby": describedBy,
}: ChipInputProps) {
  const [draft, setDraft] = useState("");
  const listId = useId();

  const add = (raw: string) => {
    const value = raw.trim();
    setDraft("");
    if (!value || values.some((v) => same(v, value))) return;
    onChange([...values, value]);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter" || event.key === ",") {
      event.preventDefault();
      add(draft);
    } else if (event.key === "Backspace" && !draft && values.length > 0) {
      onChange(values.slice(0, -1));
    }
  };

  return (
    <div
      className={cx(
        "flex min-h-9 flex-wrap items-center gap-1.5 rounded-lg border bg-white px-2 py-1.5 shadow-xs focus-within:border-brand-600 focus-within:ring-2 focus-within:ring-brand-600/30",
        invalid ? "border-red-400" : "border-zinc-300",
        disabled && "bg-zinc-50",
      )}
    >
      {values.map((value) => (
        <span
          key={value}
          data-testid={`${testId}-chip`}
          data-value={value}
          className="inline-flex items-center gap-1 rounded-md bg-zinc-100 py-0.5 pr-0.5 pl-2 text-xs font-medium text-zinc-800"
        >
          {value}
          {disabled ? null : (
            <button
              type="button"
              data-testid={`${testId}-remove`}
              aria-label={removeLabel(value)}
              onClick={() => onChange(values.filter((v) => v !== value))}
              className="rounded p-0.5 text-zinc-400 hover:bg-zinc-200 hover:text-zinc-700"
            >
              <X className="size-3" aria-hidden />
            </button>
          )}
        </span>
      ))}
      {disabled ? null : (
        <input
          id={id}
          data-testid={testId}
          aria-label={label}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          list={suggestions ? listId : undefined}
          autoComplete="off"
          placeholder={values.length === 0 ? placeholder : undefined}
          className="min-w-[8rem] flex-1 border-none bg-transparent px-1 text-sm text-zinc-900 placeholder:text-zinc-400 focus:outline-none"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKeyDown}
          onBlur={() => add(draft)}
        />
      )}
      {suggestions ? (
        <datalist id={listId}>
          {suggestions
            .filter((s) => !values.includes(s))
            .map((s) => (
              <option key={s} value={s} />
            ))}
        </datalist>
      ) : null}
    </div>
  );
}
