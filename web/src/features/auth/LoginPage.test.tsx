import { describe, expect, it } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { routes } from "../../router";
import { mockFetch, ownerSession, renderRoutes } from "../../test/utils";

describe("LoginPage", () => {
  it("shows field errors and the error banner from a 400 response", async () => {
    const { calls } = mockFetch([
      { path: "/api/auth/me", status: 401, body: { error: "Not authenticated" } },
      {
        method: "POST",
        path: "/api/auth/login",
        status: 400,
        body: {
          error: "Validation failed: email: value is not a valid email address",
          fields: { email: "value is not a valid email address" },
        },
      },
    ]);
    renderRoutes(routes, { path: "/login" });
    const user = userEvent.setup();

    await user.type(await screen.findByTestId("login-email"), "not-an-email");
    await user.type(screen.getByTestId("login-password"), "secret-password");
    await user.click(screen.getByTestId("login-submit"));

    expect(await screen.findByTestId("field-error-email")).toHaveTextContent("value is not a valid email address");
    expect(screen.getByTestId("form-error")).toHaveTextContent("Validation failed");
    expect(screen.getByTestId("login-email")).toHaveAttribute("aria-invalid", "true");
    expect(screen.queryByTestId("field-error-password")).not.toBeInTheDocument();

    const login = calls.find((c) => c.url === "/api/auth/login");
    expect(login?.body).toEqual({ email: "not-an-email", password: "secret-password" });
  });

  it("shows the banner for bad credentials without leaving the page", async () => {
    mockFetch([
      { path: "/api/auth/me", status: 401, body: { error: "Not authenticated" } },
      { method: "POST", path: "/api/auth/login", status: 401, body: { error: "Invalid credentials" } },
    ]);
    const { router } = renderRoutes(routes, { path: "/login" });
    const user = userEvent.setup();
    await user.type(await screen.findByTestId("login-email"), "ada@example.com");
    await user.type(screen.getByTestId("login-password"), "wrong-password");
    await user.click(screen.getByTestId("login-submit"));
    expect(await screen.findByTestId("form-error")).toHaveTextContent("Invalid credentials");
    expect(router.state.location.pathname).toBe("/login");
  });

  it("signs in and returns to the page the user wanted", async () => {
    mockFetch([
      { path: "/api/auth/me", status: 401, body: { error: "Not authenticated" } },
      {
        method: "POST",
        path: "/api/auth/login",
        body: { id: "u1", name: "Ada Lovelace", email: "ada@example.com", token: "jwt", role: "owner", workspace: { id: "w1", name: "Acme" } },
      },
      { path: "/api/flows", body: [] },
    ]);
    const { router } = renderRoutes(routes, { path: "/flows" });
    // Not signed in: sent to /login, remembering where to go back.
    await waitFor(() => expect(router.state.location.pathname).toBe("/login"));
    expect(router.state.location.search).toBe("?next=%2Fflows");

    const user = userEvent.setup();
    await user.type(await screen.findByTestId("login-email"), "ada@example.com");
    await user.type(screen.getByTestId("login-password"), "correct-horse");
    await user.click(screen.getByTestId("login-submit"));

    await waitFor(() => expect(router.state.location.pathname).toBe("/flows"));
    expect(await screen.findByTestId("app-shell")).toBeInTheDocument();
    expect(await screen.findByTestId("empty-state")).toBeInTheDocument();
  });

  it("redirects a signed-in user away from /login", async () => {
    mockFetch([]);
    const { router } = renderRoutes(routes, { path: "/login", session: ownerSession });
    await waitFor(() => expect(router.state.location.pathname).toBe("/"));
  });
});
