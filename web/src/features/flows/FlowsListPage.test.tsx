import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { routes } from "../../router";
import { mockFetch, ownerSession, renderRoutes } from "../../test/utils";

const flows = [
  {
    id: "f1",
    name: "Welcome menu",
    trigger: "hola, hi",
    status: "Active",
    is_default: true,
    published_version: 3,
    live_sessions: 12,
    updated_at: "2025-03-01T10:00:00Z",
  },
  {
    id: "f2",
    name: "Order status",
    trigger: null,
    status: "Draft",
    is_default: false,
    published_version: null,
    live_sessions: 0,
    updated_at: "2025-03-02T10:00:00Z",
  },
];

describe("FlowsListPage", () => {
  it("renders the flows from the API", async () => {
    mockFetch([{ path: "/api/flows", body: flows }]);
    renderRoutes(routes, { path: "/flows", session: ownerSession });
    const rows = await screen.findAllByTestId("flow-row");
    expect(rows).toHaveLength(2);
    const first = within(rows[0]);
    expect(first.getByText("Welcome menu")).toHaveAttribute("href", "/flows/f1");
    expect(first.getByTestId("flow-status")).toHaveTextContent("Active");
    expect(first.getByTestId("flow-row-default")).toHaveTextContent("Default");
    expect(first.getByText("hola")).toBeInTheDocument();
    expect(first.getByText("hi")).toBeInTheDocument();
    expect(first.getByTestId("flow-row-sessions")).toHaveTextContent("12");
    expect(first.getByText("Version 3 live")).toBeInTheDocument();
    expect(first.getByTestId("flow-row-toggle")).toHaveTextContent("Deactivate");
    const second = within(rows[1]);
    expect(second.getByTestId("flow-status")).toHaveTextContent("Draft");
    expect(second.getByText("No keyword")).toBeInTheDocument();
    expect(second.getByText("Never published")).toBeInTheDocument();
    expect(second.getByTestId("flow-row-toggle")).toHaveTextContent("Activate");
  });

  it("filters by status and search", async () => {
    mockFetch([{ path: "/api/flows", body: flows }]);
    renderRoutes(routes, { path: "/flows", session: ownerSession });
    await screen.findAllByTestId("flow-row");
    const user = userEvent.setup();
    await user.click(screen.getByTestId("flows-filter-Draft"));
    expect(screen.getAllByTestId("flow-row").map((r) => r.dataset.id)).toEqual(["f2"]);
    await user.click(screen.getByTestId("flows-filter-all"));
    await user.type(screen.getByTestId("flows-search"), "HOLA");
    expect(screen.getAllByTestId("flow-row").map((r) => r.dataset.id)).toEqual(["f1"]);
  });

  it("shows the empty state with a call to action", async () => {
    mockFetch([{ path: "/api/flows", body: [] }]);
    renderRoutes(routes, { path: "/flows", session: ownerSession });
    expect(await screen.findByTestId("empty-state")).toHaveTextContent("No flows yet");
    expect(screen.getByTestId("flows-empty-create")).toHaveTextContent("Create your first flow");
  });

  it("activates, and deletes after confirming", async () => {
    const { calls } = mockFetch([
      { path: "/api/flows", body: flows },
      { method: "PUT", path: "/api/flows/f2", body: { ...flows[1], status: "Active" } },
      { method: "DELETE", path: "/api/flows/f2", status: 204 },
    ]);
    renderRoutes(routes, { path: "/flows", session: ownerSession });
    const rows = await screen.findAllByTestId("flow-row");
    const user = userEvent.setup();
    await user.click(within(rows[1]).getByTestId("flow-row-toggle"));
    await waitFor(() => expect(calls.some((c) => c.method === "PUT")).toBe(true));
    expect(calls.find((c) => c.method === "PUT")!.body).toEqual({ status: "Active" });

    await user.click(within(rows[1]).getByTestId("flow-row-menu"));
    await user.click(screen.getByTestId("flow-row-delete"));
    expect(screen.getByTestId("confirm-dialog")).toHaveTextContent("“Order status”");
    await user.click(screen.getByTestId("confirm-accept"));
    await waitFor(() => expect(calls.some((c) => c.method === "DELETE" && c.url === "/api/flows/f2")).toBe(true));
  });

  it("creates a flow with a starter definition and opens the builder", async () => {
    const { calls } = mockFetch([
      { path: "/api/flows", body: [] },
      { method: "POST", path: "/api/flows", body: { id: "f9", name: "Leads", status: "Draft" } },
      { path: "/api/flows/f9", body: { id: "f9", name: "Leads", status: "Draft", definition: { nodes: [], edges: [] } } },
    ]);
    const { router } = renderRoutes(routes, { path: "/flows", session: ownerSession });
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("flows-empty-create"));
    await user.type(screen.getByTestId("flow-create-name"), "Leads");
    await user.click(screen.getByTestId("flow-create-submit"));
    await waitFor(() => expect(router.state.location.pathname).toBe("/flows/f9"));
    const body = calls.find((c) => c.method === "POST")!.body as { name: string; definition: { nodes: Array<{ type: string }> } };
    expect(body.name).toBe("Leads");
    expect(body.definition.nodes.map((n) => n.type)).toEqual(["trigger", "message"]);
  });
});
