/**
 * Multipart uploads (api/client.ts sends JSON only): same cookies, CSRF header and ApiError as
 * the shared client; a 401 goes through it so the user lands on the login page.
 */
import { ApiError, CSRF_COOKIE, CSRF_HEADER, readCookie, request } from "./client";

export async function postFile<T>(path: string, file: File, field = "file"): Promise<T> {
  const form = new FormData();
  form.append(field, file, file.name);
  const headers: Record<string, string> = { Accept: "application/json" };
  const csrf = readCookie(CSRF_COOKIE);
  if (csrf) headers[CSRF_HEADER] = csrf;
  let response: Response;
  try {
    response = await fetch(path, { method: "POST", headers, body: form, credentials: "same-origin" });
  } catch {
    throw new ApiError(0, "");
  }
  let data: Record<string, unknown> = {};
  try {
    data = (await response.json()) as Record<string, unknown>;
  } catch {
    data = {};
  }
  if (response.status === 401) return request<T>("/api/auth/me");
  if (!response.ok) {
    const fields: Record<string, string> = {};
    const raw = data.fields;
    if (raw && typeof raw === "object") {
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) fields[k] = String(v);
    }
    throw new ApiError(response.status, data.error != null ? String(data.error) : "", fields);
  }
  return data as unknown as T;
}
