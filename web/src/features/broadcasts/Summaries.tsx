/** What a broadcast's stored audience and content say, in words (draft page and review step). */
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { contactKeys, segmentsApi } from "../contacts/api";
import { flowKeys, flowsApi } from "../flows/api";

type Stored = Record<string, unknown>;
const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

export function AudienceSummary({ audience, uploadName }: { audience: Stored; uploadName?: string }) {
  const { t } = useTranslation();
  const kind = String(audience.kind ?? "");
  const segments = useQuery({ queryKey: contactKeys.segments, queryFn: segmentsApi.list, enabled: kind === "segment" });
  const segmentId = String(audience.segment_id ?? audience.segmentId ?? "");
  let detail = "";
  if (kind === "tags") detail = list(audience.tags).join(audience.match === "all" ? " + " : ", ");
  else if (kind === "segment") detail = segments.data?.segments.find((s) => s.id === segmentId)?.name ?? segmentId;
  else if (kind === "contacts") detail = t("broadcasts.audience.pickedCount", { count: list(audience.contact_ids ?? audience.contactIds).length });
  else if (kind === "csv") detail = uploadName ?? t("broadcasts.audience.csvList");
  return (
    <div data-testid="summary-audience">
      <p className="text-xs font-medium text-zinc-500">{t("broadcasts.step.audience")}</p>
      <p className="text-sm text-zinc-900">
        {kind ? t(`broadcasts.audience.kind.${kind}`, kind) : "—"}
        {detail ? <span className="text-zinc-600"> · {detail}</span> : null}
      </p>
    </div>
  );
}

export function ContentSummary({ content }: { content: Stored }) {
  const { t } = useTranslation();
  const kind = String(content.kind ?? "");
  const flows = useQuery({ queryKey: flowKeys.list, queryFn: flowsApi.list, enabled: kind === "flow" });
  let detail = "";
  if (kind === "template") {
    const template = (content.template ?? {}) as Stored;
    const language = (template.language ?? {}) as Stored;
    detail = `${String(template.name ?? "")} (${String(language.code ?? "")})`;
  } else if (kind === "flow") {
    const id = String(content.flow_id ?? content.flowId ?? "");
    detail = flows.data?.find((f) => f.id === id)?.name ?? id;
  } else if (kind === "text") detail = String(content.text ?? "");
  return (
    <div data-testid="summary-content">
      <p className="text-xs font-medium text-zinc-500">{t("broadcasts.step.content")}</p>
      <p className="line-clamp-3 text-sm text-zinc-900">
        {kind ? t(`broadcasts.content.kind.${kind}`, kind) : "—"}
        {detail ? <span className="text-zinc-600"> · {detail}</span> : null}
      </p>
    </div>
  );
}
