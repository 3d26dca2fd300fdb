import type { ReactNode } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, renderHook } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { inboxKeys } from "./api";
import type { ListData } from "./socketCache";
import { makeDetail, makeMessage, makeSummary, FakeSocket } from "./testing";
import { threadMessages, type ThreadData } from "./thread";
import { POLL_INTERVAL_MS, TYPING_IDLE_MS, useInboxSocket } from "./useInboxSocket";

function setup(contactId: string | null = "c1", onInbound = vi.fn()) {
  const socket = new FakeSocket();
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const thread: ThreadData = {
    pages: [
      {
        conversation: makeDetail(),
        messages: [makeMessage({ id: "m1" }), makeMessage({ id: "m2", direction: "outbound", status: "sent", wamid: "wamid.2" })],
        has_more_before: false,
        has_more_after: false,
      },
    ],
    pageParams: [undefined],
  };
  queryClient.setQueryData(inboxKeys.thread("c1"), thread);
  const list: ListData = {
    pages: [{ conversations: [makeSummary(), makeSummary({ contact_id: "c2", unread_count: 0 })], next_cursor: null }],
    pageParams: [undefined],
  };
  queryClient.setQueryData(inboxKeys.list({ status: ["open"] }), list);
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
  );
  const createSocket = () => socket;
  const hook = renderHook(
    ({ id }: { id: string | null }) => useInboxSocket({ contactId: id, meId: "u1", onInbound, createSocket }),
    { wrapper, initialProps: { id: contactId } },
  );
  const messages = () => threadMessages(queryClient.getQueryData<ThreadData>(inboxKeys.thread("c1")));
  return { socket, queryClient, hook, messages, onInbound };
}

