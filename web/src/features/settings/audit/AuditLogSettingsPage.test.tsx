import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { AuditEntry } from "../../../api/types";
import { routes } from "../../../router";
import { mockFetch, ownerSession, renderRoutes } from "../../../test/utils";
import { describeDetails } from "./AuditLogSettingsPage";

const entry = (id: string, action: string, actor: AuditEntry["actor"], details = {}): AuditEntry => ({
  id,
  at: "2026-12-04T10:00:00Z",
  action,
  actor,
  target_type: "flow",
  target_id: "f1",
  details,
  ip: null,
});

describe("settings: audit log", () => {
  it("lists entries with their actor, pages on demand and filters by action", async () => {
    const { calls } = mockFetch([
      {
        path: "/api/audit-log?limit=50",
        body: {
          entries: [
            entry("a1", "flow.created", { kind: "api_key", id: "k1", name: "Zapier" }),
            entry("a2", "member.role_changed", { kind: "user", id: "u1", name: "Ada Lovelace" }, { role: "admin" }),
          ],
          next_cursor: "c2",
        },
      },
      {
        path: "/api/audit-log?limit=50&cursor=c2",
        body: { entries: [entry("a3", "api_key.created", { kind: "system", id: null, name: null })], next_cursor: null },
      },
      { path: /action=flow\.created/, body: { entries: [entry("a1", "flow.created", { kind: "user", id: "u1", name: "Ada" })], next_cursor: null } },
    ]);
    renderRoutes(routes, { path: "/settings/audit-log", session: ownerSession });
    await waitFor(() => expect(screen.getAllByTestId("audit-row")).toHaveLength(2));
    expect(screen.getByTestId("settings-tab-audit")).toHaveAttribute("aria-current", "page");
    const [first, second] = screen.getAllByTestId("audit-row");
    expect(within(first).getByText("API key")).toBeInTheDocument();
    expect(first).toHaveTextContent("Zapier");
    expect(second).toHaveTextContent("member.role_changed");
    expect(second).toHaveTextContent("role: admin");

    await userEvent.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(screen.getAllByTestId("audit-row")).toHaveLength(3));
    expect(screen.getAllByTestId("audit-row")[2]).toHaveTextContent("System");
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();

    await userEvent.type(screen.getByTestId("audit-filter"), "flow.created");
    await waitFor(() => expect(screen.getAllByTestId("audit-row")).toHaveLength(1));
    expect(calls.some((c) => c.url.includes("action=flow.created"))).toBe(true);
  });

  it("says who may see it to agents", async () => {
    mockFetch([]);
    renderRoutes(routes, { path: "/settings/audit-log", session: { ...ownerSession, role: "agent" } });
    expect(await screen.findByText("Owners and admins only")).toBeInTheDocument();
  });

  it("describes details without empty values", () => {
    expect(describeDetails({ role: "admin", note: "", extra: null, fields: ["a", "b"] })).toBe(
      'role: admin · fields: ["a","b"]',
    );
  });
});
