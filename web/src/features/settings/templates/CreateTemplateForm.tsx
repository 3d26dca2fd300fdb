/**
 * A new template for Meta's review: name, category, language, a body with {{1}} placeholders
 * and an example for each, and optionally a text header, a footer and quick-reply buttons.
 * The server checks Meta's rules before submitting and names the field at fault.
 */
import { useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Plus, Send, X } from "lucide-react";
import type { MessageTemplate, TemplateCreateRequest } from "../../../api/types";
import { Button } from "../../../components/Button";
import { Card, CardHeader } from "../../../components/Card";
import { Field, Input, Select, Textarea } from "../../../components/Field";
import { FormError } from "../../../components/FormError";
import { useToast } from "../../../components/Toast";
import { useFormErrors } from "../../../lib/errors";
import { templateKeys, templatesApi } from "../../templates/api";
import { renderPreview } from "../../templates/render";
import { TemplatePreview } from "../../templates/TemplatePreview";

const CATEGORIES = ["UTILITY", "MARKETING", "AUTHENTICATION"] as const;
const MAX_QUICK_REPLIES = 3;

/** Distinct placeholder names in order of appearance ("1", "2" or "first_name"). */
export function placeholdersOf(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)) {
    if (!names.includes(match[1])) names.push(match[1]);
  }
  return names;
}

export interface Draft {
  name: string;
  category: (typeof CATEGORIES)[number];
  language: string;
  header: string;
  headerExample: string;
  body: string;
  examples: Record<string, string>;
  footer: string;
  buttons: string[];
}

export const EMPTY_DRAFT: Draft = {
  name: "",
  category: "UTILITY",
  language: "en_US",
  header: "",
  headerExample: "",
  body: "",
  examples: {},
  footer: "",
  buttons: [],
};

/** Meta's components for a draft (examples in the positional or named shape). */
export function toRequest(draft: Draft): TemplateCreateRequest {
  const components: TemplateCreateRequest["components"] = [];
  const header = draft.header.trim();
  if (header) {
    const names = placeholdersOf(header);
    const named = names.some((n) => !/^\d+$/.test(n));
    components.push({
      type: "HEADER",
      format: "TEXT",
      text: header,
      ...(names.length
        ? {
            example: named
              ? { header_text_named_params: [{ param_name: names[0], example: draft.headerExample.trim() }] }
              : { header_text: [draft.headerExample.trim()] },
          }
        : {}),
    });
  }
  const names = placeholdersOf(draft.body);
  const named = names.some((n) => !/^\d+$/.test(n));
  const ordered = named ? names : [...names].sort((a, b) => Number(a) - Number(b));
  components.push({
    type: "BODY",
    text: draft.body,
    ...(names.length
      ? {
          example: named
            ? { body_text_named_params: ordered.map((n) => ({ param_name: n, example: (draft.examples[n] ?? "").trim() })) }
            : { body_text: [ordered.map((n) => (draft.examples[n] ?? "").trim())] },
        }
      : {}),
  });
  if (draft.footer.trim()) components.push({ type: "FOOTER", text: draft.footer.trim() });
  const buttons = draft.buttons.map((b) => b.trim()).filter(Boolean);
  if (buttons.length) components.push({ type: "BUTTONS", buttons: buttons.map((text) => ({ type: "QUICK_REPLY", text })) });
  return { name: draft.name.trim(), category: draft.category, language: draft.language.trim(), components };
}

