/**
 * Pure logic of the thread: page merging, socket updates of the cache, reactions, day
 * grouping and tick states (docs/inbox.md §1, §3).
 */
import type { InfiniteData } from "@tanstack/react-query";
import type {
  ConversationThreadResponse,
  InboxMessage,
  MessageError,
  MessageStatus,
  MessageStatusEvent,
} from "../../api/types";
import { at, obj, str } from "../simulator/payload";

export type ThreadData = InfiniteData<ConversationThreadResponse, unknown>;

function time(value: string | null | undefined): number {
  const t = value ? Date.parse(value) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

/** Oldest first, without duplicates. Page 0 is the latest page; later pages are older. */
export function threadMessages(data: ThreadData | undefined): InboxMessage[] {
  if (!data) return [];
  const seen = new Set<string>();
  const out: InboxMessage[] = [];
  for (let i = data.pages.length - 1; i >= 0; i--) {
    for (const message of data.pages[i].messages) {
      if (seen.has(message.id)) continue;
      seen.add(message.id);
      out.push(message);
    }
  }
  // Stable sort: same-instant messages keep the server's order.
  return out
    .map((message, index) => ({ message, index }))
    .sort((a, b) => time(a.message.created_at) - time(b.message.created_at) || a.index - b.index)
    .map(({ message }) => message);
}

export function hasMessage(data: ThreadData, id: string): boolean {
  return data.pages.some((page) => page.messages.some((m) => m.id === id));
}

/** Adds a message (socket `message:new` or a send's answer) to the latest page, unless present. */
export function appendMessage(data: ThreadData | undefined, message: InboxMessage): ThreadData | undefined {
  if (!data || data.pages.length === 0) return data;
  if (hasMessage(data, message.id)) {
    return mapMessages(data, (m) => (m.id === message.id ? mergeCopies(m, message) : m));
  }
  const [latest, ...older] = data.pages;
  return { ...data, pages: [{ ...latest, messages: [...latest.messages, message] }, ...older] };
}

function mapMessages(data: ThreadData, fn: (m: InboxMessage) => InboxMessage): ThreadData {
  let changed = false;
  const pages = data.pages.map((page) => {
    let pageChanged = false;
    const messages = page.messages.map((m) => {
      const next = fn(m);
      if (next !== m) pageChanged = true;
      return next;
    });
    if (!pageChanged) return page;
    changed = true;
    return { ...page, messages };
  });
  return changed ? { ...data, pages } : data;
}

/**
 * Two copies of one message (socket event and send answer): fields one copy lacks are taken
 * from the other (e.g. `media_url`), and the further status wins (ticks may come first).
 */
export function mergeCopies(held: InboxMessage, incoming: InboxMessage): InboxMessage {
  const filled = Object.fromEntries(Object.entries(incoming).filter(([, v]) => v !== null && v !== undefined));
  const merged = { ...held, ...filled } as InboxMessage;
  const best = statusRank(held.status) >= statusRank(incoming.status) ? held : incoming;
  const same = (Object.keys(merged) as Array<keyof InboxMessage>).every((k) => merged[k] === held[k]);
  if (same && best === held) return held;
  return { ...merged, status: best.status, error: best.error ?? merged.error };
}

/** Status order: a status only moves forward; `failed` is terminal. */
const RANK: Record<string, number> = { pending: 0, accepted: 0, sent: 1, delivered: 2, read: 3, played: 4 };

export function statusRank(status: MessageStatus | null | undefined): number {
  if (!status) return -1;
  if (status === "failed") return 100;
  return RANK[status] ?? -1;
}

/** The message with `status` applied if it moves forward (never backward, never out of failed). */
export function mergeStatus(
  message: InboxMessage,
  status: MessageStatus | null | undefined,
  error: MessageError | null | undefined,
): InboxMessage {
  if (!status || message.status === "failed") return message;
  if (statusRank(status) <= statusRank(message.status)) return message;
  return { ...message, status, error: status === "failed" ? (error ?? message.error) : message.error };
}

/** Applies a socket `message:status` (matched by id, or by wamid). */
export function applyStatusEvent(data: ThreadData | undefined, event: MessageStatusEvent): ThreadData | undefined {
  if (!data) return data;
  return mapMessages(data, (m) =>
    m.id === event.message_id || (event.wamid && m.wamid === event.wamid) ? mergeStatus(m, event.status, event.error) : m,
  );
}

// ---------------------------------------------------------------- WhatsApp JSON

/**
 * The raw WhatsApp object behind a message: Meta's inbound message object, or the Graph API
 * payload that was sent. Falls back to a text object built from `text` so every message renders.
 */
export function rawWhatsApp(message: InboxMessage): Record<string, unknown> {
  const p = message.payload ?? {};
  const raw = obj(at(p, "message")) ?? obj(at(p, "graph"));
  if (raw) return str(raw.type) ? raw : { ...raw, type: message.type };
  return { type: message.type, text: { body: message.text ?? "" } };
}

/** WhatsApp message type of a message (the payload's type, else the message's). */
export function kindOf(message: InboxMessage): string {
  return str(rawWhatsApp(message).type) ?? message.type;
}

/** The wamid a message replies to / quotes, if any. */
export function contextId(message: InboxMessage): string | null {
  const raw = rawWhatsApp(message);
  const fromRaw = str(at(raw, "context", "id")) ?? str(at(raw, "context", "message_id"));
  if (fromRaw) return fromRaw;
  const reply = message.reply_to;
  return reply ? (reply.wamid || reply.message_id) : null;
}

/** Finds a quoted message by wamid or id. */
export function findQuoted(messages: InboxMessage[], ref: string): InboxMessage | null {
  return messages.find((m) => m.wamid === ref || m.id === ref) ?? null;
}

/** A one-line preview of a message (for quotes). */
export function previewText(message: InboxMessage): string {
  if (message.text) return message.text;
  const raw = rawWhatsApp(message);
  const kind = kindOf(message);
  return (
    str(at(raw, "text", "body")) ??
    str(at(raw, kind, "caption")) ??
    str(at(raw, kind, "filename")) ??
    str(at(raw, "interactive", "body", "text")) ??
    str(at(raw, "interactive", "button_reply", "title")) ??
    str(at(raw, "interactive", "list_reply", "title")) ??
    str(at(raw, "button", "text")) ??
    str(at(raw, "template", "name")) ??
    kind
  );
}

export interface Reaction {
  emoji: string;
  from: "customer" | "business";
}

/** Reactions whose target is in the thread become badges on the target; the rest stay visible. */
export function splitReactions(messages: InboxMessage[]) {
  const known = new Set<string>();
  for (const m of messages) {
    if (m.wamid) known.add(m.wamid);
    known.add(m.id);
  }
  const byTarget = new Map<string, Map<string, string>>();
  const visible: InboxMessage[] = [];
  for (const message of messages) {
    const raw = rawWhatsApp(message);
    const target = kindOf(message) === "reaction" ? str(at(raw, "reaction", "message_id")) : null;
    if (target && known.has(target)) {
      const emoji = str(at(raw, "reaction", "emoji")) ?? "";
      const perSender = byTarget.get(target) ?? new Map<string, string>();
      const from = message.direction === "inbound" ? "customer" : "business";
      // The latest reaction of each side wins; an empty emoji removes it.
      if (emoji) perSender.set(from, emoji);
      else perSender.delete(from);
      byTarget.set(target, perSender);
    } else {
      visible.push(message);
    }
  }
  const reactions = new Map<string, Reaction[]>();
  for (const [target, perSender] of byTarget) {
    const list = [...perSender].map(([from, emoji]) => ({ emoji, from: from as Reaction["from"] }));
    if (list.length > 0) reactions.set(target, list);
  }
  return { visible, reactions };
}

export function reactionsFor(reactions: Map<string, Reaction[]>, message: InboxMessage): Reaction[] {
  return (message.wamid ? reactions.get(message.wamid) : undefined) ?? reactions.get(message.id) ?? [];
}

// ---------------------------------------------------------------- days and ticks

export type ThreadItem =
  | { kind: "day"; key: string; date: Date }
  | { kind: "message"; key: string; message: InboxMessage };

function dayKey(date: Date): string {
  return `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;
}

/** Messages with a day separator before the first message of each local calendar day. */
export function groupByDay(messages: InboxMessage[]): ThreadItem[] {
  const items: ThreadItem[] = [];
  let last = "";
  for (const message of messages) {
    const date = new Date(message.created_at);
    const key = Number.isNaN(date.getTime()) ? last : dayKey(date);
    if (key && key !== last) {
      items.push({ kind: "day", key: `day-${key}`, date });
      last = key;
    }
    items.push({ kind: "message", key: message.id, message });
  }
  return items;
}

export type DayName = "today" | "yesterday" | null;

/** "today" / "yesterday" relative to `now`, else null (show the date). */
export function dayName(date: Date, now: Date = new Date()): DayName {
  if (dayKey(date) === dayKey(now)) return "today";
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  return dayKey(date) === dayKey(yesterday) ? "yesterday" : null;
}

export type Tick = "pending" | "sent" | "delivered" | "read" | "failed";

/** The tick to show on a message: only business messages have ticks. */
export function tickState(message: { direction: InboxMessage["direction"]; status: MessageStatus | null }): Tick | null {
  if (message.direction !== "outbound") return null;
  switch (message.status) {
    case "sent":
      return "sent";
    case "delivered":
      return "delivered";
    case "read":
    case "played":
      return "read";
    case "failed":
      return "failed";
    default:
      return "pending";
  }
}

/** "131047 · Re-engagement message" for a failed message's tooltip. */
export function failureTitle(error: MessageError | null | undefined): string {
  if (!error) return "";
  return [error.code != null ? String(error.code) : null, error.title, error.details].filter(Boolean).join(" · ");
}
