import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { CannedResponse } from "../../../api/types";
import { routes } from "../../../router";
import { mockFetch, ownerSession, renderRoutes, type MockRoute } from "../../../test/utils";
import { inboxKeys } from "../../inbox/api";
import { filterCanned } from "./CannedResponsesSettingsPage";

const PATH = "/settings/canned-responses";
const API = "/api/canned-responses";

const shipping: CannedResponse = { id: "c1", shortcut: "envios", text: "Hacemos envíos a todo el país en 48 h." };
const hours: CannedResponse = { id: "c2", shortcut: "horario", text: "Abrimos de lunes a viernes de 9 a 18." };

/** GET /api/canned-responses answers with whatever `items` holds at the time (the "server"). */
function listRoute(items: CannedResponse[]): MockRoute {
  return {
    path: API,
    get body() {
      return { canned_responses: [...items].sort((a, b) => a.shortcut.localeCompare(b.shortcut)) };
    },
  };
}

const rows = () => screen.queryAllByTestId("canned-row");
const row = (shortcut: string) =>
  screen.getAllByTestId("canned-row").find((r) => r.dataset.shortcut === shortcut) as HTMLElement;

describe("settings: canned responses", () => {
  it("has its own tab and lists the responses with their /shortcut", async () => {
    mockFetch([listRoute([shipping, hours])]);
    renderRoutes(routes, { path: PATH, session: ownerSession });
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(screen.getByTestId("settings-tab-canned")).toHaveAttribute("aria-current", "page");
    expect(screen.getByTestId("settings-tab-canned")).toHaveTextContent("Canned responses");
    const first = rows()[0];
    expect(within(first).getByTestId("canned-shortcut")).toHaveTextContent("/envios");
    expect(within(first).getByTestId("canned-shortcut").tagName).toBe("CODE");
    expect(within(first).getByTestId("canned-text")).toHaveTextContent("Hacemos envíos a todo el país");
    expect(screen.getByTestId("canned-count")).toHaveTextContent("2 responses");
  });

  it("filters the list client-side by shortcut or text", async () => {
    const { calls } = mockFetch([listRoute([shipping, hours])]);
    renderRoutes(routes, { path: PATH, session: ownerSession });
    await waitFor(() => expect(rows()).toHaveLength(2));
    const user = userEvent.setup();
    const search = screen.getByTestId("canned-search");

    await user.type(search, "/hor");
    expect(rows().map((r) => r.dataset.shortcut)).toEqual(["horario"]);

    await user.clear(search);
    await user.type(search, "PAÍS");
    expect(rows().map((r) => r.dataset.shortcut)).toEqual(["envios"]);

    await user.clear(search);
    await user.type(search, "zzz");
    expect(rows()).toHaveLength(0);
    expect(screen.getByTestId("canned-no-matches")).toHaveTextContent("No canned responses match “zzz”");
    await user.click(within(screen.getByTestId("canned-no-matches")).getByRole("button"));
    expect(rows()).toHaveLength(2);
    expect(calls.filter((c) => c.url.startsWith(API))).toHaveLength(1);
  });

  it("shows an empty state when there are none", async () => {
    mockFetch([listRoute([])]);
    renderRoutes(routes, { path: PATH, session: ownerSession });
    expect(await screen.findByTestId("empty-state")).toHaveTextContent("No canned responses yet");
    expect(screen.queryByTestId("canned-search")).not.toBeInTheDocument();
    expect(screen.getByTestId("canned-create")).toBeInTheDocument();
  });

  it("creates one: sends shortcut and text, counts characters, and the new item appears", async () => {
    const items = [hours];
    const created: CannedResponse = { id: "c3", shortcut: "gracias", text: "¡Gracias por escribirnos! 😊" };
    const { calls } = mockFetch([
      listRoute(items),
      { method: "POST", path: API, status: 201, body: { canned_response: created } },
    ]);
    const { queryClient } = renderRoutes(routes, { path: PATH, session: ownerSession });
    await waitFor(() => expect(rows()).toHaveLength(1));
    const user = userEvent.setup();

    expect(screen.getByTestId("canned-new-counter")).toHaveTextContent("0 / 4096 characters");
    await user.type(screen.getByTestId("canned-new-shortcut"), " gracias ");
    await user.type(screen.getByTestId("canned-new-text"), created.text);
    // The emoji counts as one character, as the server counts it.
    expect(screen.getByTestId("canned-new-counter")).toHaveTextContent("27 / 4096 characters");

    items.push(created);
    await user.click(screen.getByTestId("canned-create"));
    await waitFor(() => expect(rows()).toHaveLength(2));

    const post = calls.find((c) => c.method === "POST");
    expect(post?.url).toBe(API);
    expect(post?.body).toEqual({ shortcut: "gracias", text: "¡Gracias por escribirnos! 😊" });
    expect(post?.headers["content-type"]).toBe("application/json");
    expect(within(row("gracias")).getByTestId("canned-text")).toHaveTextContent("Gracias por escribirnos");
    // The form is cleared for the next one.
    expect(screen.getByTestId("canned-new-shortcut")).toHaveValue("");
    expect(screen.getByTestId("canned-new-text")).toHaveValue("");
    // The composer's query (same key) has it too, and was re-fetched.
    expect(
      queryClient.getQueryData<{ canned_responses: CannedResponse[] }>(inboxKeys.canned)?.canned_responses.map(
        (r) => r.shortcut,
      ),
    ).toEqual(["gracias", "horario"]);
    await waitFor(() => expect(calls.filter((c) => c.method === "GET" && c.url === API)).toHaveLength(2));
  });

  it("shows a duplicate shortcut (409) on the shortcut field", async () => {
    mockFetch([
      listRoute([shipping]),
      { method: "POST", path: API, status: 409, body: { error: "The shortcut /envios is already used" } },
    ]);
    renderRoutes(routes, { path: PATH, session: ownerSession });
    await waitFor(() => expect(rows()).toHaveLength(1));
    const user = userEvent.setup();
    await user.type(screen.getByTestId("canned-new-shortcut"), "envios");
    await user.type(screen.getByTestId("canned-new-text"), "Otra vez");
    await user.click(screen.getByTestId("canned-create"));

    expect(await screen.findByTestId("field-error-shortcut")).toHaveTextContent("The shortcut /envios is already used");
    expect(screen.getByTestId("canned-new-shortcut")).toHaveAttribute("aria-invalid", "true");
    expect(screen.queryByTestId("form-error")).not.toBeInTheDocument();
    // What was typed stays, to fix it; typing clears the error.
    expect(screen.getByTestId("canned-new-text")).toHaveValue("Otra vez");
    await user.type(screen.getByTestId("canned-new-shortcut"), "2");
    expect(screen.queryByTestId("field-error-shortcut")).not.toBeInTheDocument();
    // …without the message moving up to a banner.
    expect(screen.queryByTestId("form-error")).not.toBeInTheDocument();
  });

  it("shows the server's validation messages (400 with fields) on the fields", async () => {
    mockFetch([
      listRoute([]),
      {
        method: "POST",
        path: API,
        status: 400,
        body: {
          error: "Validation failed: shortcut: use 1 to 32 of a-z, 0-9, _ and -; text: String should have at least 1 character",
          fields: { shortcut: "use 1 to 32 of a-z, 0-9, _ and -", text: "String should have at least 1 character" },
        },
      },
    ]);
    renderRoutes(routes, { path: PATH, session: ownerSession });
    const user = userEvent.setup();
    await user.type(await screen.findByTestId("canned-new-shortcut"), "no vale!");
    await user.click(screen.getByTestId("canned-create"));
    expect(await screen.findByTestId("field-error-shortcut")).toHaveTextContent("use 1 to 32 of a-z, 0-9, _ and -");
    expect(screen.getByTestId("field-error-text")).toHaveTextContent("at least 1 character");
  });

  it("shows a form-level error when no field explains it", async () => {
    mockFetch([listRoute([]), { method: "POST", path: API, status: 403, body: { error: "Admins only" } }]);
    renderRoutes(routes, { path: PATH, session: ownerSession });
    const user = userEvent.setup();
    await user.type(await screen.findByTestId("canned-new-shortcut"), "hola");
    await user.type(screen.getByTestId("canned-new-text"), "Hola");
    await user.click(screen.getByTestId("canned-create"));
    expect(await screen.findByTestId("form-error")).toHaveTextContent("Admins only");
  });

  it("edits one in place with PUT", async () => {
    const items = [shipping, hours];
    const saved: CannedResponse = { ...hours, text: "Abrimos de lunes a sábado de 9 a 18." };
    const { calls } = mockFetch([
      listRoute(items),
      { method: "PUT", path: `${API}/c2`, body: { canned_response: saved } },
    ]);
    renderRoutes(routes, { path: PATH, session: ownerSession });
    await waitFor(() => expect(rows()).toHaveLength(2));
    const user = userEvent.setup();
    await user.click(within(row("horario")).getByTestId("canned-edit"));

    const form = screen.getByTestId("canned-edit-row");
    expect(within(form).getByTestId("canned-edit-shortcut")).toHaveValue("horario");
    expect(within(form).getByTestId("canned-edit-shortcut")).toHaveFocus();
    const text = within(form).getByTestId("canned-edit-text");
    await user.clear(text);
    await user.type(text, saved.text);
    items[1] = saved;
    await user.click(within(form).getByTestId("canned-edit-save"));

    await waitFor(() => expect(screen.queryByTestId("canned-edit-row")).not.toBeInTheDocument());
    expect(calls.find((c) => c.method === "PUT")?.body).toEqual({ shortcut: "horario", text: saved.text });
    expect(within(row("horario")).getByTestId("canned-text")).toHaveTextContent("lunes a sábado");
  });

  it("cancelling an edit leaves the response as it was", async () => {
    const { calls } = mockFetch([listRoute([shipping])]);
    renderRoutes(routes, { path: PATH, session: ownerSession });
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("canned-edit"));
    await user.type(screen.getByTestId("canned-edit-text"), " extra");
    await user.click(screen.getByTestId("canned-edit-cancel"));
    expect(within(row("envios")).getByTestId("canned-text")).toHaveTextContent(shipping.text);
    expect(calls.some((c) => c.method === "PUT")).toBe(false);
  });

  it("asks for confirmation before deleting", async () => {
    const items = [shipping, hours];
    const { calls } = mockFetch([listRoute(items), { method: "DELETE", path: `${API}/c1`, status: 204 }]);
    renderRoutes(routes, { path: PATH, session: ownerSession });
    await waitFor(() => expect(rows()).toHaveLength(2));
    const user = userEvent.setup();

    await user.click(within(row("envios")).getByTestId("canned-delete"));
    let dialog = await screen.findByRole("dialog");
    expect(dialog).toHaveTextContent("Delete canned response?");
    expect(dialog).toHaveTextContent("/envios will no longer be available");
    await user.click(within(dialog).getByTestId("confirm-cancel"));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(calls.some((c) => c.method === "DELETE")).toBe(false);

    await user.click(within(row("envios")).getByTestId("canned-delete"));
    dialog = await screen.findByRole("dialog");
    items.splice(0, 1);
    await user.click(within(dialog).getByTestId("confirm-accept"));
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(calls.filter((c) => c.method === "DELETE").map((c) => c.url)).toEqual([`${API}/c1`]);
    expect(rows()[0].dataset.shortcut).toBe("horario");
  });

  it("agents see the list read-only", async () => {
    mockFetch([listRoute([shipping, hours])]);
    renderRoutes(routes, { path: PATH, session: { ...ownerSession, role: "agent" } });
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(screen.getByTestId("read-only-notice")).toHaveTextContent("Only owners and admins can add, edit or delete");
    expect(screen.queryByTestId("canned-create-form")).not.toBeInTheDocument();
    expect(screen.queryByTestId("canned-edit")).not.toBeInTheDocument();
    expect(screen.queryByTestId("canned-delete")).not.toBeInTheDocument();
    // They can still search.
    expect(screen.getByTestId("canned-search")).toBeInTheDocument();
  });
});

describe("filterCanned", () => {
  it("matches the shortcut with or without its slash, and the text, ignoring case", () => {
    expect(filterCanned([shipping, hours], "")).toEqual([shipping, hours]);
    expect(filterCanned([shipping, hours], "ENV")).toEqual([shipping]);
    expect(filterCanned([shipping, hours], "/env")).toEqual([shipping]);
    expect(filterCanned([shipping, hours], "viernes")).toEqual([hours]);
  });
});