export function CreateTemplateForm({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const toast = useToast();
  const errors = useFormErrors();
  const [draft, setDraft] = useState<Draft>(EMPTY_DRAFT);
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const names = placeholdersOf(draft.body);
  const headerNames = placeholdersOf(draft.header);
  const examples: Record<string, string> = {};
  for (const n of names) if (draft.examples[n]) examples[`body.${n}`] = draft.examples[n];
  if (headerNames[0] && draft.headerExample) examples[`header.${headerNames[0]}`] = draft.headerExample;
  const request = toRequest(draft);

  const create = useMutation({
    mutationFn: (body: TemplateCreateRequest) => templatesApi.create(body),
    onSuccess: (saved) => {
      toast.success(t("templates.create.submitted", { name: saved.name }));
      void queryClient.invalidateQueries({ queryKey: templateKeys.all });
      setDraft(EMPTY_DRAFT);
      onDone();
    },
    onError: errors.fromError,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    errors.reset();
    create.mutate(request);
  };

  return (
    <Card>
      <CardHeader title={t("templates.create.title")} description={t("templates.create.description")} />
      <form onSubmit={submit} noValidate className="grid gap-6 px-5 py-5 lg:grid-cols-[1fr_18rem]" data-testid="template-create-form">
        <div className="space-y-4">
          <FormError message={errors.message} />
          <div className="grid gap-4 sm:grid-cols-3">
            <Field name="name" label={t("templates.fields.name")} hint={t("templates.create.nameHint")} error={errors.fields.name}>
              <Input
                data-testid="template-new-name"
                className="font-mono"
                value={draft.name}
                autoFocus
                onChange={(e) => set({ name: e.target.value.toLowerCase().replace(/[\s-]+/g, "_") })}
              />
            </Field>
            <Field name="category" label={t("templates.fields.category")} error={errors.fields.category}>
              <Select
                data-testid="template-new-category"
                value={draft.category}
                onChange={(e) => set({ category: e.target.value as Draft["category"] })}
              >
                {CATEGORIES.map((c) => (
                  <option key={c} value={c}>
                    {t(`templates.category.${c}`)}
                  </option>
                ))}
              </Select>
            </Field>
            <Field name="language" label={t("templates.fields.language")} error={errors.fields.language}>
              <Input data-testid="template-new-language" value={draft.language} onChange={(e) => set({ language: e.target.value })} />
            </Field>
          </div>
          <Field name="header" label={t("templates.fields.header")} hint={t("templates.create.optional")}>
            <Input data-testid="template-new-header" maxLength={60} value={draft.header} onChange={(e) => set({ header: e.target.value })} />
          </Field>
          {headerNames.length ? (
            <Field name="headerExample" label={t("templates.create.exampleFor", { name: `{{${headerNames[0]}}}` })}>
              <Input value={draft.headerExample} onChange={(e) => set({ headerExample: e.target.value })} />
            </Field>
          ) : null}
          <Field name="body" label={t("templates.fields.body")} hint={t("templates.create.bodyHint", { example: "{{1}}", next: "{{2}}" })}>
            <Textarea
              data-testid="template-new-body"
              rows={4}
              maxLength={1024}
              value={draft.body}
              onChange={(e) => set({ body: e.target.value })}
            />
          </Field>
          {names.map((n) => (
            <Field key={n} name={`example-${n}`} label={t("templates.create.exampleFor", { name: `{{${n}}}` })}>
              <Input
                data-testid="template-new-example"
                data-name={n}
                value={draft.examples[n] ?? ""}
                onChange={(e) => set({ examples: { ...draft.examples, [n]: e.target.value } })}
              />
            </Field>
          ))}
          <Field name="footer" label={t("templates.fields.footer")} hint={t("templates.create.optional")}>
            <Input data-testid="template-new-footer" maxLength={60} value={draft.footer} onChange={(e) => set({ footer: e.target.value })} />
          </Field>
          <div className="space-y-2">
            <p className="text-sm font-medium text-zinc-800">{t("templates.fields.buttons")}</p>
            {draft.buttons.map((label, i) => (
              <div key={i} className="flex items-center gap-2">
                <Input
                  data-testid="template-new-button"
                  maxLength={25}
                  value={label}
                  aria-label={t("templates.create.buttonLabel", { n: i + 1 })}
                  onChange={(e) => set({ buttons: draft.buttons.map((b, j) => (j === i ? e.target.value : b)) })}
                />
                <button
                  type="button"
                  onClick={() => set({ buttons: draft.buttons.filter((_, j) => j !== i) })}
                  className="rounded p-1 text-zinc-400 hover:bg-zinc-100 hover:text-zinc-700"
                  aria-label={t("common.delete")}
                >
                  <X className="size-4" aria-hidden />
                </button>
              </div>
            ))}
            {draft.buttons.length < MAX_QUICK_REPLIES ? (
              <button
                type="button"
                data-testid="template-new-add-button"
                onClick={() => set({ buttons: [...draft.buttons, ""] })}
                className="flex items-center gap-1 text-xs font-medium text-brand-700 hover:underline"
              >
                <Plus className="size-3.5" aria-hidden />
                {t("templates.create.addButton")}
              </button>
            ) : null}
          </div>
          <div className="flex justify-end gap-2">
            <Button onClick={onDone}>{t("common.cancel")}</Button>
            <Button
              type="submit"
              variant="primary"
              data-testid="template-create"
              loading={create.isPending}
              icon={<Send className="size-4" aria-hidden />}
            >
              {t("templates.create.submit")}
            </Button>
          </div>
        </div>
        <div className="space-y-2">
          <p className="text-sm font-medium text-zinc-800">{t("templates.preview")}</p>
          <TemplatePreview content={renderPreview({ components: request.components as MessageTemplate["components"] }, examples)} />
        </div>
      </form>
    </Card>
  );
}
