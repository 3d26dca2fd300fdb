import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, api, readCookie, setUnauthorizedHandler } from "./client";
import { mockFetch } from "../test/utils";

function setCsrfCookie(value: string) {
  document.cookie = `finnegans_csrf=${encodeURIComponent(value)}; path=/`;
}

describe("api client", () => {
  afterEach(() => setUnauthorizedHandler(null));

  it("reads cookies by exact name", () => {
    document.cookie = "other_finnegans_csrf=nope; path=/";
    setCsrfCookie("tok/en=1");
    expect(readCookie("finnegans_csrf")).toBe("tok/en=1");
  });

  it.each(["POST", "PUT", "PATCH", "DELETE"] as const)("adds X-CSRF-Token to %s", async (method) => {
    setCsrfCookie("csrf-123");
    const { calls } = mockFetch([{ method, path: "/api/thing", status: method === "DELETE" ? 204 : 200, body: {} }]);
    const send = {
      POST: () => api.post("/api/thing", { a: 1 }),
      PUT: () => api.put("/api/thing", { a: 1 }),
      PATCH: () => api.patch("/api/thing", { a: 1 }),
      DELETE: () => api.delete("/api/thing"),
    }[method];
    await send();
    expect(calls).toHaveLength(1);
    expect(calls[0].headers["x-csrf-token"]).toBe("csrf-123");
  });

  it("does not add the CSRF header to GET and sends same-origin credentials", async () => {
    setCsrfCookie("csrf-123");
    const { calls, fetchMock } = mockFetch([{ path: "/api/thing", body: { ok: true } }]);
    await expect(api.get("/api/thing")).resolves.toEqual({ ok: true });
    expect(calls[0].headers["x-csrf-token"]).toBeUndefined();
    expect(fetchMock.mock.calls[0][1]).toMatchObject({ credentials: "same-origin", method: "GET" });
  });

  it("sends JSON bodies", async () => {
    const { calls } = mockFetch([{ method: "POST", path: "/api/thing", body: {} }]);
    await api.post("/api/thing", { name: "x" });
    expect(calls[0].headers["content-type"]).toBe("application/json");
    expect(calls[0].body).toEqual({ name: "x" });
  });

  it("turns error JSON into ApiError with fields", async () => {
    mockFetch([
      {
        method: "POST",
        path: "/api/thing",
        status: 400,
        body: { error: "Validation failed", fields: { email: "not an e-mail" } },
      },
    ]);
    const error = await api.post("/api/thing", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).message).toBe("Validation failed");
    expect((error as ApiError).fields).toEqual({ email: "not an e-mail" });
  });

  it("calls the unauthorized handler on 401 unless the request opts out", async () => {
    const handler = vi.fn();
    setUnauthorizedHandler(handler);
    mockFetch([{ path: "/api/members", status: 401, body: { error: "Not authenticated" } }]);
    await expect(api.get("/api/members")).rejects.toBeInstanceOf(ApiError);
    expect(handler).toHaveBeenCalledTimes(1);
    await expect(api.get("/api/members", { skipAuthRedirect: true })).rejects.toBeInstanceOf(ApiError);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it("reports network failures as status 0", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    const error = (await api.get("/api/x").catch((e: unknown) => e)) as ApiError;
    expect(error.isNetworkError).toBe(true);
  });
});
