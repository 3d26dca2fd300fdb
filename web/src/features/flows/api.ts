/**
 * Calls of the flows API (docs/flows.md §6).
 *
 * Same conventions as api/client.ts (same-origin cookies, JSON, CSRF header on unsafe
 * methods), but errors keep the `problems` list the flows endpoints add to 400 answers.
 */
import { ApiError, CSRF_COOKIE, CSRF_HEADER, readCookie, request, type HttpMethod } from "../../api/client";
import type {
  CreateFlowRequest,
  FlowAnalytics,
  FlowDefinition,
  FlowDetail,
  FlowExport,
  FlowStatus,
  FlowSummary,
  FlowVersion,
  Problem,
  Severity,
  SimulateRequest,
  SimulateResponse,
  UpdateFlowRequest,
  ValidateResponse,
} from "./types";

/** An API error that may carry validation problems (400 from save, validate or publish). */
export class FlowApiError extends ApiError {
  readonly problems: Problem[];

  constructor(status: number, message: string, fields: Record<string, string>, problems: Problem[]) {
    super(status, message, fields);
    this.name = "FlowApiError";
    this.problems = problems;
  }
}

export function problemsOf(error: unknown): Problem[] {
  return error instanceof FlowApiError ? error.problems : [];
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

const SEVERITIES: Severity[] = ["error", "incomplete", "warning", "info"];

export function normalizeProblems(value: unknown): Problem[] {
  const list = Array.isArray(value) ? value : Array.isArray(asRecord(value)?.problems) ? (asRecord(value)!.problems as unknown[]) : [];
  return list
    .map((item): Problem | null => {
      const p = asRecord(item);
      if (!p) return typeof item === "string" ? { message: item, severity: "error" } : null;
      const severity = String(p.severity ?? "error").toLowerCase() as Severity;
      return {
        node: p.node == null ? null : String(p.node),
        field: p.field == null ? null : String(p.field),
        message: String(p.message ?? ""),
        severity: SEVERITIES.includes(severity) ? severity : "error",
      };
    })
    .filter((p): p is Problem => p !== null);
}

async function flowRequest<T>(path: string, method: HttpMethod = "GET", body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  let payload: string | undefined;
  if (body !== undefined) {
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
    return request<T>(path, { method, body });
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
    const record = asRecord(data);
    const fields: Record<string, string> = {};
    const rawFields = asRecord(record?.fields);
    if (rawFields) for (const [k, v] of Object.entries(rawFields)) fields[k] = String(v);
    throw new FlowApiError(
      response.status,
      record?.error != null ? String(record.error) : "",
      fields,
      normalizeProblems(record?.problems),
    );
  }
  return data as T;
}

const STATUSES: FlowStatus[] = ["Draft", "Active", "Inactive"];

export function normalizeStatus(value: unknown): FlowStatus {
  const s = String(value ?? "").toLowerCase();
  return STATUSES.find((x) => x.toLowerCase() === s) ?? "Draft";
}

function num(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() && Number.isFinite(Number(value))) return Number(value);
  return null;
}

/** Reads a flow as the server sends it (snake_case or camelCase). */
export function normalizeFlow(raw: unknown): FlowSummary {
  const r = asRecord(raw) ?? {};
  const pick = (...keys: string[]) => keys.map((k) => r[k]).find((v) => v !== undefined);
  const trigger = pick("trigger", "keyword");
  const triggers = Array.isArray(r.triggers) ? r.triggers.map(String) : undefined;
  return {
    id: String(r.id ?? ""),
    name: String(r.name ?? ""),
    trigger: Array.isArray(trigger) ? trigger.join(", ") : trigger == null ? null : String(trigger),
    status: normalizeStatus(r.status),
    is_default: Boolean(pick("is_default", "isDefault")),
    published_version: num(pick("published_version", "publishedVersion", "version")),
    live_sessions: num(pick("live_sessions", "liveSessions", "sessions")) ?? 0,
    updated_at: (pick("updated_at", "updatedAt") as string | undefined) ?? null,
    interrupts: Boolean(pick("interrupts")),
    triggers,
  };
}

