/**
 * Wizard step 2: what each recipient gets. An approved template (the shared picker; text
 * parameters can take a contact field, rendered per recipient), a published flow started for
 * each recipient, or free text (only to those inside their 24-hour window). Below it, the
 * server's rendering for a few real recipients.
 */
import { useMemo } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Info } from "lucide-react";
import type { AudiencePreview, MessageTemplate, TemplateSend } from "../../api/types";
import { Button } from "../../components/Button";
import { Input, Select, Textarea } from "../../components/Field";
import { cx } from "../../lib/format";
import { attributesApi, contactKeys } from "../contacts/api";
import { flowKeys, flowsApi } from "../flows/api";
import { templateKeys, templatesApi } from "../templates/api";
import { TemplateChooser, type FieldChoice } from "../templates/TemplatePicker";
import { TemplatePreview } from "../templates/TemplatePreview";
import { renderPreview } from "../templates/render";
import { CONTACT_FIELDS, CONTENT_KINDS, graphTemplate, valuesFromRendered, type ContentDraft } from "./model";

const APPROVED = { status: ["APPROVED"] };

function useApprovedTemplates() {
  return useQuery({ queryKey: templateKeys.list(APPROVED), queryFn: () => templatesApi.list(APPROVED) });
}

function findTemplate(templates: MessageTemplate[] | undefined, graph: Record<string, unknown> | null) {
  if (!graph) return undefined;
  const code = String((graph.language as { code?: unknown } | undefined)?.code ?? "");
  return templates?.find((tpl) => tpl.name === graph.name && tpl.language === code);
}

export function ContentStep({
  draft,
  onChange,
  preview,
}: {
  draft: ContentDraft;
  onChange: (next: ContentDraft) => void;
  preview: AudiencePreview | undefined;
}) {
  const { t } = useTranslation();
  const templates = useApprovedTemplates();
  const flows = useQuery({ queryKey: flowKeys.list, queryFn: flowsApi.list, enabled: draft.kind === "flow" });
  const active = useMemo(() => (flows.data ?? []).filter((f) => f.status === "Active" && f.published_version != null), [flows.data]);
  const attributes = useQuery({ queryKey: contactKeys.attributes, queryFn: attributesApi.list, enabled: draft.kind === "template" });
  // Contact fields, then the workspace's custom attributes: rendered per recipient by the server.
  const fields: FieldChoice[] = [
    ...CONTACT_FIELDS.map((f) => ({ label: t(`broadcasts.content.field.${f.key}`), value: f.value })),
    ...(attributes.data?.attributes ?? []).map((a) => ({ label: a.label, value: `{{contact.attributes.${a.key}}}` })),
  ];
  const chosen = findTemplate(templates.data?.templates, draft.template);

  const useTemplate = (send: TemplateSend) => {
    const template = templates.data?.templates.find((tpl) => tpl.name === send.name && tpl.language === send.language);
    onChange({ ...draft, template: graphTemplate(send, template) });
  };

  return (
    <div className="space-y-4">
      <div className="inline-flex rounded-lg border border-zinc-200 p-0.5" role="tablist">
        {CONTENT_KINDS.map((kind) => (
          <button
            key={kind}
            type="button"
            role="tab"
            aria-selected={draft.kind === kind}
            data-testid={`content-kind-${kind}`}
            onClick={() => onChange({ ...draft, kind })}
            className={cx("rounded-md px-3 py-1.5 text-sm", draft.kind === kind ? "bg-brand-600 text-white" : "text-zinc-700 hover:bg-zinc-50")}
          >
            {t(`broadcasts.content.kind.${kind}`)}
          </button>
        ))}
      </div>

      {draft.kind === "template" ? (
        draft.template ? (
          <div className="flex items-center justify-between rounded-lg border border-zinc-200 px-3 py-2" data-testid="content-template-chosen">
            <span className="font-mono text-sm font-semibold text-zinc-900">
              {String(draft.template.name)} <span className="font-sans text-xs font-normal text-zinc-500">{chosen?.language}</span>
            </span>
            <Button size="sm" onClick={() => onChange({ ...draft, template: null })} data-testid="content-template-change">
              {t("broadcasts.content.change")}
            </Button>
          </div>
        ) : (
          <div className="max-w-xl rounded-lg border border-zinc-200 p-3">
            <p className="mb-2 text-xs text-zinc-500">{t("broadcasts.content.fieldsHelp")}</p>
            <TemplateChooser onSend={useTemplate} onCancel={() => undefined} sending={false} submitLabel={t("broadcasts.content.useTemplate")} fields={fields} />
          </div>
        )
      ) : null}

      {draft.kind === "flow" ? (
        <div className="max-w-xl space-y-2">
          <Select aria-label={t("broadcasts.content.kind.flow")} data-testid="content-flow" value={draft.flowId} onChange={(e) => onChange({ ...draft, flowId: e.target.value })}>
            <option value="">{t("broadcasts.content.chooseFlow")}</option>
            {active.map((f) => (
              <option key={f.id} value={f.id}>
                {f.name}
              </option>
            ))}
          </Select>
          {flows.isSuccess && active.length === 0 ? <p className="text-xs text-zinc-500">{t("broadcasts.content.noFlows")}</p> : null}
          <Input placeholder={t("broadcasts.content.flowMessage")} value={draft.flowMessage} onChange={(e) => onChange({ ...draft, flowMessage: e.target.value })} />
        </div>
      ) : null}

      {draft.kind === "text" ? (
        <div className="max-w-xl space-y-2">
          <p className="flex gap-2 rounded-lg bg-sky-50 px-3 py-2 text-xs text-sky-900" data-testid="content-window-note">
            <Info className="size-4 shrink-0" aria-hidden />
            {t("broadcasts.content.windowNote")}
          </p>
          <Textarea rows={5} maxLength={4096} data-testid="content-text" value={draft.text} onChange={(e) => onChange({ ...draft, text: e.target.value })} placeholder={t("broadcasts.content.textPlaceholder")} />
        </div>
      ) : null}

      <Samples draft={draft} preview={preview} template={chosen} />
    </div>
  );
}

/** What a few real recipients would get, as the server renders it. */
function Samples({ draft, preview, template }: { draft: ContentDraft; preview: AudiencePreview | undefined; template: MessageTemplate | undefined }) {
  const { t } = useTranslation();
  if (draft.kind === "flow" || !preview || preview.samples.length === 0) return null;
  if (draft.kind === "template" && !draft.template) return null;
  if (draft.kind === "text" && !draft.text.trim()) return null;
  return (
    <div>
      <p className="mb-2 text-xs font-medium text-zinc-500">{t("broadcasts.content.samples")}</p>
      <div className="grid gap-3 sm:grid-cols-3" data-testid="content-samples">
        {preview.samples.map((s) => {
          const rendered = s.rendered as { text?: { body?: string } } | null;
          return (
            <div key={s.contact_id} data-testid="content-sample" className="space-y-1">
              <p className="truncate text-xs text-zinc-600">{s.name || s.phone}</p>
              {draft.kind === "template" && template ? (
                <TemplatePreview content={renderPreview(template, valuesFromRendered(template, s.rendered))} />
              ) : (
                <p className="rounded-lg bg-[#dcf8c6] px-3 py-2 text-sm whitespace-pre-wrap text-zinc-900">{rendered?.text?.body ?? ""}</p>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}
