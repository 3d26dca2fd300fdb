import {
  cloneElement,
  forwardRef,
  isValidElement,
  useId,
  type InputHTMLAttributes,
  type ReactElement,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from "react";
import { cx } from "../lib/format";

const controlBase =
  "block w-full rounded-lg border bg-white px-3 text-sm text-zinc-900 shadow-xs transition-colors " +
  "placeholder:text-zinc-400 focus:outline-none focus:ring-2 focus:ring-brand-600/30 focus:border-brand-600 " +
  "disabled:cursor-not-allowed disabled:bg-zinc-50 disabled:text-zinc-500";

export const Input = forwardRef<HTMLInputElement, InputHTMLAttributes<HTMLInputElement>>(
  function Input({ className, ...rest }, ref) {
    const invalid = rest["aria-invalid"] === true || rest["aria-invalid"] === "true";
    return (
      <input
        ref={ref}
        className={cx(
          controlBase,
          "h-9",
          invalid ? "border-red-400" : "border-zinc-300",
          className,
        )}
        {...rest}
      />
    );
  },
);

export const Textarea = forwardRef<HTMLTextAreaElement, TextareaHTMLAttributes<HTMLTextAreaElement>>(
  function Textarea({ className, rows = 4, ...rest }, ref) {
    const invalid = rest["aria-invalid"] === true || rest["aria-invalid"] === "true";
    return (
      <textarea
        ref={ref}
        rows={rows}
        className={cx(
          controlBase,
          "resize-y py-2 leading-5",
          invalid ? "border-red-400" : "border-zinc-300",
          className,
        )}
        {...rest}
      />
    );
  },
);

export const Select = forwardRef<HTMLSelectElement, SelectHTMLAttributes<HTMLSelectElement>>(
  function Select({ className, ...rest }, ref) {
    return (
      <select
        ref={ref}
        className={cx(controlBase, "h-9 pr-8 border-zinc-300", className)}
        {...rest}
      />
    );
  },
);

interface FieldProps {
  /** API field name; the error element gets data-testid="field-error-<name>". */
  name: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  /** Extra content to the right of the label (e.g. a "Generate" button). */
  action?: ReactNode;
  className?: string;
  children: ReactElement<Record<string, unknown>>;
}

/** Label + control + hint + error, wired with ids and aria attributes. */
export function Field({ name, label, hint, error, action, className, children }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ");
  const control = isValidElement(children)
    ? cloneElement(children, {
        id,
        name,
        "aria-invalid": error ? true : undefined,
        "aria-describedby": describedBy || undefined,
      })
    : children;
  return (
    <div className={cx("space-y-1.5", className)}>
      <div className="flex items-center justify-between gap-2">
        <label htmlFor={id} className="block text-sm font-medium text-zinc-800">
          {label}
        </label>
        {action}
      </div>
      {control}
      {hint && !error ? (
        <p id={hintId} className="text-xs text-zinc-500">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} data-testid={`field-error-${name}`} className="text-xs font-medium text-red-600">
          {error}
        </p>
      ) : null}
    </div>
  );
}
