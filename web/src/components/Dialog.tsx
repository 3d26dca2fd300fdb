import { useEffect, useId, useRef, type ReactNode } from "react";
import { createPortal } from "react-dom";
import { useTranslation } from "react-i18next";
import { Button } from "./Button";

interface DialogProps {
  open: boolean;
  onClose: () => void;
  title: ReactNode;
  description?: ReactNode;
  children?: ReactNode;
  footer?: ReactNode;
  testId?: string;
}

/** Accessible modal: focus moves in, Escape and backdrop close, Tab stays inside. */
export function Dialog({ open, onClose, title, description, children, footer, testId }: DialogProps) {
  const titleId = useId();
  const descId = useId();
  const panelRef = useRef<HTMLDivElement>(null);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    if (!open) return;
    const previous = document.activeElement as HTMLElement | null;
    const panel = panelRef.current;
    const focusable = () =>
      panel
        ? Array.from(
            panel.querySelectorAll<HTMLElement>(
              'button:not([disabled]), [href], input:not([disabled]), select, textarea, [tabindex]:not([tabindex="-1"])',
            ),
          )
        : [];
    const auto = panel?.querySelector<HTMLElement>("[data-autofocus]") ?? focusable()[0];
    auto?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        onCloseRef.current();
      } else if (event.key === "Tab") {
        const items = focusable();
        if (items.length === 0) return;
        const first = items[0];
        const last = items[items.length - 1];
        if (event.shiftKey && document.activeElement === first) {
          event.preventDefault();
          last.focus();
        } else if (!event.shiftKey && document.activeElement === last) {
          event.preventDefault();
          first.focus();
        }
      }
    };
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("keydown", onKey);
      previous?.focus?.();
    };
  }, [open]);

  if (!open) return null;
  return createPortal(
    <div className="fixed inset-0 z-50 flex items-end justify-center p-4 sm:items-center">
      <div className="absolute inset-0 bg-zinc-900/40 backdrop-blur-[1px]" onClick={onClose} aria-hidden />
      <div
        ref={panelRef}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={description ? descId : undefined}
        data-testid={testId}
        className="relative w-full max-w-md rounded-xl border border-zinc-200 bg-white shadow-xl"
      >
        <div className="px-5 pt-5">
          <h2 id={titleId} className="text-base font-semibold text-zinc-900">
            {title}
          </h2>
          {description ? (
            <p id={descId} className="mt-1.5 text-sm text-zinc-500">
              {description}
            </p>
          ) : null}
        </div>
        {children ? <div className="px-5 pt-4">{children}</div> : null}
        <div className="mt-5 flex flex-col-reverse gap-2 rounded-b-xl border-t border-zinc-100 bg-zinc-50 px-5 py-3 sm:flex-row sm:justify-end">
          {footer}
        </div>
      </div>
    </div>,
    document.body,
  );
}

interface ConfirmDialogProps {
  open: boolean;
  title: ReactNode;
  description: ReactNode;
  confirmLabel: ReactNode;
  onConfirm: () => void;
  onCancel: () => void;
  loading?: boolean;
  danger?: boolean;
}

export function ConfirmDialog({
  open,
  title,
  description,
  confirmLabel,
  onConfirm,
  onCancel,
  loading,
  danger = true,
}: ConfirmDialogProps) {
  const { t } = useTranslation();
  return (
    <Dialog
      open={open}
      onClose={onCancel}
      title={title}
      description={description}
      testId="confirm-dialog"
      footer={
        <>
          <Button onClick={onCancel} data-autofocus data-testid="confirm-cancel">
            {t("common.cancel")}
          </Button>
          <Button
            variant={danger ? "danger" : "primary"}
            className={danger ? "!bg-red-600 !text-white !border-red-600 hover:!bg-red-700" : undefined}
            onClick={onConfirm}
            loading={loading}
            data-testid="confirm-accept"
          >
            {confirmLabel}
          </Button>
        </>
      }
    />
  );
}
