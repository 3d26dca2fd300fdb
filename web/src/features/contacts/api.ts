/** Calls of the contacts, tags, attributes and segments API (docs/api.md#contacts). */
import { api } from "../../api/client";
import type {
  AttributeDefinition,
  AttributeDefinitionList,
  AttributeDefinitionRequest,
  BulkRequest,
  BulkResult,
  Contact,
  ContactCount,
  ContactCreateRequest,
  ContactList,
  ContactSettings,
  ContactTag,
  ContactTagList,
  ContactTagPatch,
  ContactUpdateRequest,
  Id,
  Segment,
  SegmentList,
  SegmentRules,
  Timeline,
} from "../../api/types";
import { filterParams, type ContactFilters, type ContactSorting } from "./filters";

const enc = encodeURIComponent;
export const PAGE_SIZE = 50;
/** The server's cap on `ids` per bulk request. */
export const BULK_MAX_IDS = 1000;

function withQuery(path: string, params: URLSearchParams): string {
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

export function listUrl(filters: ContactFilters, sorting: ContactSorting, cursor?: string | null): string {
  const params = filterParams(filters);
  params.set("sort", sorting.sort);
  params.set("order", sorting.order);
  params.set("limit", String(PAGE_SIZE));
  if (cursor) params.set("cursor", cursor);
  return withQuery("/api/contacts", params);
}

/** The CSV download of the contacts the filters select (a plain link: the browser saves it). */
export function exportUrl(filters: ContactFilters): string {
  return withQuery("/api/contacts/export", filterParams(filters));
}

export const contactsApi = {
  list: (filters: ContactFilters, sorting: ContactSorting, cursor?: string | null) =>
    api.get<ContactList>(listUrl(filters, sorting, cursor)),
  count: (filters: ContactFilters) => api.get<ContactCount>(withQuery("/api/contacts/count", filterParams(filters))),
  get: (id: Id) => api.get<Contact>(`/api/contacts/${enc(id)}`),
  create: (body: ContactCreateRequest) => api.post<Contact>("/api/contacts", body),
  update: (id: Id, body: ContactUpdateRequest) => api.patch<Contact>(`/api/contacts/${enc(id)}`, body),
  remove: (id: Id) => api.delete(`/api/contacts/${enc(id)}`),
  bulk: (body: BulkRequest) => api.post<BulkResult>("/api/contacts/bulk", body),
  timeline: (id: Id, cursor?: string | null) =>
    api.get<Timeline>(`/api/contacts/${enc(id)}/timeline${cursor ? `?cursor=${enc(cursor)}` : ""}`),
  settings: () => api.get<ContactSettings>("/api/contacts/settings"),
  saveSettings: (body: ContactSettings) => api.put<ContactSettings>("/api/contacts/settings", body),
};

export const tagsApi = {
  list: () => api.get<ContactTagList>("/api/tags"),
  update: (id: Id, body: ContactTagPatch) => api.patch<ContactTag>(`/api/tags/${enc(id)}`, body),
  remove: (id: Id) => api.delete(`/api/tags/${enc(id)}`),
};

export const attributesApi = {
  list: () => api.get<AttributeDefinitionList>("/api/contact-attributes"),
  create: (body: AttributeDefinitionRequest) => api.post<AttributeDefinition>("/api/contact-attributes", body),
  update: (id: Id, body: { label: string }) =>
    api.patch<AttributeDefinition>(`/api/contact-attributes/${enc(id)}`, body),
  remove: (id: Id) => api.delete(`/api/contact-attributes/${enc(id)}`),
};

export const segmentsApi = {
  list: () => api.get<SegmentList>("/api/segments"),
  create: (body: { name: string; rules: SegmentRules }) => api.post<Segment>("/api/segments", body),
  remove: (id: Id) => api.delete(`/api/segments/${enc(id)}`),
  preview: (rules: SegmentRules) => api.post<ContactCount>("/api/segments/preview", { rules }),
};

export const contactKeys = {
  all: ["contacts"] as const,
  list: (filters: ContactFilters, sorting: ContactSorting) => ["contacts", "list", filters, sorting] as const,
  count: (filters: ContactFilters) => ["contacts", "count", filters] as const,
  one: (id: Id) => ["contacts", "one", id] as const,
  timeline: (id: Id) => ["contacts", "timeline", id] as const,
  settings: ["contact-settings"] as const,
  tags: ["tags"] as const,
  attributes: ["contact-attributes"] as const,
  segments: ["segments"] as const,
};
