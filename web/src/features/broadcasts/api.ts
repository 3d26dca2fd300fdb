/** Calls of the broadcasts API (docs/api.md#broadcasts, docs/broadcasts.md). */
import { api } from "../../api/client";
import { postFile } from "../../api/upload";
import type {
  AudiencePreview,
  AudiencePreviewRequest,
  AudienceUpload,
  Broadcast,
  BroadcastCreateRequest,
  BroadcastList,
  BroadcastPatchRequest,
  BroadcastRecipientList,
  Id,
  RecipientState,
} from "../../api/types";

const enc = encodeURIComponent;
export const RECIPIENTS_PAGE = 100;

export function recipientsUrl(id: Id, status: RecipientState | "", cursor?: string | null): string {
  const params = new URLSearchParams({ limit: String(RECIPIENTS_PAGE) });
  if (status) params.set("status", status);
  if (cursor) params.set("cursor", cursor);
  return `/api/broadcasts/${enc(id)}/recipients?${params.toString()}`;
}

/** Every recipient as CSV (a plain link: the browser saves it). */
export const recipientsCsvUrl = (id: Id) => `/api/broadcasts/${enc(id)}/recipients.csv`;

export const broadcastsApi = {
  list: (cursor?: string | null) =>
    api.get<BroadcastList>(`/api/broadcasts${cursor ? `?cursor=${enc(cursor)}` : ""}`),
  get: (id: Id) => api.get<Broadcast>(`/api/broadcasts/${enc(id)}`),
  create: (body: BroadcastCreateRequest) => api.post<Broadcast>("/api/broadcasts", body),
  update: (id: Id, body: BroadcastPatchRequest) => api.patch<Broadcast>(`/api/broadcasts/${enc(id)}`, body),
  remove: (id: Id) => api.delete(`/api/broadcasts/${enc(id)}`),
  launch: (id: Id, scheduledAt?: string | null) =>
    api.post<Broadcast>(`/api/broadcasts/${enc(id)}/launch`, scheduledAt ? { scheduledAt } : {}),
  pause: (id: Id) => api.post<Broadcast>(`/api/broadcasts/${enc(id)}/pause`),
  resume: (id: Id) => api.post<Broadcast>(`/api/broadcasts/${enc(id)}/resume`),
  cancel: (id: Id) => api.post<Broadcast>(`/api/broadcasts/${enc(id)}/cancel`),
  preview: (body: AudiencePreviewRequest) => api.post<AudiencePreview>("/api/broadcasts/audience-preview", body),
  upload: (file: File) => postFile<AudienceUpload>("/api/broadcasts/audience-upload", file),
  recipients: (id: Id, status: RecipientState | "", cursor?: string | null) =>
    api.get<BroadcastRecipientList>(recipientsUrl(id, status, cursor)),
};

export const broadcastKeys = {
  all: ["broadcasts"] as const,
  list: ["broadcasts", "list"] as const,
  one: (id: Id) => ["broadcasts", "one", id] as const,
  recipients: (id: Id, status: string) => ["broadcasts", "recipients", id, status] as const,
  preview: (body: unknown) => ["broadcasts", "preview", body] as const,
};
