/**
 * Sends an approved template. There is no templates endpoint in the API yet, so the agent
 * names the template and its language and fills in the body variables.
 */
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { FileText, Plus, X } from "lucide-react";
import type { TemplateSend } from "../../api/types";
import { Button } from "../../components/Button";
import { Input } from "../../components/Field";
import { usePopover } from "../../lib/usePopover";
import { cx } from "../../lib/format";

/** The Graph API template object for a name, language and body variables. */
export function templateBody(name: string, language: string, variables: string[]): TemplateSend {
  const params = variables.map((v) => v.trim()).filter(Boolean);
  return {
    name: name.trim(),
    language: language.trim(),
    ...(params.length > 0
      ? { components: [{ type: "body", parameters: params.map((text) => ({ type: "text", text })) }] }
      : {}),
  };
}

export function TemplatePicker({
  onSend,
  sending,
  prominent = false,
}: {
  onSend: (template: TemplateSend) => void;
  sending: boolean;
  /** Shown as a primary button (when templates are the only thing that can be sent). */
  prominent?: boolean;
}) {
  const { t } = useTranslation();
  const { open, setOpen, root, menuId } = usePopover();
  const [name, setName] = useState("hello_world");
  const [language, setLanguage] = useState("en_US");
  const [variables, setVariables] = useState<string[]>([]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim() || !language.trim()) return;
    onSend(templateBody(name, language, variables));
    setOpen(false);
  };

  return (
    <div ref={root} className="relative">
      {prominent ? (
        <Button
          variant="primary"
          size="sm"
          data-testid="template-picker-open"
          icon={<FileText className="size-4" aria-hidden />}
          onClick={() => setOpen(!open)}
          aria-expanded={open}
          aria-controls={menuId}
        >
          {t("inbox.template.open")}
        </Button>
      ) : (
        <button
          type="button"
          data-testid="template-picker-open"
          onClick={() => setOpen(!open)}
          aria-expanded={open}
          aria-controls={menuId}
          title={t("inbox.template.open")}
          aria-label={t("inbox.template.open")}
          className="rounded-lg p-2 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800"
        >
          <FileText className="size-5" aria-hidden />
        </button>
      )}
      {open ? (
        <form
          id={menuId}
          data-testid="template-picker"
          onSubmit={submit}
          className={cx(
            "absolute bottom-full z-30 mb-2 w-80 space-y-3 rounded-xl border border-zinc-200 bg-white p-4 shadow-lg",
            prominent ? "right-0" : "left-0",
          )}
        >
          <div>
            <p className="text-sm font-semibold text-zinc-900">{t("inbox.template.title")}</p>
            <p className="mt-0.5 text-xs text-zinc-500">{t("inbox.template.help")}</p>
          </div>
          <label className="block text-xs font-medium text-zinc-700">
            {t("inbox.template.name")}
            <Input
              data-testid="template-name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              className="mt-1"
              required
              autoFocus
            />
          </label>
          <label className="block text-xs font-medium text-zinc-700">
            {t("inbox.template.language")}
            <Input
              data-testid="template-language"
              value={language}
              onChange={(e) => setLanguage(e.target.value)}
              className="mt-1"
              required
            />
          </label>
          <div className="space-y-1.5">
            <p className="text-xs font-medium text-zinc-700">{t("inbox.template.variables")}</p>
            {variables.map((value, i) => (
              <div key={i} className="flex items-center gap-1.5">
                <span className="w-8 shrink-0 font-mono text-xs text-zinc-500">{`{{${i + 1}}}`}</span>
                <Input
                  value={value}
                  onChange={(e) => setVariables((vs) => vs.map((v, j) => (j === i ? e.target.value : v)))}
                  aria-label={`{{${i + 1}}}`}
                />
                <button
                  type="button"
                  onClick={() => setVariables((vs) => vs.filter((_, j) => j !== i))}
                  className="rounded p-1 text-zinc-400 hover:bg-zinc-100 hover:text-zinc-700"
                  aria-label={t("common.delete")}
                >
                  <X className="size-4" aria-hidden />
                </button>
              </div>
            ))}
            <button
              type="button"
              onClick={() => setVariables((vs) => [...vs, ""])}
              className="flex items-center gap-1 text-xs font-medium text-brand-700 hover:underline"
            >
              <Plus className="size-3.5" aria-hidden />
              {t("inbox.template.addVariable")}
            </button>
          </div>
          <div className="flex justify-end gap-2 pt-1">
            <Button size="sm" variant="ghost" onClick={() => setOpen(false)}>
              {t("common.cancel")}
            </Button>
            <Button size="sm" variant="primary" type="submit" loading={sending} data-testid="template-send">
              {t("inbox.template.send")}
            </Button>
          </div>
        </form>
      ) : null}
    </div>
  );
}
