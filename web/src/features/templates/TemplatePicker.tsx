/**
 * The shared template picker: approved templates (searchable), a form with one field per
 * parameter, and a live WhatsApp-like preview. The inbox shows it in a popover
 * (`TemplatePicker`); broadcasts and flows can embed `TemplateChooser` directly.
 *
 * With no synced templates it falls back to naming a template by hand (FreeFormTemplate).
 */
import { useMemo, useState, type FormEvent } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ArrowLeft, FileText, Search } from "lucide-react";
import type { MessageTemplate, TemplateParameter, TemplateSend, TemplateValues } from "../../api/types";
import { Button } from "../../components/Button";
import { Input } from "../../components/Field";
import { Spinner } from "../../components/Spinner";
import { usePopover } from "../../lib/usePopover";
import { cx } from "../../lib/format";
import { templateKeys, templatesApi } from "./api";
import { FreeFormTemplate } from "./FreeFormTemplate";
import { TemplatePreview } from "./TemplatePreview";
import { missingParameters, renderPreview, sendable, templateSendBody } from "./render";

const APPROVED = { status: ["APPROVED"] };

/** "Body {{1}}", "Header image", "Button 1 URL (end)": what each field fills. */
export function useParameterLabel() {
  const { t } = useTranslation();
  return (template: MessageTemplate, p: TemplateParameter): string => {
    if (p.component === "button") {
      const buttons = (template.components.find((c) => String(c.type).toUpperCase() === "BUTTONS")?.buttons ??
        []) as Array<{ text?: string }>;
      return t("templates.param.button", { label: buttons[Number(p.name)]?.text ?? p.name });
    }
    if (p.type !== "text") return t(`templates.param.media.${p.type}`);
    return t(`templates.param.${p.component}`, { name: `{{${p.name}}}` });
  };
}

/** A value a parameter can take with one click (broadcasts: "{{contact.name}}" per recipient). */
export interface FieldChoice {
  label: string;
  value: string;
}

