/** Test data and jsdom set-up shared by the contacts tests. */
import { vi } from "vitest";
import type { Contact } from "../../api/types";

export function contact(n: number, extra: Partial<Contact> = {}): Contact {
  const digits = String(n).padStart(4, "0");
  return {
    id: `c${n}`,
    name: `Contact ${digits}`,
    phone: `+54911000${digits}`,
    wa_id: `54911000${digits}`,
    bsuid: null,
    notes: null,
    attributes: {},
    tags: [],
    opted_out: false,
    opted_out_at: null,
    last_activity_at: null,
    created_at: "2026-11-01T10:00:00Z",
    updated_at: "2026-11-01T10:00:00Z",
    ...extra,
  };
}

/**
 * jsdom lays nothing out, so every element is 0 px tall and a virtualiser would show no rows:
 * give scroll containers a viewport's height (600 px, about a dozen 52 px rows).
 */
export function stubLayout(height = 600): () => void {
  const original = Object.getOwnPropertyDescriptor(HTMLElement.prototype, "clientHeight");
  Object.defineProperty(HTMLElement.prototype, "clientHeight", { configurable: true, get: () => height });
  return () => {
    if (original) Object.defineProperty(HTMLElement.prototype, "clientHeight", original);
  };
}

/** The query parameters of a recorded request URL. */
export function paramsOf(url: string): URLSearchParams {
  return new URL(url, "http://localhost").searchParams;
}

export interface Call {
  url: string;
  method: string;
  body: unknown;
}

export interface Handler {
  method?: string;
  path: string | RegExp;
  /** The answer's body (with `status`, 200 by default), or `reply(status, body)`. */
  respond: (url: string, body: unknown) => unknown;
  status?: number;
}

interface Reply {
  __reply: true;
  status: number;
  body?: unknown;
}

/** An answer with its own status, from a handler's `respond`. */
export const reply = (status: number, body?: unknown): Reply => ({ __reply: true, status, body });

const isReply = (value: unknown): value is Reply =>
  typeof value === "object" && value !== null && "__reply" in value;

/**
 * Replaces global fetch (the network boundary) with handlers that see the URL and the body,
 * so one fake serves every filter and page; records each call.
 */
export function stubApi(handlers: Handler[]) {
  const calls: Call[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const method = (init.method ?? "GET").toUpperCase();
    const body = typeof init.body === "string" ? JSON.parse(init.body) : undefined;
    calls.push({ url, method, body });
    const path = url.split("?")[0];
    const handler = handlers.find(
      (h) => (h.method ?? "GET") === method && (typeof h.path === "string" ? h.path === path : h.path.test(path)),
    );
    if (!handler) return new Response(JSON.stringify({ error: `No mock for ${method} ${url}` }), { status: 500 });
    const out = handler.respond(url, body);
    const answer = isReply(out) ? out : { status: handler.status ?? 200, body: out };
    return new Response(answer.status === 204 ? null : JSON.stringify(answer.body ?? {}), {
      status: answer.status,
      headers: { "Content-Type": "application/json" },
    });
  });
  vi.stubGlobal("fetch", fetchMock);
  return { calls, fetchMock };
}
