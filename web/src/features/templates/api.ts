/** Calls of the message templates API (docs/api.md#message-templates). */
import { api } from "../../api/client";
import type {
  Id,
  MessageTemplate,
  MessageTemplateList,
  TemplateCreateRequest,
  TemplatePreview,
  TemplateSyncResult,
  TemplateValues,
} from "../../api/types";

export interface TemplateListQuery {
  status?: string[];
  q?: string;
  account?: string;
}

export function templateSearch(query: TemplateListQuery): string {
  const params = new URLSearchParams();
  for (const s of query.status ?? []) params.append("status", s);
  if (query.q?.trim()) params.set("q", query.q.trim());
  if (query.account) params.set("account", query.account);
  const s = params.toString();
  return s ? `?${s}` : "";
}

const enc = encodeURIComponent;

export const templatesApi = {
  list: (query: TemplateListQuery = {}) => api.get<MessageTemplateList>(`/api/templates${templateSearch(query)}`),
  sync: (accountId?: Id) => api.post<TemplateSyncResult>("/api/templates/sync", accountId ? { account_id: accountId } : {}),
  create: (body: TemplateCreateRequest) => api.post<MessageTemplate>("/api/templates", body),
  remove: (id: Id) => api.delete(`/api/templates/${enc(id)}`),
  preview: (id: Id, parameters: TemplateValues) =>
    api.post<TemplatePreview>(`/api/templates/${enc(id)}/preview`, { parameters }),
};

export const templateKeys = {
  all: ["templates"] as const,
  list: (query: TemplateListQuery) => ["templates", "list", query] as const,
};
