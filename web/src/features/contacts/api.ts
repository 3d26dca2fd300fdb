/**
 * Calls of the contacts list and the CSV import/export API (docs/api.md, "Contact import and
 * export"). Same conventions as api/client.ts; the upload goes out as multipart.
 */
import { ApiError, CSRF_COOKIE, CSRF_HEADER, api, readCookie, request } from "../../api/client";

const enc = encodeURIComponent;

export interface ContactRow {
  id: string;
  name: string | null;
  phone: string | null;
  wa_id: string | null;
  tags: string[];
  opted_out: boolean;
  last_activity_at: string | null;
  created_at: string;
}

export interface ContactPage {
  contacts: ContactRow[];
  next_cursor: string | null;
}

export interface AttributeDefinition {
  id: string;
  key: string;
  label: string;
  type: "text" | "number" | "date" | "boolean";
}

export type ImportStatus = "uploaded" | "queued" | "running" | "completed" | "failed";

export interface ContactImport {
  id: string;
  filename: string;
  status: ImportStatus;
  encoding: string;
  delimiter: string;
  headers: string[];
  mapping: string[] | null;
  default_country: string | null;
  add_tags: string[];
  on_duplicate: string;
  total_bytes: number;
  bytes_read: number;
  progress: number;
  rows_read: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  error: string | null;
  errors_url: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface ImportColumn {
  index: number;
  header: string;
  suggested: string;
  samples: string[];
}

export interface UploadedImport extends ContactImport {
  columns: ImportColumn[];
  sample_rows: string[][];
  suggested_mapping: string[];
}

export interface StartImportRequest {
  mapping: string[];
  default_country?: string | null;
  add_tags?: string[];
  on_duplicate?: "merge" | "skip";
}

/** The fixed targets a column can map to, besides `attribute:<key>`. */
export const FIELD_TARGETS = ["ignore", "phone", "name", "tags", "opted_out", "notes"] as const;

export function isFinished(status: ImportStatus | undefined): boolean {
  return status === "completed" || status === "failed";
}

/** The multipart upload (api/client.ts sends JSON only); errors come back as ApiError. */
async function uploadCsv(file: File): Promise<UploadedImport> {
  const form = new FormData();
  form.append("file", file, file.name);
  const headers: Record<string, string> = { Accept: "application/json" };
  const csrf = readCookie(CSRF_COOKIE);
  if (csrf) headers[CSRF_HEADER] = csrf;
  let response: Response;
  try {
    response = await fetch("/api/contacts/import", {
      method: "POST",
      headers,
      body: form,
      credentials: "same-origin",
    });
  } catch {
    throw new ApiError(0, "");
  }
  let data: Record<string, unknown> = {};
  try {
    data = (await response.json()) as Record<string, unknown>;
  } catch {
    data = {};
  }
  if (response.status === 401) {
    // The shared client sends the user to the login page.
    return request<UploadedImport>("/api/auth/me");
  }
  if (!response.ok) {
    const fields: Record<string, string> = {};
    const raw = data.fields;
    if (raw && typeof raw === "object") {
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) fields[k] = String(v);
    }
    throw new ApiError(response.status, data.error != null ? String(data.error) : "", fields);
  }
  return data as unknown as UploadedImport;
}

export function listSearch(query: { q?: string; cursor?: string | null; limit?: number }): string {
  const params = new URLSearchParams();
  if (query.q?.trim()) params.set("q", query.q.trim());
  if (query.cursor) params.set("cursor", query.cursor);
  if (query.limit) params.set("limit", String(query.limit));
  const s = params.toString();
  return s ? `?${s}` : "";
}

export const contactsApi = {
  list: (query: { q?: string; cursor?: string | null; limit?: number }) =>
    api.get<ContactPage>(`/api/contacts${listSearch(query)}`),
  attributes: () => api.get<{ attributes: AttributeDefinition[] }>("/api/contact-attributes"),
  exportUrl: (q?: string) => `/api/contacts/export${listSearch({ q })}`,
  upload: uploadCsv,
  start: (id: string, body: StartImportRequest) =>
    api.post<ContactImport>(`/api/contacts/imports/${enc(id)}/start`, body),
  get: (id: string) => api.get<ContactImport>(`/api/contacts/imports/${enc(id)}`),
};

export const contactKeys = {
  all: ["contacts"] as const,
  lists: ["contacts", "list"] as const,
  list: (q: string) => ["contacts", "list", q] as const,
  attributes: ["contacts", "attributes"] as const,
  import: (id: string) => ["contacts", "import", id] as const,
};