describe("useInboxSocket", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("polls when the socket does not connect within 3 seconds", () => {
    const { hook } = setup();
    expect(hook.result.current.mode).toBe("connecting");
    expect(hook.result.current.pollInterval).toBe(false);
    act(() => vi.advanceTimersByTime(3000));
    expect(hook.result.current.mode).toBe("polling");
    expect(hook.result.current.pollInterval).toBe(POLL_INTERVAL_MS);
  });

  it("polls right away on connect_error and goes live (and re-fetches) when it connects", () => {
    const { hook, socket, queryClient } = setup();
    act(() => socket.serverSends("connect_error", new Error("unauthorized")));
    expect(hook.result.current.mode).toBe("polling");
    const invalidate = vi.spyOn(queryClient, "invalidateQueries");
    act(() => socket.serverSends("connect"));
    expect(hook.result.current.mode).toBe("live");
    expect(hook.result.current.pollInterval).toBe(false);
    expect(invalidate).toHaveBeenCalledWith({ queryKey: inboxKeys.all });
    act(() => vi.advanceTimersByTime(5000));
    expect(hook.result.current.mode).toBe("live");
  });

  it("joins the open conversation on connect, re-joins after a reconnect and follows navigation", () => {
    const { hook, socket, queryClient } = setup();
    act(() => socket.serverSends("connect"));
    expect(socket.emittedEvents("join:conversation")).toEqual([{ contact_id: "c1" }]);
    const invalidate = vi.spyOn(queryClient, "invalidateQueries");
    act(() => socket.serverSends("disconnect", "transport close"));
    expect(hook.result.current.mode).toBe("polling");
    act(() => socket.serverSends("connect"));
    expect(socket.emittedEvents("join:conversation")).toEqual([{ contact_id: "c1" }, { contact_id: "c1" }]);
    expect(invalidate).toHaveBeenCalledWith({ queryKey: inboxKeys.all });
    hook.rerender({ id: "c2" });
    expect(socket.emittedEvents("leave:conversation")).toEqual([{ contact_id: "c1" }]);
    expect(socket.emittedEvents("join:conversation").at(-1)).toEqual({ contact_id: "c2" });
  });

  it("appends message:new to the thread once and reports inbound messages", () => {
    const { socket, messages, onInbound } = setup();
    act(() => socket.serverSends("connect"));
    const event = { contact_id: "c1", message: makeMessage({ id: "m3", created_at: "2026-11-28T10:09:00Z" }) };
    act(() => socket.serverSends("message:new", event));
    act(() => socket.serverSends("message:new", event));
    expect(messages().map((m) => m.id)).toEqual(["m1", "m2", "m3"]);
    expect(onInbound).toHaveBeenCalledTimes(2);
    expect(onInbound).toHaveBeenCalledWith("c1", event.message);
  });

  it("moves ticks forward on message:status", () => {
    const { socket, messages } = setup();
    act(() => socket.serverSends("message:status", { contact_id: "c1", message_id: "m2", wamid: "wamid.2", status: "delivered", error: null }));
    expect(messages()[1].status).toBe("delivered");
    act(() => socket.serverSends("message:status", { contact_id: "c1", message_id: "m2", wamid: "wamid.2", status: "read", error: null }));
    act(() => socket.serverSends("message:status", { contact_id: "c1", message_id: "m2", wamid: "wamid.2", status: "delivered", error: null }));
    expect(messages()[1].status).toBe("read");
  });

  it("unpacks a batch of coalesced events in order", () => {
    const { socket, messages, onInbound } = setup();
    act(() => socket.serverSends("connect"));
    const event = { contact_id: "c1", message: makeMessage({ id: "m3", created_at: "2026-11-28T10:09:00Z" }) };
    const status = { contact_id: "c1", message_id: "m2", wamid: "wamid.2", status: "read", error: null };
    act(() =>
      socket.serverSends("batch", [["message:new", event], ["message:status", status], ["unknown:event", {}], "junk"]),
    );
    expect(messages().map((m) => [m.id, m.status])).toEqual([
      ["m1", expect.any(String)],
      ["m2", "read"],
      ["m3", expect.any(String)],
    ]);
    expect(onInbound).toHaveBeenCalledWith("c1", event.message);
  });

  it("re-fetches the thread when a status arrives for a message it does not hold", () => {
    const { socket, queryClient } = setup();
    const invalidate = vi.spyOn(queryClient, "invalidateQueries");
    act(() => socket.serverSends("message:status", { contact_id: "c1", message_id: "m404", wamid: "wamid.404", status: "read", error: null }));
    act(() => socket.serverSends("message:status", { contact_id: "c1", message_id: "m404", wamid: "wamid.404", status: "read", error: null }));
    act(() => vi.advanceTimersByTime(300));
    expect(invalidate).toHaveBeenCalledTimes(1);
    expect(invalidate).toHaveBeenCalledWith({ queryKey: inboxKeys.thread("c1") });
  });

  it("patches rows on conversation:updated and re-fetches lists and counts once per burst", () => {
    const { socket, queryClient, onInbound } = setup();
    const invalidate = vi.spyOn(queryClient, "invalidateQueries");
    act(() => {
      socket.serverSends("conversation:updated", { contact_id: "c2", conversation: { unread_count: 2, last_message: "Hey" } });
      socket.serverSends("conversation:updated", { contact_id: "c1", conversation: { mode: "human" } });
    });
    const rows = queryClient.getQueryData<ListData>(inboxKeys.list({ status: ["open"] }))!.pages[0].conversations;
    expect(rows[1]).toMatchObject({ unread_count: 2, last_message: "Hey" });
    expect(rows[0].mode).toBe("human");
    expect(queryClient.getQueryData<ThreadData>(inboxKeys.thread("c1"))!.pages[0].conversation.mode).toBe("human");
    expect(onInbound).toHaveBeenCalledWith("c2", null);
    expect(invalidate).not.toHaveBeenCalled();
    act(() => vi.advanceTimersByTime(300));
    expect(invalidate).toHaveBeenCalledWith({ queryKey: inboxKeys.lists });
    expect(invalidate).toHaveBeenCalledWith({ queryKey: inboxKeys.counts });
    expect(invalidate).toHaveBeenCalledTimes(2);
  });

  it("names the assignee of conversation:updated from what it knows, else re-reads the thread", () => {
    const { socket, queryClient } = setup();
    queryClient.setQueryData(["members"], [{ userId: "u7", name: "Bea Agent", email: "b@x.io", role: "agent", joinedAt: "" }]);
    const row = () => queryClient.getQueryData<ListData>(inboxKeys.list({ status: ["open"] }))!.pages[0].conversations[0];
    const detail = () => queryClient.getQueryData<ThreadData>(inboxKeys.thread("c1"))!.pages[0].conversation;
    act(() =>
      socket.serverSends("conversation:updated", {
        contact_id: "c1",
        conversation: { assignee_id: "u7", window_expires_at: "2000-01-01T00:00:00Z" },
      }),
    );
    expect(row().assignee).toEqual({ id: "u7", name: "Bea Agent" });
    expect(detail().assignee).toEqual({ id: "u7", name: "Bea Agent" });
    expect(detail().window_open).toBe(false);
    expect(row()).not.toHaveProperty("assignee_id");
    const invalidate = vi.spyOn(queryClient, "invalidateQueries");
    act(() => socket.serverSends("conversation:updated", { contact_id: "c1", conversation: { assignee_id: "u-unknown" } }));
    expect(invalidate).toHaveBeenCalledWith({ queryKey: inboxKeys.thread("c1") });
    act(() => socket.serverSends("conversation:updated", { contact_id: "c1", conversation: { assignee_id: null } }));
    expect(detail().assignee).toBeNull();
  });

  it("shows who else is typing, ignores our own echo, and expires stale indicators", () => {
    const { hook, socket } = setup();
    act(() => socket.serverSends("typing:start", { contact_id: "c1", user: { id: "u2", name: "Bea" } }));
    act(() => socket.serverSends("typing:start", { contact_id: "c1", user: { id: "u1", name: "Me" } }));
    act(() => socket.serverSends("typing:start", { contact_id: "c2", user: { id: "u3", name: "Cy" } }));
    expect(hook.result.current.typing).toEqual([{ id: "u2", name: "Bea" }]);
    act(() => socket.serverSends("typing:stop", { contact_id: "c1", user: { id: "u2", name: "Bea" } }));
    expect(hook.result.current.typing).toEqual([]);
    act(() => socket.serverSends("typing:start", { contact_id: "c1", user: { id: "u2", name: "Bea" } }));
    act(() => vi.advanceTimersByTime(10_000));
    expect(hook.result.current.typing).toEqual([]);
  });

  it("emits typing:start once and typing:stop after 3 s idle", () => {
    const { hook, socket } = setup();
    act(() => socket.serverSends("connect"));
    act(() => {
      hook.result.current.notifyTyping();
      vi.advanceTimersByTime(1000);
      hook.result.current.notifyTyping();
    });
    expect(socket.emittedEvents("typing:start")).toEqual([{ contact_id: "c1" }]);
    act(() => vi.advanceTimersByTime(TYPING_IDLE_MS - 100));
    expect(socket.emittedEvents("typing:stop")).toEqual([]);
    act(() => vi.advanceTimersByTime(200));
    expect(socket.emittedEvents("typing:stop")).toEqual([{ contact_id: "c1" }]);
  });

  it("disconnects on unmount", () => {
    const { hook, socket } = setup();
    hook.unmount();
    expect(socket.disconnected).toBe(true);
  });
});
