import { describe, expect, it } from "vitest";
import type { ConversationThreadResponse } from "../../api/types";
import {
  appendMessage,
  applyStatusEvent,
  contextId,
  dayName,
  groupByDay,
  mergeStatus,
  splitReactions,
  threadMessages,
  tickState,
  failureTitle,
  type ThreadData,
} from "./thread";
import { makeDetail, makeMessage } from "./testing";

function page(messages: ConversationThreadResponse["messages"], hasMore = false): ConversationThreadResponse {
  return { conversation: makeDetail(), messages, has_more_before: hasMore, has_more_after: false };
}

function data(...pages: ConversationThreadResponse[]): ThreadData {
  return { pages, pageParams: pages.map((_, i) => (i === 0 ? undefined : `p${i}`)) };
}

describe("groupByDay", () => {
  it("puts a separator before the first message of each local day", () => {
    const items = groupByDay([
      makeMessage({ id: "a", created_at: new Date(2026, 10, 27, 9, 0).toISOString() }),
      makeMessage({ id: "b", created_at: new Date(2026, 10, 27, 23, 59).toISOString() }),
      makeMessage({ id: "c", created_at: new Date(2026, 10, 28, 0, 1).toISOString() }),
    ]);
    expect(items.map((i) => (i.kind === "day" ? "day" : i.message.id))).toEqual(["day", "a", "b", "day", "c"]);
  });

  it("names today and yesterday", () => {
    const now = new Date(2026, 10, 28, 12, 0);
    expect(dayName(new Date(2026, 10, 28, 0, 5), now)).toBe("today");
    expect(dayName(new Date(2026, 10, 27, 23, 55), now)).toBe("yesterday");
    expect(dayName(new Date(2026, 10, 26, 12, 0), now)).toBeNull();
  });
});

describe("ticks", () => {
  it("shows ticks only on business messages", () => {
    expect(tickState({ direction: "inbound", status: "read" })).toBeNull();
    expect(tickState({ direction: "note", status: "" })).toBeNull();
    expect(tickState({ direction: "outbound", status: "pending" })).toBe("pending");
    expect(tickState({ direction: "outbound", status: "sent" })).toBe("sent");
    expect(tickState({ direction: "outbound", status: "delivered" })).toBe("delivered");
    expect(tickState({ direction: "outbound", status: "read" })).toBe("read");
    expect(tickState({ direction: "outbound", status: "played" })).toBe("read");
    expect(tickState({ direction: "outbound", status: "failed" })).toBe("failed");
  });

  it("only moves a status forward, and failed is terminal", () => {
    const sent = makeMessage({ direction: "outbound", status: "sent" });
    expect(mergeStatus(sent, "read", null).status).toBe("read");
    const read = mergeStatus(sent, "read", null);
    expect(mergeStatus(read, "delivered", null)).toBe(read);
    const failed = mergeStatus(sent, "failed", { code: 131047, title: "Re-engagement message", details: null });
    expect(failed.status).toBe("failed");
    expect(failed.error?.code).toBe(131047);
    expect(mergeStatus(failed, "read", null)).toBe(failed);
  });

  it("describes a failure with its code and title", () => {
    expect(failureTitle({ code: 131047, title: "Re-engagement message", details: null })).toBe("131047 · Re-engagement message");
    expect(failureTitle(null)).toBe("");
  });
});

describe("thread pages", () => {
  it("merges pages oldest first without duplicates", () => {
    const latest = page([makeMessage({ id: "c", created_at: "2026-11-28T10:02:00Z" }), makeMessage({ id: "d", created_at: "2026-11-28T10:03:00Z" })]);
    const older = page([makeMessage({ id: "a", created_at: "2026-11-28T10:00:00Z" }), makeMessage({ id: "c", created_at: "2026-11-28T10:02:00Z" })]);
    expect(threadMessages(data(latest, older)).map((m) => m.id)).toEqual(["a", "c", "d"]);
  });

  it("appends a new message once (dedupe by id)", () => {
    const d = data(page([makeMessage({ id: "a" })]));
    const once = appendMessage(d, makeMessage({ id: "b", created_at: "2026-11-28T10:05:00Z" }));
    const twice = appendMessage(once, makeMessage({ id: "b", created_at: "2026-11-28T10:05:00Z" }));
    expect(threadMessages(twice).map((m) => m.id)).toEqual(["a", "b"]);
  });

  it("keeps the newer status when a send's answer arrives after its ticks", () => {
    const d = data(page([makeMessage({ id: "b", direction: "outbound", status: "delivered" })]));
    const next = appendMessage(d, makeMessage({ id: "b", direction: "outbound", status: "pending" }));
    expect(threadMessages(next)[0].status).toBe("delivered");
  });

  it("fills what one copy of a message lacks from the other", () => {
    const d = data(page([makeMessage({ id: "b", direction: "outbound", type: "image", media_url: null, status: "read" })]));
    const next = appendMessage(d, makeMessage({ id: "b", direction: "outbound", type: "image", media_url: "/api/messages/b/media", status: "pending" }));
    expect(threadMessages(next)[0]).toMatchObject({ media_url: "/api/messages/b/media", status: "read" });
    expect(appendMessage(next, threadMessages(next)[0])).toBe(next);
  });

  it("applies a status event by message id or by wamid", () => {
    const d = data(page([makeMessage({ id: "b", wamid: "wamid.B", direction: "outbound", status: "sent" })]));
    const byId = applyStatusEvent(d, { contact_id: "c1", message_id: "b", wamid: null, status: "delivered", error: null });
    expect(threadMessages(byId)[0].status).toBe("delivered");
    const byWamid = applyStatusEvent(byId, { contact_id: "c1", message_id: "?", wamid: "wamid.B", status: "read", error: null });
    expect(threadMessages(byWamid)[0].status).toBe("read");
    const unrelated = applyStatusEvent(byWamid, { contact_id: "c1", message_id: "x", wamid: "wamid.X", status: "failed", error: null });
    expect(unrelated).toBe(byWamid);
  });
});

describe("reactions and replies", () => {
  it("moves reactions onto their target and lets the latest one win", () => {
    const target = makeMessage({ id: "t", wamid: "wamid.T", direction: "outbound", status: "read" });
    const r1 = makeMessage({
      id: "r1",
      type: "reaction",
      payload: { message: { type: "reaction", reaction: { message_id: "wamid.T", emoji: "👍" } } },
    });
    const r2 = makeMessage({
      id: "r2",
      type: "reaction",
      payload: { message: { type: "reaction", reaction: { message_id: "wamid.T", emoji: "❤️" } } },
    });
    const orphan = makeMessage({
      id: "r3",
      type: "reaction",
      payload: { message: { type: "reaction", reaction: { message_id: "wamid.GONE", emoji: "😂" } } },
    });
    const { visible, reactions } = splitReactions([target, r1, r2, orphan]);
    expect(visible.map((m) => m.id)).toEqual(["t", "r3"]);
    expect(reactions.get("wamid.T")).toEqual([{ emoji: "❤️", from: "customer" }]);
  });

  it("finds what a message replies to", () => {
    expect(contextId(makeMessage({ payload: { message: { type: "text", context: { id: "wamid.Q" } } } }))).toBe("wamid.Q");
    expect(contextId(makeMessage({ direction: "outbound", payload: { graph: { type: "text", context: { message_id: "wamid.R" } } } }))).toBe("wamid.R");
    expect(contextId(makeMessage({ reply_to: { message_id: "m9", text: "Hi", wamid: "wamid.9" } }))).toBe("wamid.9");
    expect(contextId(makeMessage())).toBeNull();
  });
});
