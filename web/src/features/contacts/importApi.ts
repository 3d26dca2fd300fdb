/**
 * Calls of the CSV import API (docs/api.md, "Contact import and export"). Same conventions as
 * api/client.ts; the upload goes out as multipart.
 */
import { api } from "../../api/client";
import { postFile } from "../../api/upload";
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

/** The multipart upload; errors come back as ApiError. */
const uploadCsv = (file: File) => postFile<UploadedImport>("/api/contacts/import", file);

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
