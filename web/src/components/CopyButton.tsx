import { useEffect, useState } from "react";
import { Check, Copy } from "lucide-react";
import { useTranslation } from "react-i18next";
import { copyText } from "../lib/clipboard";
import { Button } from "./Button";

export function CopyButton({
  value,
  testId,
  label,
  size = "sm",
}: {
  value: string;
  testId?: string;
  label?: string;
  size?: "sm" | "md";
}) {
  const { t } = useTranslation();
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");

  useEffect(() => {
    if (state === "idle") return;
    const timer = window.setTimeout(() => setState("idle"), 2000);
    return () => window.clearTimeout(timer);
  }, [state]);

  return (
    <Button
      size={size}
      data-testid={testId}
      disabled={!value}
      onClick={async () => setState((await copyText(value)) ? "copied" : "failed")}
      icon={
        state === "copied" ? (
          <Check className="size-3.5 text-brand-600" aria-hidden />
        ) : (
          <Copy className="size-3.5" aria-hidden />
        )
      }
      aria-label={state === "idle" ? (label ?? t("common.copy")) : undefined}
    >
      <span aria-live="polite">
        {state === "copied" ? t("common.copied") : state === "failed" ? t("common.copyFailed") : t("common.copy")}
      </span>
    </Button>
  );
}

/** A read-only value in a monospace box with a copy button. */
export function CopyField({
  value,
  testId,
  copyTestId,
  label,
}: {
  value: string;
  testId?: string;
  copyTestId?: string;
  label?: string;
}) {
  return (
    <div className="flex items-stretch gap-2">
      <code
        data-testid={testId}
        className="flex min-h-9 min-w-0 flex-1 items-center overflow-x-auto rounded-lg border border-zinc-200 bg-zinc-50 px-3 py-1.5 font-mono text-xs whitespace-nowrap text-zinc-800"
      >
        {value}
      </code>
      <CopyButton value={value} testId={copyTestId} label={label} size="md" />
    </div>
  );
}
