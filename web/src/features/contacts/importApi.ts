/**
 * Calls of the CSV import API (docs/api.md, "Contact import and export"). Same conventions as
 * api/client.ts; the upload goes out as multipart.
 */
import { ApiError, CSRF_COOKIE, CSRF_HEADER, api, readCookie, request } from "../../api/client";
import { attributesApi } from "./api";

const enc = encodeURIComponent;

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

export const importsApi = {
  attributes: attributesApi.list,
  upload: uploadCsv,
  start: (id: string, body: StartImportRequest) =>
    api.post<ContactImport>(`/api/contacts/imports/${enc(id)}/start`, body),
  get: (id: string) => api.get<ContactImport>(`/api/contacts/imports/${enc(id)}`),
};

export const importKeys = {
  import: (id: string) => ["contacts", "import", id] as const,
};
