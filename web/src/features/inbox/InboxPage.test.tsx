import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockFetch, ownerSession, renderRoutes } from "../../test/utils";
import { FakeSocket, makeDetail, makeMessage, makeSummary } from "./testing";
import { InboxPage } from "./InboxPage";
import { clearComposerDrafts } from "./Composer";

const sockets: FakeSocket[] = [];
vi.mock("socket.io-client", () => ({
  io: () => {
    const socket = new FakeSocket();
    sockets.push(socket);
    return socket;
  },
}));

const LIST = /^\/api\/conversations\?status=open&limit=30$/;
const counts = { open: 2, pending: 0, resolved: 1, mine: 0, unassigned: 2, unread: 3 };

function routes(overrides: { detail?: ReturnType<typeof makeDetail>; sendStatus?: number; sendBody?: unknown } = {}) {
  const detail = overrides.detail ?? makeDetail({ unread_count: 3 });
  return [
    {
      path: LIST,
      body: {
        conversations: [
          makeSummary({ unread_count: 3, last_message: "¿Tienen envío?" }),
          makeSummary({ contact_id: "c2", contact_name: "Bruno", assignee: { id: "u2", name: "Bea Agent" }, mode: "human" }),
        ],
        next_cursor: null,
      },
    },
    { path: "/api/conversations/counts", body: counts },
    {
      path: "/api/conversations/c1",
      body: {
        conversation: detail,
        messages: [
          makeMessage({ id: "m1", text: "Hola *Ana*", payload: { message: { type: "text", text: { body: "Hola *Ana*" } } } }),
          makeMessage({
            id: "m2",
            direction: "outbound",
            status: "failed",
            error: { code: 131047, title: "Re-engagement message", details: null },
            text: "Late",
            sent_by: { id: "u1", name: "Ada Lovelace" },
            created_at: "2026-11-28T10:01:00Z",
          }),
          makeMessage({ id: "m3", direction: "note", text: "VIP customer", status: "", sent_by: { id: "u1", name: "Ada Lovelace" }, created_at: "2026-11-28T10:02:00Z" }),
        ],
        has_more_before: false,
        has_more_after: false,
      },
    },
    { method: "POST", path: "/api/conversations/c1/read", body: { conversation: { ...detail, unread_count: 0 } } },
    {
      method: "POST",
      path: "/api/conversations/c1",
      status: overrides.sendStatus ?? 201,
      body:
        overrides.sendBody ??
        { message: makeMessage({ id: "m9", direction: "outbound", status: "pending", text: "Sure!", sent_by: { id: "u1", name: "Ada Lovelace" }, created_at: "2026-11-28T10:05:00Z" }) },
    },
    { path: "/api/canned-responses", body: { canned_responses: [{ id: "k1", shortcut: "hours", text: "We open 9 to 18." }] } },
    { path: "/api/members", body: [{ userId: "u1", name: "Ada Lovelace", email: "ada@example.com", role: "owner", joinedAt: "2026-01-01T00:00:00Z" }] },
  ];
}

function renderInbox(path = "/inbox/c1") {
  return renderRoutes([{ path: "/inbox/:contactId?", element: <InboxPage /> }], { path, session: ownerSession });
}

