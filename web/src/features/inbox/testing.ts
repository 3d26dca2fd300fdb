/** Test helpers: a fake Socket.IO socket and message / conversation builders. */
import type { ConversationDetail, ConversationSummary, InboxMessage } from "../../api/types";
import type { SocketLike } from "./useInboxSocket";

type Listener = (...args: never[]) => void;

export class FakeSocket implements SocketLike {
  connected = false;
  emitted: Array<{ event: string; data: unknown }> = [];
  private listeners = new Map<string, Set<Listener>>();
  disconnected = false;

  on(event: string, listener: Listener) {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener);
    this.listeners.set(event, set);
    return this;
  }

  off(event: string, listener?: Listener) {
    if (listener) this.listeners.get(event)?.delete(listener);
    else this.listeners.delete(event);
    return this;
  }

  emit(event: string, ...args: unknown[]) {
    this.emitted.push({ event, data: args[0] });
    return this;
  }

  connect() {
    return this;
  }

  disconnect() {
    this.disconnected = true;
    this.connected = false;
    return this;
  }

  /** Delivers a server event (or a lifecycle event) to the hook's listeners. */
  serverSends(event: string, ...args: unknown[]) {
    if (event === "connect") this.connected = true;
    if (event === "disconnect" || event === "connect_error") this.connected = false;
    for (const listener of [...(this.listeners.get(event) ?? [])]) (listener as (...a: unknown[]) => void)(...args);
  }

  emittedEvents(name: string) {
    return this.emitted.filter((e) => e.event === name).map((e) => e.data);
  }
}

export function makeMessage(overrides: Partial<InboxMessage> = {}): InboxMessage {
  return {
    id: "m1",
    contact_id: "c1",
    direction: "inbound",
    type: "text",
    text: "Hola",
    payload: {},
    status: "delivered",
    error: null,
    created_at: "2026-11-28T10:00:00Z",
    sent_at: null,
    delivered_at: null,
    read_at: null,
    wamid: null,
    sent_by: null,
    session_id: null,
    broadcast_id: null,
    media_url: null,
    reply_to: null,
    ...overrides,
  };
}

export function makeSummary(overrides: Partial<ConversationSummary> = {}): ConversationSummary {
  return {
    contact_id: "c1",
    conversation_id: "v1",
    contact_name: "Ana",
    contact_phone: "+5491155550000",
    tags: [],
    status: "open",
    mode: "bot",
    assignee: null,
    unread_count: 0,
    last_activity: "2026-11-28T10:00:00Z",
    last_message: "Hola",
    window_expires_at: "2999-01-01T00:00:00Z",
    window_open: true,
    ...overrides,
  };
}

export function makeDetail(overrides: Partial<ConversationDetail> = {}): ConversationDetail {
  return {
    ...makeSummary(),
    contact: {
      id: "c1",
      name: "Ana",
      phone: "+5491155550000",
      wa_id: "5491155550000",
      attributes: {},
      notes: null,
      opted_out: false,
      created_at: "2026-11-01T10:00:00Z",
    },
    session: null,
    ...overrides,
  };
}