/** Accepts a definition object or a JSON string of one (the original API allowed both). */
export function normalizeDefinition(raw: unknown): FlowDefinition {
  let value = raw;
  if (typeof value === "string") {
    try {
      value = value.trim() ? JSON.parse(value) : {};
    } catch {
      value = {};
    }
  }
  const r = asRecord(value) ?? {};
  return {
    ...r,
    nodes: Array.isArray(r.nodes) ? (r.nodes as FlowDefinition["nodes"]) : [],
    edges: Array.isArray(r.edges) ? (r.edges as FlowDefinition["edges"]) : [],
  };
}

export function normalizeFlowDetail(raw: unknown): FlowDetail {
  const r = asRecord(raw) ?? {};
  return { ...normalizeFlow(raw), definition: normalizeDefinition(r.definition) };
}

function listOf(raw: unknown, ...keys: string[]): unknown[] {
  if (Array.isArray(raw)) return raw;
  const r = asRecord(raw);
  for (const key of keys) if (r && Array.isArray(r[key])) return r[key] as unknown[];
  return [];
}

export function normalizeVersion(raw: unknown): FlowVersion {
  const r = asRecord(raw) ?? {};
  return {
    version: num(r.version) ?? 0,
    created_at: ((r.created_at ?? r.createdAt ?? r.published_at ?? r.publishedAt) as string | undefined) ?? null,
    is_live: Boolean(r.is_live ?? r.isLive ?? r.live ?? r.current),
    definition: r.definition !== undefined ? normalizeDefinition(r.definition) : undefined,
  };
}

const enc = encodeURIComponent;
const base = (id: string) => `/api/flows/${enc(id)}`;

export const flowsApi = {
  list: async () => listOf(await flowRequest<unknown>("/api/flows"), "flows", "items").map(normalizeFlow),
  get: async (id: string) => normalizeFlowDetail(await flowRequest<unknown>(base(id))),
  create: async (body: CreateFlowRequest) => normalizeFlow(await flowRequest<unknown>("/api/flows", "POST", body)),
  update: async (id: string, body: UpdateFlowRequest) => flowRequest<unknown>(base(id), "PUT", body),
  remove: (id: string) => flowRequest<void>(base(id), "DELETE"),
  duplicate: async (id: string) => normalizeFlow(await flowRequest<unknown>(`${base(id)}/duplicate`, "POST")),
  import: async (body: unknown) => normalizeFlow(await flowRequest<unknown>("/api/flows/import", "POST", body)),
  export: (id: string) => flowRequest<FlowExport>(`${base(id)}/export`),
  validate: async (id: string, definition?: FlowDefinition): Promise<ValidateResponse> => ({
    problems: normalizeProblems(
      await flowRequest<unknown>(`${base(id)}/validate`, "POST", definition ? { definition } : undefined),
    ),
  }),
  publish: (id: string) => flowRequest<Record<string, unknown>>(`${base(id)}/publish`, "POST"),
  versions: async (id: string) =>
    listOf(await flowRequest<unknown>(`${base(id)}/versions`), "versions", "items")
      .map(normalizeVersion)
      .sort((a, b) => b.version - a.version),
  version: async (id: string, version: number) =>
    normalizeVersion(await flowRequest<unknown>(`${base(id)}/versions/${version}`)),
  rollback: (id: string, version: number) =>
    flowRequest<unknown>(`${base(id)}/versions/${version}/rollback`, "POST"),
  analytics: async (id: string): Promise<FlowAnalytics> => {
    const raw = asRecord(await flowRequest<unknown>(`${base(id)}/analytics`)) ?? {};
    const nodes = asRecord(raw.nodes) ?? {};
    const out: FlowAnalytics["nodes"] = {};
    for (const [nodeId, stats] of Object.entries(nodes)) {
      const s = asRecord(stats) ?? {};
      out[nodeId] = { reached: num(s.reached) ?? 0, stopped: num(s.stopped) ?? 0 };
    }
    return { nodes: out };
  },
  simulate: (id: string, body: SimulateRequest) => flowRequest<SimulateResponse>(`${base(id)}/simulate`, "POST", body),
};

export const flowKeys = {
  all: ["flows"] as const,
  list: ["flows", "list"] as const,
  detail: (id: string) => ["flows", "detail", id] as const,
  versions: (id: string) => ["flows", "versions", id] as const,
  version: (id: string, version: number) => ["flows", "versions", id, version] as const,
  analytics: (id: string) => ["flows", "analytics", id] as const,
};
