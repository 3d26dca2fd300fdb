/** Form controls of the inspector: counters, variable picker, list and key/value editors. */
import {
  createContext,
  useContext,
  useEffect,
  useId,
  useRef,
  useState,
  type ReactNode,
  type RefObject,
} from "react";
import { useTranslation } from "react-i18next";
import { ArrowDown, ArrowUp, Braces, Plus, X } from "lucide-react";
import { cx } from "../../../lib/format";
import { counter } from "../limits";
import type { VariableGroups } from "../graph";
import { usePopover } from "../../../lib/usePopover";

export const VariablesContext = createContext<VariableGroups>({ contact: [], system: [], flow: [] });

/** Error message for a field path of the node being edited. */
export const FieldErrorsContext = createContext<(field: string) => string | undefined>(() => undefined);

export function useFieldError(field: string): string | undefined {
  return useContext(FieldErrorsContext)(field);
}

const inputBase =
  "block rounded-lg border bg-white px-2.5 text-sm text-zinc-900 shadow-xs transition-colors placeholder:text-zinc-400 " +
  "focus:outline-none focus:ring-2 disabled:bg-zinc-50 disabled:text-zinc-500";

export function inputClasses(invalid?: boolean, extra?: string) {
  // Full width unless the caller sizes the control itself (w-*, flex-1).
  const sized = !!extra && /(^|\s)(w-|flex-1)/.test(extra);
  return cx(
    inputBase,
    sized ? null : "w-full",
    invalid ? "border-red-400 focus:border-red-500 focus:ring-red-500/25" : "border-zinc-300 focus:border-brand-600 focus:ring-brand-600/30",
    extra,
  );
}

export function Counter({ value, max, testId }: { value: string; max: number; testId?: string }) {
  const c = counter(value, max);
  return (
    <span
      data-testid={testId}
      data-over={c.over ? "true" : undefined}
      className={cx("shrink-0 text-[11px] tabular-nums", c.over ? "font-semibold text-red-600" : "text-zinc-400")}
    >
      {c.label}
    </span>
  );
}

