import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { routes } from "../../router";
import { mockFetch, ownerSession, renderRoutes } from "../../test/utils";

describe("settings", () => {
  it("/settings opens the WhatsApp tab", async () => {
    mockFetch([{ path: "/api/whatsapp-accounts", body: [] }]);
    const { router } = renderRoutes(routes, { path: "/settings", session: ownerSession });
    await waitFor(() => expect(router.state.location.pathname).toBe("/settings/whatsapp"));
    expect(await screen.findByTestId("wa-add")).toBeInTheDocument();
  });

  it("shows the invitation link once after inviting", async () => {
    const { calls } = mockFetch([
      { path: "/api/members", body: [{ userId: "u1", name: "Ada Lovelace", email: "ada@example.com", role: "owner", joinedAt: "2025-01-01T00:00:00Z" }] },
      { path: "/api/invitations", body: [] },
      {
        method: "POST",
        path: "/api/invitations",
        status: 201,
        body: { id: "i1", email: "bob@example.com", role: "admin", createdAt: "2025-01-01T00:00:00Z", expiresAt: "2025-01-08T00:00:00Z", token: "tok", inviteUrl: "http://localhost:8000/invite/tok" },
      },
    ]);
    renderRoutes(routes, { path: "/settings/members", session: ownerSession });
    const user = userEvent.setup();
    await user.type(await screen.findByTestId("invite-email"), "bob@example.com");
    await user.selectOptions(screen.getByTestId("invite-role"), "admin");
    await user.click(screen.getByTestId("invite-submit"));
    expect(await screen.findByTestId("invite-url")).toHaveTextContent("http://localhost:8000/invite/tok");
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({ email: "bob@example.com", role: "admin" });
  });

  it("shows a new API key once in a dialog", async () => {
    mockFetch([
      { path: "/api/api-keys", body: [] },
      {
        method: "POST",
        path: "/api/api-keys",
        status: 201,
        body: { id: "k1", name: "CRM", prefix: "fin_ab12", createdAt: "2025-01-01T00:00:00Z", lastUsedAt: null, revokedAt: null, key: "fin_ab12_secret" },
      },
    ]);
    renderRoutes(routes, { path: "/settings/api-keys", session: ownerSession });
    const user = userEvent.setup();
    await user.type(await screen.findByTestId("apikey-name"), "CRM");
    await user.click(screen.getByTestId("apikey-create"));
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByTestId("apikey-value")).toHaveTextContent("fin_ab12_secret");
    expect(dialog).toHaveTextContent("will not be shown again");
    await user.click(within(dialog).getByTestId("apikey-dialog-close"));
    expect(screen.queryByTestId("apikey-value")).not.toBeInTheDocument();
  });

  it("agents cannot manage API keys", async () => {
    mockFetch([]);
    renderRoutes(routes, { path: "/settings/api-keys", session: { ...ownerSession, role: "agent" } });
    expect(await screen.findByTestId("empty-state")).toHaveTextContent("Only owners and admins");
    expect(screen.queryByTestId("apikey-create")).not.toBeInTheDocument();
  });

  it("unknown routes inside the app show the 404 page", async () => {
    mockFetch([]);
    renderRoutes(routes, { path: "/does-not-exist", session: ownerSession });
    expect(await screen.findByTestId("not-found")).toBeInTheDocument();
    expect(screen.getByTestId("app-shell")).toBeInTheDocument();
  });
});
