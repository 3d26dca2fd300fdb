/**
 * Calls of the conversations API (docs/inbox.md §2).
 *
 * Same conventions as api/client.ts (same-origin cookies, JSON, CSRF header on unsafe
 * methods), but errors keep the `code` the inbox adds (e.g. 422 "window_closed"), and media
 * uploads go out as multipart.
 */
import { ApiError, CSRF_COOKIE, CSRF_HEADER, readCookie, request, type HttpMethod } from "../../api/client";
import type {
  CannedResponseEnvelope,
  CannedResponseList,
  CannedResponseRequest,
  ConversationCounts,
  ConversationEnvelope,
  ConversationListQuery,
  ConversationListResponse,
  ConversationThreadResponse,
  Id,
  MessageEnvelope,
  SendMessageRequest,
  UpdateConversationRequest,
  UploadedMedia,
} from "../../api/types";

/** An API error with the inbox's machine-readable `code` (and the whole body). */
export class InboxApiError extends ApiError {
  readonly code: string | null;
  readonly body: Record<string, unknown>;

  constructor(status: number, message: string, fields: Record<string, string>, body: Record<string, unknown>) {
    super(status, message, fields);
    this.name = "InboxApiError";
    this.body = body;
    this.code = typeof body.code === "string" ? body.code : null;
  }
}

export function errorCode(error: unknown): string | null {
  return error instanceof InboxApiError ? error.code : null;
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

async function inboxRequest<T>(path: string, method: HttpMethod = "GET", body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  let payload: string | FormData | undefined;
  if (body instanceof FormData) {
    payload = body;
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  if (method !== "GET") {
    const csrf = readCookie(CSRF_COOKIE);
    if (csrf) headers[CSRF_HEADER] = csrf;
  }
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
  } catch {
    throw new ApiError(0, "");
  }
  if (response.status === 401) {
    // Let the shared client handle it (it sends the user to the login page).
    return request<T>(path, { method, body: body instanceof FormData ? undefined : body });
  }
  const text = response.status === 204 ? "" : await response.text();
  let data: unknown;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!response.ok) {
    const record = asRecord(data) ?? {};
    const fields: Record<string, string> = {};
    const rawFields = asRecord(record.fields);
    if (rawFields) for (const [k, v] of Object.entries(rawFields)) fields[k] = String(v);
    throw new InboxApiError(response.status, record.error != null ? String(record.error) : "", fields, record);
  }
  return data as T;
}

const enc = encodeURIComponent;
const base = (contactId: Id) => `/api/conversations/${enc(contactId)}`;

/** The query string of a list request (repeatable `status`; empty values left out). */
export function listSearch(query: ConversationListQuery): string {
  const params = new URLSearchParams();
  for (const s of query.status ?? []) params.append("status", s);
  if (query.assignee) params.set("assignee", query.assignee);
  if (query.mode) params.set("mode", query.mode);
  if (query.tag) params.set("tag", query.tag);
  if (query.unread) params.set("unread", "true");
  if (query.q?.trim()) params.set("q", query.q.trim());
  if (query.cursor) params.set("cursor", query.cursor);
  if (query.limit) params.set("limit", String(query.limit));
  const s = params.toString();
  return s ? `?${s}` : "";
}

export const inboxApi = {
  list: (query: ConversationListQuery) =>
    inboxRequest<ConversationListResponse>(`/api/conversations${listSearch(query)}`),
  counts: () => inboxRequest<ConversationCounts>("/api/conversations/counts"),
  thread: (contactId: Id, page: { before?: string; after?: string; limit?: number } = {}) => {
    const params = new URLSearchParams();
    if (page.before) params.set("before", page.before);
    if (page.after) params.set("after", page.after);
    if (page.limit) params.set("limit", String(page.limit));
    const s = params.toString();
    return inboxRequest<ConversationThreadResponse>(`${base(contactId)}${s ? `?${s}` : ""}`);
  },
  send: (contactId: Id, body: SendMessageRequest) => inboxRequest<MessageEnvelope>(base(contactId), "POST", body),
  upload: (contactId: Id, file: File) => {
    const form = new FormData();
    form.append("file", file, file.name);
    return inboxRequest<UploadedMedia>(`${base(contactId)}/media`, "POST", form);
  },
  update: (contactId: Id, body: UpdateConversationRequest) =>
    inboxRequest<ConversationEnvelope>(base(contactId), "PATCH", body),
  read: (contactId: Id) => inboxRequest<ConversationEnvelope>(`${base(contactId)}/read`, "POST"),
  resume: (contactId: Id) => inboxRequest<ConversationEnvelope>(`${base(contactId)}/resume`, "POST"),
  note: (contactId: Id, text: string) => inboxRequest<MessageEnvelope>(`${base(contactId)}/notes`, "POST", { text }),
  tags: (contactId: Id, tags: string[]) =>
    inboxRequest<ConversationEnvelope>(`${base(contactId)}/tags`, "PUT", { tags }),
  cannedResponses: () => inboxRequest<CannedResponseList>("/api/canned-responses"),
  // Managing them (owners and admins); invalidate inboxKeys.canned afterwards so the composer sees the change.
  createCannedResponse: (body: CannedResponseRequest) =>
    inboxRequest<CannedResponseEnvelope>("/api/canned-responses", "POST", body),
  updateCannedResponse: (id: Id, body: CannedResponseRequest) =>
    inboxRequest<CannedResponseEnvelope>(`/api/canned-responses/${enc(id)}`, "PUT", body),
  deleteCannedResponse: (id: Id) => inboxRequest<void>(`/api/canned-responses/${enc(id)}`, "DELETE"),
};

export const inboxKeys = {
  all: ["inbox"] as const,
  lists: ["inbox", "list"] as const,
  list: (query: ConversationListQuery) => ["inbox", "list", query] as const,
  counts: ["inbox", "counts"] as const,
  threads: ["inbox", "thread"] as const,
  thread: (contactId: Id) => ["inbox", "thread", contactId] as const,
  canned: ["inbox", "canned"] as const,
};