describe("InboxPage", () => {
  beforeEach(() => {
    sockets.length = 0;
    clearComposerDrafts();
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it("lists conversations, opens the thread, renders every kind of bubble and marks it read", async () => {
    const { calls } = mockFetch(routes());
    renderInbox("/inbox");
    const rows = await screen.findAllByTestId("inbox-row");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveAttribute("data-unread", "true");
    expect(rows[0]).toHaveAttribute("data-contact-id", "c1");
    expect(within(rows[1]).getByTestId("row-assignee")).toHaveTextContent("BA");
    expect(screen.getByTestId("inbox-status-open")).toHaveTextContent("2");
    expect(screen.getByTestId("inbox-no-selection")).toBeInTheDocument();
    await userEvent.setup().click(rows[0]);

    const thread = await screen.findByTestId("inbox-thread");
    const messages = within(thread).getAllByTestId("message");
    expect(messages.map((m) => m.getAttribute("data-message-id"))).toEqual(["m1", "m2", "m3"]);
    expect(messages[0].querySelector("strong")).toHaveTextContent("Ana");
    expect(messages[1]).toHaveAttribute("data-status", "failed");
    expect(within(messages[1]).getByTestId("message-ticks")).toHaveAttribute("title", "Not delivered: 131047 · Re-engagement message");
    expect(within(messages[1]).getByTestId("message-author")).toHaveTextContent("Ada Lovelace");
    expect(messages[2]).toHaveAttribute("data-direction", "note");
    expect(messages[2]).toHaveTextContent("only agents see this");
    expect(screen.getByTestId("conversation-mode")).toHaveAttribute("data-mode", "bot");

    await waitFor(() => expect(calls.some((c) => c.method === "POST" && c.url === "/api/conversations/c1/read")).toBe(true));
    expect(document.title).toBe("(3) Inbox · Finnegans");
  });

  it("sends with Enter, keeps Shift+Enter as a new line and shows the message", async () => {
    const { calls } = mockFetch(routes());
    renderInbox();
    const input = await screen.findByTestId("composer-input");
    const user = userEvent.setup();
    await user.type(input, "Sure{Shift>}{Enter}{/Shift}thing");
    expect(input).toHaveValue("Sure\nthing");
    await user.clear(input);
    await user.type(input, "Sure!{Enter}");
    await waitFor(() => expect(screen.getAllByTestId("message").map((m) => m.getAttribute("data-message-id"))).toContain("m9"));
    const send = calls.find((c) => c.method === "POST" && c.url === "/api/conversations/c1");
    expect(send?.body).toEqual({ type: "text", text: "Sure!" });
    expect(input).toHaveValue("");
  });

  it("inserts a canned response typed as /shortcut with Tab", async () => {
    mockFetch(routes());
    renderInbox();
    const input = await screen.findByTestId("composer-input");
    const user = userEvent.setup();
    await user.type(input, "Hi /ho");
    expect(await screen.findByTestId("canned-popover")).toHaveTextContent("/hours");
    await user.keyboard("{Tab}");
    expect(input).toHaveValue("Hi We open 9 to 18.");
    expect(screen.queryByTestId("canned-popover")).not.toBeInTheDocument();
  });

  it("shows why free text is refused (422 window_closed)", async () => {
    mockFetch(
      routes({ sendStatus: 422, sendBody: { error: "The 24-hour window is closed: send a template", code: "window_closed" } }),
    );
    renderInbox();
    const input = await screen.findByTestId("composer-input");
    const user = userEvent.setup();
    await user.type(input, "Hello?{Enter}");
    expect(await screen.findByTestId("composer-error")).toHaveTextContent("The 24-hour window is closed");
    expect(input).toHaveValue("Hello?");
  });

  it("offers templates instead of free text when the window is closed", async () => {
    const { calls } = mockFetch(routes({ detail: makeDetail({ window_open: false, window_expires_at: "2020-01-01T00:00:00Z" }) }));
    renderInbox();
    expect(await screen.findByTestId("composer-window")).toHaveAttribute("data-open", "false");
    expect(screen.queryByTestId("composer-input")).not.toBeInTheDocument();
    const user = userEvent.setup();
    await user.click(screen.getByTestId("template-picker-open"));
    const picker = screen.getByTestId("template-picker");
    await user.clear(within(picker).getByTestId("template-name"));
    await user.type(within(picker).getByTestId("template-name"), "order_update");
    await user.click(within(picker).getByTestId("template-send"));
    await waitFor(() =>
      expect(calls.find((c) => c.method === "POST" && c.url === "/api/conversations/c1")?.body).toEqual({
        type: "template",
        template: { name: "order_update", language: "en_US" },
      }),
    );
    // Notes are still possible.
    await user.click(screen.getByTestId("composer-note-toggle"));
    expect(screen.getByTestId("composer-input")).toBeInTheDocument();
  });

  it("switches to polling when the socket fails and back to live when it connects", async () => {
    mockFetch(routes());
    renderInbox("/inbox");
    await screen.findAllByTestId("inbox-row");
    const status = screen.getByTestId("connection-status");
    act(() => sockets[0].serverSends("connect_error", new Error("unauthorized")));
    expect(status).toHaveAttribute("data-mode", "polling");
    expect(status).toHaveTextContent("Polling");
    act(() => sockets[0].serverSends("connect"));
    expect(status).toHaveAttribute("data-mode", "live");
    expect(status).toHaveTextContent("Live");
  });

  it("moves between conversations with Alt+arrows and focuses search with /", async () => {
    mockFetch(routes());
    const { router } = renderInbox("/inbox");
    await screen.findAllByTestId("inbox-row");
    const user = userEvent.setup();
    await user.keyboard("{Alt>}{ArrowDown}{/Alt}");
    expect(router.state.location.pathname).toBe("/inbox/c1");
    await user.keyboard("{Alt>}{ArrowDown}{/Alt}");
    expect(router.state.location.pathname).toBe("/inbox/c2");
    await user.keyboard("{Alt>}{ArrowUp}{/Alt}");
    expect(router.state.location.pathname).toBe("/inbox/c1");
    (document.activeElement as HTMLElement | null)?.blur();
    await user.keyboard("/");
    expect(screen.getByTestId("inbox-search")).toHaveFocus();
  });
});
