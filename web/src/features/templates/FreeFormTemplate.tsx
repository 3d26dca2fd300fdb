/**
 * The fallback when no templates are synced: the agent names the template and its language
 * and fills in the body variables (the server sends it as given).
 */
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Plus, X } from "lucide-react";
import type { TemplateSend } from "../../api/types";
import { Button } from "../../components/Button";
import { Input } from "../../components/Field";

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

export function FreeFormTemplate({
  onSend,
  onCancel,
  sending,
}: {
  onSend: (template: TemplateSend) => void;
  onCancel: () => void;
  sending: boolean;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState("hello_world");
  const [language, setLanguage] = useState("en_US");
  const [variables, setVariables] = useState<string[]>([]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim() || !language.trim()) return;
    onSend(templateBody(name, language, variables));
  };

  return (
    <form onSubmit={submit} className="space-y-3" data-testid="template-free-form">
      <label className="block text-xs font-medium text-zinc-700">
        {t("inbox.template.name")}
        <Input data-testid="template-name" value={name} onChange={(e) => setName(e.target.value)} className="mt-1" required autoFocus />
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
        <Button size="sm" variant="ghost" onClick={onCancel}>
          {t("common.cancel")}
        </Button>
        <Button size="sm" variant="primary" type="submit" loading={sending} data-testid="template-send">
          {t("inbox.template.send")}
        </Button>
      </div>
    </form>
  );
}