export function TemplateChooser({
  onSend,
  onCancel,
  sending,
  submitLabel,
  fields,
}: {
  onSend: (template: TemplateSend) => void;
  onCancel: () => void;
  sending: boolean;
  submitLabel?: string;
  fields?: FieldChoice[];
}) {
  const { t } = useTranslation();
  const [query, setQuery] = useState("");
  const [chosen, setChosen] = useState<MessageTemplate | null>(null);
  const list = useQuery({ queryKey: templateKeys.list(APPROVED), queryFn: () => templatesApi.list(APPROVED) });
  const templates = useMemo(() => (list.data?.templates ?? []).filter(sendable), [list.data]);
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return q ? templates.filter((tpl) => tpl.name.toLowerCase().includes(q)) : templates;
  }, [templates, query]);

  if (list.isPending) {
    return (
      <div className="flex justify-center py-6">
        <Spinner label={t("common.loading")} />
      </div>
    );
  }
  if (templates.length === 0) {
    return (
      <div className="space-y-3">
        <p data-testid="template-none-synced" className="rounded-md bg-zinc-50 px-2.5 py-2 text-xs text-zinc-600">
          {t("templates.picker.noneSynced")}
        </p>
        <FreeFormTemplate onSend={onSend} onCancel={onCancel} sending={sending} />
      </div>
    );
  }
  if (chosen) {
    return (
      <ParameterForm
        template={chosen}
        onBack={() => setChosen(null)}
        onSend={onSend}
        sending={sending}
        submitLabel={submitLabel}
        fields={fields}
      />
    );
  }
  return (
    <div className="space-y-2">
      <div className="relative">
        <Search className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-zinc-400" aria-hidden />
        <Input
          type="search"
          autoFocus
          data-testid="template-search"
          aria-label={t("templates.picker.search")}
          placeholder={t("templates.picker.search")}
          className="pl-9"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
      </div>
      {shown.length === 0 ? (
        <p className="px-1 py-3 text-xs text-zinc-500">{t("templates.picker.noMatches")}</p>
      ) : (
        <ul className="max-h-64 space-y-1 overflow-y-auto" data-testid="template-options">
          {shown.map((template) => (
            <li key={template.id}>
              <button
                type="button"
                data-testid="template-option"
                data-name={template.name}
                onClick={() => setChosen(template)}
                className="w-full rounded-lg px-2.5 py-2 text-left hover:bg-zinc-50 focus:bg-zinc-50 focus:outline-none"
              >
                <span className="flex items-center justify-between gap-2">
                  <span className="truncate font-mono text-xs font-semibold text-zinc-900">{template.name}</span>
                  <span className="shrink-0 text-[11px] text-zinc-500">
                    {template.language} · {t(`templates.category.${template.category}`, template.category)}
                  </span>
                </span>
                <span className="mt-0.5 line-clamp-2 block text-xs text-zinc-500">{renderPreview(template, {}).body}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ParameterForm({
  template,
  onBack,
  onSend,
  sending,
  submitLabel,
  fields,
}: {
  template: MessageTemplate;
  onBack: () => void;
  onSend: (template: TemplateSend) => void;
  sending: boolean;
  submitLabel?: string;
  fields?: FieldChoice[];
}) {
  const { t } = useTranslation();
  const label = useParameterLabel();
  const [values, setValues] = useState<TemplateValues>({});
  const missing = missingParameters(template.parameters, values);
  const preview = renderPreview(template, values);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (missing.length > 0) return;
    onSend(templateSendBody(template, values));
  };

  return (
    <form onSubmit={submit} className="space-y-3" data-testid="template-parameters">
      <div className="flex items-center gap-2">
        <button
          type="button"
          onClick={onBack}
          data-testid="template-back"
          aria-label={t("templates.picker.back")}
          className="rounded p-1 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800"
        >
          <ArrowLeft className="size-4" aria-hidden />
        </button>
        <p className="min-w-0 truncate font-mono text-xs font-semibold text-zinc-900">{template.name}</p>
        <span className="ml-auto shrink-0 text-[11px] text-zinc-500">{template.language}</span>
      </div>
      {template.parameters.length > 0 ? (
        <div className="space-y-2">
          {template.parameters.map((p, i) => (
            <label key={p.key} className="block text-xs font-medium text-zinc-700">
              {label(template, p)}
              <Input
                data-testid="template-param"
                data-key={p.key}
                value={values[p.key] ?? ""}
                placeholder={p.example ?? undefined}
                autoFocus={i === 0}
                onChange={(e) => setValues((v) => ({ ...v, [p.key]: e.target.value }))}
                className="mt-1"
              />
              {fields && p.type === "text" ? (
                <span className="mt-1 flex flex-wrap gap-1">
                  {fields.map((f) => (
                    <button
                      key={f.value}
                      type="button"
                      data-testid="template-param-field"
                      data-value={f.value}
                      onClick={() => setValues((v) => ({ ...v, [p.key]: f.value }))}
                      className="rounded-full bg-zinc-100 px-2 py-0.5 text-[11px] font-normal text-zinc-700 hover:bg-brand-50 hover:text-brand-700"
                    >
                      {f.label}
                    </button>
                  ))}
                </span>
              ) : null}
            </label>
          ))}
        </div>
      ) : (
        <p className="text-xs text-zinc-500">{t("templates.picker.noParameters")}</p>
      )}
      <TemplatePreview content={preview} />
      {missing.length > 0 ? (
        <p data-testid="template-missing" className="text-xs text-amber-700">
          {t("templates.picker.missing", { count: missing.length })}
        </p>
      ) : null}
      <div className="flex justify-end">
        <Button
          size="sm"
          variant="primary"
          type="submit"
          loading={sending}
          disabled={missing.length > 0}
          data-testid="template-send"
        >
          {submitLabel ?? t("inbox.template.send")}
        </Button>
      </div>
    </form>
  );
}

/** The inbox composer's button and popover around `TemplateChooser`. */
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
  const trigger = {
    "data-testid": "template-picker-open",
    onClick: () => setOpen(!open),
    "aria-expanded": open,
    "aria-controls": menuId,
  };
  return (
    <div ref={root} className="relative">
      {prominent ? (
        <Button variant="primary" size="sm" icon={<FileText className="size-4" aria-hidden />} {...trigger}>
          {t("inbox.template.open")}
        </Button>
      ) : (
        <button
          type="button"
          {...trigger}
          title={t("inbox.template.open")}
          aria-label={t("inbox.template.open")}
          className="rounded-lg p-2 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800"
        >
          <FileText className="size-5" aria-hidden />
        </button>
      )}
      {open ? (
        <div
          id={menuId}
          data-testid="template-picker"
          className={cx(
            "absolute bottom-full z-30 mb-2 max-h-[75vh] w-[22rem] max-w-[calc(100vw-2rem)] space-y-3 overflow-y-auto rounded-xl border border-zinc-200 bg-white p-4 shadow-lg",
            prominent ? "right-0" : "left-0",
          )}
        >
          <div>
            <p className="text-sm font-semibold text-zinc-900">{t("inbox.template.title")}</p>
            <p className="mt-0.5 text-xs text-zinc-500">{t("inbox.template.help")}</p>
          </div>
          <TemplateChooser
            onSend={(template) => {
              onSend(template);
              setOpen(false);
            }}
            onCancel={() => setOpen(false)}
            sending={sending}
          />
        </div>
      ) : null}
    </div>
  );
}