export function FieldShell({
  label,
  htmlFor,
  required,
  aside,
  error,
  hint,
  children,
  className,
}: {
  label: ReactNode;
  htmlFor?: string;
  required?: boolean;
  aside?: ReactNode;
  error?: string;
  hint?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  return (
    <div className={cx("space-y-1", className)}>
      <div className="flex min-h-5 items-center justify-between gap-2">
        <label htmlFor={htmlFor} className="text-xs font-medium text-zinc-700">
          {label}
          {required ? <span className="ml-0.5 text-red-500" aria-hidden>*</span> : null}
        </label>
        {aside ? <div className="flex items-center gap-1.5">{aside}</div> : null}
      </div>
      {children}
      {error ? (
        <p className="text-[11px] font-medium text-red-600" role="alert">
          {error}
        </p>
      ) : hint ? (
        <p className="text-[11px] text-zinc-500">{hint}</p>
      ) : null}
    </div>
  );
}

type TextElement = HTMLInputElement | HTMLTextAreaElement;

/** Inserts `{{name}}` at the caret of an input or textarea. */
export function insertVariable(
  element: TextElement | null,
  value: string,
  name: string,
  onChange: (next: string) => void,
) {
  const token = `{{${name}}}`;
  // The caret position counts only once the field has been focused; otherwise append.
  const touched = element?.dataset.touched === "true";
  const start = touched ? (element?.selectionStart ?? value.length) : value.length;
  const end = touched ? (element?.selectionEnd ?? value.length) : value.length;
  const next = value.slice(0, start) + token + value.slice(end);
  onChange(next);
  const caret = name.endsWith(".") ? start + token.length - 2 : start + token.length;
  window.requestAnimationFrame(() => {
    if (!element) return;
    element.focus();
    element.setSelectionRange(caret, caret);
  });
}

export function VariablePicker({
  targetRef,
  value,
  onChange,
  testId,
}: {
  targetRef: RefObject<TextElement | null>;
  value: string;
  onChange: (next: string) => void;
  testId?: string;
}) {
  const { t } = useTranslation();
  const groups = useContext(VariablesContext);
  const { open, setOpen, root, menuId } = usePopover();

  const sections: Array<[string, string[]]> = [
    [t("flows.inspector.variablesContact"), groups.contact],
    [t("flows.inspector.variablesSystem"), groups.system],
    [t("flows.inspector.variablesFlow"), groups.flow],
  ];

  return (
    <div ref={root} className="relative">
      <button
        type="button"
        data-testid={testId}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        title={t("flows.inspector.insertVariable")}
        onMouseDown={(event) => event.preventDefault()}
        onClick={() => setOpen((v) => !v)}
        className="flex items-center gap-1 rounded-md px-1.5 py-0.5 text-[11px] font-medium text-violet-700 hover:bg-violet-50"
      >
        <Braces className="size-3.5" aria-hidden />
        <span>{t("flows.inspector.variable")}</span>
      </button>
      {open ? (
        <div
          id={menuId}
          role="menu"
          className="absolute right-0 z-40 mt-1 max-h-72 w-60 overflow-y-auto rounded-lg border border-zinc-200 bg-white p-1 shadow-lg"
        >
          {sections.map(([title, names]) =>
            names.length === 0 ? null : (
              <div key={title} className="py-1">
                <p className="px-2 pb-1 text-[10px] font-semibold tracking-wide text-zinc-400 uppercase">{title}</p>
                {names.map((name) => (
                  <button
                    key={name}
                    type="button"
                    role="menuitem"
                    data-testid="variable-option"
                    data-variable={name}
                    onMouseDown={(event) => event.preventDefault()}
                    onClick={() => {
                      setOpen(false);
                      insertVariable(targetRef.current, value, name, onChange);
                    }}
                    className="block w-full truncate rounded-md px-2 py-1 text-left font-mono text-xs text-zinc-700 hover:bg-violet-50 hover:text-violet-800"
                  >
                    {`{{${name}${name.endsWith(".") ? "…" : ""}}}`}
                  </button>
                ))}
              </div>
            ),
          )}
        </div>
      ) : null}
    </div>
  );
}

export function TextControl({
  field,
  testId,
  label,
  value,
  onChange,
  max,
  required,
  templated,
  multiline,
  rows = 3,
  mono,
  placeholder,
  hint,
  error: errorProp,
  type = "text",
}: {
  /** Field path for errors. */
  field: string;
  /** data-testid suffix (defaults to field). */
  testId?: string;
  label: ReactNode;
  value: string;
  onChange: (next: string) => void;
  max?: number | null;
  required?: boolean;
  templated?: boolean;
  multiline?: boolean;
  rows?: number;
  mono?: boolean;
  placeholder?: string;
  hint?: ReactNode;
  error?: string;
  type?: string;
}) {
  const id = useId();
  const ref = useRef<TextElement>(null);
  const fieldError = useFieldError(field);
  const error = errorProp ?? fieldError;
  const tid = `inspector-${testId ?? field}`;
  const aside = (
    <>
      {templated ? <VariablePicker targetRef={ref} value={value} onChange={onChange} testId={`${tid}-variables`} /> : null}
      {max ? <Counter value={value} max={max} testId={`${tid}-counter`} /> : null}
    </>
  );
  const common = {
    id,
    "data-testid": tid,
    value,
    placeholder,
    "aria-invalid": error ? true : undefined,
    onChange: (event: { target: { value: string } }) => onChange(event.target.value),
    onFocus: (event: { currentTarget: HTMLElement }) => {
      event.currentTarget.dataset.touched = "true";
    },
  };
  return (
    <FieldShell label={label} htmlFor={id} required={required} aside={aside} error={error} hint={hint}>
      {multiline ? (
        <textarea
          {...common}
          ref={ref as RefObject<HTMLTextAreaElement>}
          rows={rows}
          className={inputClasses(!!error, cx("resize-y py-1.5 leading-snug", mono && "font-mono text-xs"))}
        />
      ) : (
        <input
          {...common}
          ref={ref as RefObject<HTMLInputElement>}
          type={type}
          autoComplete="off"
          className={inputClasses(!!error, cx("h-8", mono && "font-mono text-xs"))}
        />
      )}
    </FieldShell>
  );
}

export function NumberControl({
  field,
  label,
  value,
  onChange,
  min,
  max,
  hint,
  placeholder,
}: {
  field: string;
  label: ReactNode;
  value: unknown;
  onChange: (next: number | undefined) => void;
  min?: number;
  max?: number;
  hint?: ReactNode;
  placeholder?: string;
}) {
  const id = useId();
  const error = useFieldError(field);
  return (
    <FieldShell label={label} htmlFor={id} error={error} hint={hint}>
      <input
        id={id}
        data-testid={`inspector-${field}`}
        type="number"
        inputMode="numeric"
        min={min}
        max={max}
        placeholder={placeholder}
        value={value === undefined || value === null ? "" : String(value)}
        aria-invalid={error ? true : undefined}
        onChange={(event) => onChange(event.target.value === "" ? undefined : Number(event.target.value))}
        className={inputClasses(!!error, "h-8 tabular-nums")}
      />
    </FieldShell>
  );
}

export function SelectControl<V extends string>({
  field,
  label,
  value,
  options,
  onChange,
  hint,
}: {
  field: string;
  label: ReactNode;
  value: V;
  options: Array<{ value: V; label: string }>;
  onChange: (next: V) => void;
  hint?: ReactNode;
}) {
  const id = useId();
  const error = useFieldError(field);
  return (
    <FieldShell label={label} htmlFor={id} error={error} hint={hint}>
      <select
        id={id}
        data-testid={`inspector-${field}`}
        value={value}
        onChange={(event) => onChange(event.target.value as V)}
        className={inputClasses(!!error, "h-8 pr-8")}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

/** A row of exclusive choices (e.g. Text / Template). */
export function Segmented<V extends string>({
  field,
  value,
  options,
  onChange,
  label,
}: {
  field: string;
  value: V;
  options: Array<{ value: V; label: string }>;
  onChange: (next: V) => void;
  label: string;
}) {
  return (
    <div role="radiogroup" aria-label={label} data-testid={`inspector-${field}`} className="flex rounded-lg bg-zinc-100 p-0.5">
      {options.map((o) => (
        <button
          key={o.value}
          type="button"
          role="radio"
          aria-checked={value === o.value}
          data-value={o.value}
          onClick={() => onChange(o.value)}
          className={cx(
            "flex-1 rounded-md px-2 py-1 text-xs font-medium transition-colors",
            value === o.value ? "bg-white text-zinc-900 shadow-sm" : "text-zinc-500 hover:text-zinc-800",
          )}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}

export function SwitchControl({
  field,
  label,
  checked,
  onChange,
  hint,
}: {
  field: string;
  label: ReactNode;
  checked: boolean;
  onChange: (next: boolean) => void;
  hint?: ReactNode;
}) {
  const id = useId();
  return (
    <div className="space-y-1">
      <div className="flex items-center justify-between gap-3">
        <label htmlFor={id} className="text-xs font-medium text-zinc-700">
          {label}
        </label>
        <input
          id={id}
          type="checkbox"
          role="switch"
          className="switch"
          data-testid={`inspector-${field}`}
          checked={checked}
          onChange={(event) => onChange(event.target.checked)}
        />
      </div>
      {hint ? <p className="text-[11px] text-zinc-500">{hint}</p> : null}
    </div>
  );
}

export type ListOp =
  | { kind: "add" }
  | { kind: "remove"; index: number }
  | { kind: "move"; from: number; to: number }
  | { kind: "edit"; index: number };

/** An editable list of strings (options, keywords, choices, tags) with counters. */
export function StringListControl({
  field,
  label,
  items,
  onChange,
  itemMax,
  maxItems,
  minItems = 0,
  addLabel,
  placeholder,
  hint,
  required,
  reorderable,
  newItem,
}: {
  field: string;
  label: ReactNode;
  items: string[];
  onChange: (items: string[], op: ListOp) => void;
  itemMax?: number;
  maxItems: number;
  minItems?: number;
  addLabel: string;
  placeholder?: (index: number) => string;
  hint?: ReactNode;
  required?: boolean;
  reorderable?: boolean;
  newItem?: (index: number) => string;
}) {
  const { t } = useTranslation();
  const lookup = useContext(FieldErrorsContext);
  const listError = lookup(field);
  const inputs = useRef<Array<HTMLInputElement | null>>([]);
  const focusIndex = useRef<number | null>(null);

  useEffect(() => {
    if (focusIndex.current !== null) {
      inputs.current[focusIndex.current]?.focus();
      focusIndex.current = null;
    }
  });

  const add = () => {
    focusIndex.current = items.length;
    onChange([...items, newItem ? newItem(items.length) : ""], { kind: "add" });
  };

  return (
    <FieldShell
      label={label}
      required={required}
      error={listError}
      hint={hint}
      aside={<span className="text-[11px] text-zinc-400 tabular-nums">{`${items.length}/${maxItems}`}</span>}
    >
      <ul className="space-y-1.5" data-testid={`inspector-${field}`}>
        {items.map((item, index) => {
          const error = lookup(`${field}[${index}]`);
          const over = itemMax ? counter(item, itemMax).over : false;
          return (
            <li key={index}>
              <div className="flex items-center gap-1">
                <div className="relative min-w-0 flex-1">
                  <input
                    ref={(el) => {
                      inputs.current[index] = el;
                    }}
                    data-testid={`inspector-${field}-${index}`}
                    value={item}
                    aria-label={`${typeof label === "string" ? label : field} ${index + 1}`}
                    aria-invalid={error || over ? true : undefined}
                    placeholder={placeholder?.(index)}
                    onChange={(event) => {
                      const next = [...items];
                      next[index] = event.target.value;
                      onChange(next, { kind: "edit", index });
                    }}
                    onKeyDown={(event) => {
                      if (event.key === "Enter" && items.length < maxItems) {
                        event.preventDefault();
                        add();
                      }
                    }}
                    className={inputClasses(!!error || over, cx("h-8", itemMax ? "pr-12" : undefined))}
                  />
                  {itemMax ? (
                    <span className="pointer-events-none absolute inset-y-0 right-2 flex items-center">
                      <Counter value={item} max={itemMax} testId={`inspector-${field}-${index}-counter`} />
                    </span>
                  ) : null}
                </div>
                {reorderable ? (
                  <>
                    <IconButton
                      label={t("flows.inspector.moveUp")}
                      disabled={index === 0}
                      onClick={() => {
                        const next = [...items];
                        [next[index - 1], next[index]] = [next[index], next[index - 1]];
                        onChange(next, { kind: "move", from: index, to: index - 1 });
                      }}
                    >
                      <ArrowUp className="size-3.5" aria-hidden />
                    </IconButton>
                    <IconButton
                      label={t("flows.inspector.moveDown")}
                      disabled={index === items.length - 1}
                      onClick={() => {
                        const next = [...items];
                        [next[index + 1], next[index]] = [next[index], next[index + 1]];
                        onChange(next, { kind: "move", from: index, to: index + 1 });
                      }}
                    >
                      <ArrowDown className="size-3.5" aria-hidden />
                    </IconButton>
                  </>
                ) : null}
                <IconButton
                  label={t("flows.inspector.remove")}
                  testId={`inspector-${field}-remove-${index}`}
                  disabled={items.length <= minItems}
                  onClick={() => onChange(items.filter((_, i) => i !== index), { kind: "remove", index })}
                >
                  <X className="size-3.5" aria-hidden />
                </IconButton>
              </div>
              {error ? <p className="mt-0.5 text-[11px] font-medium text-red-600">{error}</p> : null}
            </li>
          );
        })}
      </ul>
      {items.length < maxItems ? (
        <button
          type="button"
          data-testid={`inspector-${field}-add`}
          onClick={add}
          className="mt-1 flex items-center gap-1 rounded-md px-1.5 py-1 text-xs font-medium text-brand-700 hover:bg-brand-50"
        >
          <Plus className="size-3.5" aria-hidden />
          {addLabel}
        </button>
      ) : null}
    </FieldShell>
  );
}

export function IconButton({
  label,
  onClick,
  disabled,
  children,
  testId,
  className,
}: {
  label: string;
  onClick: () => void;
  disabled?: boolean;
  children: ReactNode;
  testId?: string;
  className?: string;
}) {
  return (
    <button
      type="button"
      title={label}
      aria-label={label}
      data-testid={testId}
      disabled={disabled}
      onClick={onClick}
      className={cx(
        "flex size-7 shrink-0 items-center justify-center rounded-md text-zinc-400 hover:bg-zinc-100 hover:text-zinc-700 disabled:pointer-events-none disabled:opacity-30",
        className,
      )}
    >
      {children}
    </button>
  );
}

/** Key/value pairs (HTTP headers, response mapping). */
export function KeyValueControl({
  field,
  label,
  value,
  onChange,
  keyPlaceholder,
  valuePlaceholder,
  addLabel,
  hint,
}: {
  field: string;
  label: ReactNode;
  value: Record<string, string>;
  onChange: (next: Record<string, string>) => void;
  keyPlaceholder: string;
  valuePlaceholder: string;
  addLabel: string;
  hint?: ReactNode;
}) {
  const { t } = useTranslation();
  const lookup = useContext(FieldErrorsContext);
  // Rows are kept locally so an empty or duplicate key being typed does not vanish.
  const [rows, setRows] = useState<Array<[string, string]>>(() => Object.entries(value ?? {}));
  const last = useRef(JSON.stringify(value ?? {}));
  useEffect(() => {
    const incoming = JSON.stringify(value ?? {});
    if (incoming !== last.current) {
      last.current = incoming;
      setRows(Object.entries(value ?? {}));
    }
  }, [value]);
  const commit = (next: Array<[string, string]>) => {
    setRows(next);
    const obj: Record<string, string> = {};
    for (const [k, v] of next) if (k.trim()) obj[k.trim()] = v;
    last.current = JSON.stringify(obj);
    onChange(obj);
  };
  return (
    <FieldShell label={label} hint={hint} error={lookup(field)}>
      <ul className="space-y-1.5" data-testid={`inspector-${field}`}>
        {rows.map(([k, v], index) => {
          const error = k.trim() ? lookup(`${field}.${k.trim()}`) : undefined;
          return (
            <li key={index}>
              <div className="flex items-center gap-1">
                <input
                  data-testid={`inspector-${field}-key-${index}`}
                  value={k}
                  placeholder={keyPlaceholder}
                  aria-label={keyPlaceholder}
                  aria-invalid={error ? true : undefined}
                  onChange={(event) => commit(rows.map((r, i) => (i === index ? [event.target.value, r[1]] : r)))}
                  className={inputClasses(!!error, "h-8 w-2/5 font-mono text-xs")}
                />
                <input
                  data-testid={`inspector-${field}-value-${index}`}
                  value={v}
                  placeholder={valuePlaceholder}
                  aria-label={valuePlaceholder}
                  onChange={(event) => commit(rows.map((r, i) => (i === index ? [r[0], event.target.value] : r)))}
                  className={inputClasses(false, "h-8 min-w-0 flex-1 font-mono text-xs")}
                />
                <IconButton label={t("flows.inspector.remove")} onClick={() => commit(rows.filter((_, i) => i !== index))}>
                  <X className="size-3.5" aria-hidden />
                </IconButton>
              </div>
              {error ? <p className="mt-0.5 text-[11px] font-medium text-red-600">{error}</p> : null}
            </li>
          );
        })}
      </ul>
      <button
        type="button"
        data-testid={`inspector-${field}-add`}
        onClick={() => setRows([...rows, ["", ""]])}
        className="mt-1 flex items-center gap-1 rounded-md px-1.5 py-1 text-xs font-medium text-brand-700 hover:bg-brand-50"
      >
        <Plus className="size-3.5" aria-hidden />
        {addLabel}
      </button>
    </FieldShell>
  );
}

const UNITS = [
  ["seconds", 1],
  ["minutes", 60],
  ["hours", 3600],
  ["days", 86400],
] as const;
type Unit = (typeof UNITS)[number][0];

function bestUnit(seconds: number): Unit {
  for (const [unit, size] of [...UNITS].reverse()) if (seconds >= size && seconds % size === 0) return unit;
  return "seconds";
}

/** A duration stored in seconds, edited as a number and a unit. */
export function DurationControl({
  field,
  label,
  seconds,
  onChange,
  hint,
  minUnit = "seconds",
}: {
  field: string;
  label: ReactNode;
  seconds: number | undefined;
  onChange: (seconds: number) => void;
  hint?: ReactNode;
  minUnit?: Unit;
}) {
  const { t } = useTranslation();
  const id = useId();
  const error = useFieldError(field);
  const units = UNITS.slice(UNITS.findIndex(([u]) => u === minUnit));
  const [unit, setUnit] = useState<Unit>(() => {
    const best = bestUnit(seconds ?? 0);
    return units.some(([u]) => u === best) ? best : units[0][0];
  });
  const size = UNITS.find(([u]) => u === unit)![1];
  const amount = seconds === undefined ? "" : String(Math.round(((seconds ?? 0) / size) * 1000) / 1000);
  return (
    <FieldShell label={label} htmlFor={id} error={error} hint={hint}>
      <div className="flex gap-1.5">
        <input
          id={id}
          data-testid={`inspector-${field}`}
          type="number"
          min={0}
          value={amount}
          aria-invalid={error ? true : undefined}
          onChange={(event) => onChange(Math.round(Number(event.target.value || 0) * size))}
          className={inputClasses(!!error, "h-8 min-w-0 flex-1 tabular-nums")}
        />
        <select
          aria-label={t("flows.inspector.unit")}
          data-testid={`inspector-${field}-unit`}
          value={unit}
          onChange={(event) => {
            const next = event.target.value as Unit;
            const nextSize = UNITS.find(([u]) => u === next)![1];
            setUnit(next);
            if (seconds) onChange(Math.round((seconds / size) * nextSize));
          }}
          className={inputClasses(false, "h-8 w-28 pr-7")}
        >
          {units.map(([u]) => (
            <option key={u} value={u}>
              {t(`flows.options.units.${u}`)}
            </option>
          ))}
        </select>
      </div>
    </FieldShell>
  );
}

export function SectionTitle({ children }: { children: ReactNode }) {
  return <h3 className="pt-1 text-[11px] font-semibold tracking-wide text-zinc-400 uppercase">{children}</h3>;
}
