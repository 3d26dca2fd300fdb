/**
 * The inbox's real-time link (docs/inbox.md §3): one Socket.IO connection with cookie auth,
 * the open conversation's room, typing relays and cache updates. When the socket is not
 * connected (an error, or no connection within `graceMs`), the inbox polls instead.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { io } from "socket.io-client";
import type {
  ConversationUpdatedEvent,
  Id,
  InboxMessage,
  MessageNewEvent,
  MessageStatusEvent,
  TypingEvent,
  UserRef,
} from "../../api/types";
import { inboxKeys } from "./api";
import { applyConversationUpdated, applyMessageNew, applyMessageStatus, cachedRow } from "./socketCache";

export type ConnectionMode = "connecting" | "live" | "polling";

/** How often lists, counts and the open thread are re-fetched without a socket. */
export const POLL_INTERVAL_MS = 3000;
/** Typing indicators from others vanish after this long without news. */
const TYPING_TTL_MS = 8000;
/** The agent counts as stopped typing after this long idle. */
export const TYPING_IDLE_MS = 3000;
/** `conversation:updated` bursts are coalesced into one re-fetch. */
const REFETCH_DEBOUNCE_MS = 250;

type Listener = (...args: never[]) => void;

/** The part of a socket.io-client Socket the hook uses (a fake one in tests). */
export interface SocketLike {
  connected: boolean;
  on(event: string, listener: Listener): unknown;
  off(event: string, listener?: Listener): unknown;
  emit(event: string, ...args: unknown[]): unknown;
  connect(): unknown;
  disconnect(): unknown;
}

/** Same origin, cookie auth; HTTP long-polling first, upgraded to WebSocket (socket.io's default). */
export function createInboxSocket(): SocketLike {
  return io({ path: "/socket.io", withCredentials: true }) as unknown as SocketLike;
}

export interface InboxSocketOptions {
  /** The open conversation, whose room the socket joins. */
  contactId: Id | null;
  /** The signed-in user (their own typing events are ignored). */
  meId?: Id;
  /** A customer message arrived (in the open thread, or counted as unread elsewhere). */
  onInbound?: (contactId: Id, message: InboxMessage | null) => void;
  createSocket?: () => SocketLike;
  graceMs?: number;
}

export function useInboxSocket({
  contactId,
  meId,
  onInbound,
  createSocket = createInboxSocket,
  graceMs = 3000,
}: InboxSocketOptions) {
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<ConnectionMode>("connecting");
  const [typing, setTyping] = useState<Record<Id, UserRef>>({});
  const socketRef = useRef<SocketLike | null>(null);
  const contactRef = useRef<Id | null>(contactId);
  const onInboundRef = useRef(onInbound);
  const meRef = useRef(meId);
  const typingTimers = useRef(new Map<Id, ReturnType<typeof setTimeout>>());
  onInboundRef.current = onInbound;
  meRef.current = meId;

  const refetchAll = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: inboxKeys.all });
  }, [queryClient]);

  useEffect(() => {
    const socket = createSocket();
    socketRef.current = socket;
    let everConnected = false;
    let lostSinceLastConnect = false;
    let refetchTimer: ReturnType<typeof setTimeout> | null = null;
    const grace = setTimeout(() => {
      if (!socket.connected) setMode("polling");
    }, graceMs);

    const join = () => {
      const id = contactRef.current;
      if (id) socket.emit("join:conversation", { contact_id: id });
    };
    const scheduleListRefetch = () => {
      if (refetchTimer) clearTimeout(refetchTimer);
      refetchTimer = setTimeout(() => {
        refetchTimer = null;
        void queryClient.invalidateQueries({ queryKey: inboxKeys.lists });
        void queryClient.invalidateQueries({ queryKey: inboxKeys.counts });
      }, REFETCH_DEBOUNCE_MS);
    };
    const clearTyping = (contact: Id, userId: Id) => {
      const key = `${contact}:${userId}`;
      const timer = typingTimers.current.get(key);
      if (timer) clearTimeout(timer);
      typingTimers.current.delete(key);
      setTyping((current) => {
        if (!(key in current)) return current;
        const next = { ...current };
        delete next[key];
        return next;
      });
    };

    const onConnect = () => {
      setMode("live");
      join();
      // The socket is a hint: whatever happened while it was down is re-read from the API.
      if (everConnected || lostSinceLastConnect) refetchAll();
      everConnected = true;
      lostSinceLastConnect = false;
    };
    const onConnectError = () => {
      lostSinceLastConnect = true;
      setMode("polling");
    };
    const onDisconnect = (reason?: string) => {
      lostSinceLastConnect = true;
      setMode("polling");
      // The server closed it (e.g. a deploy): socket.io does not retry by itself then.
      if (reason === "io server disconnect") socket.connect();
    };
    const onMessageNew = (event: MessageNewEvent) => {
      applyMessageNew(queryClient, event);
      if (event?.message?.direction === "inbound") {
        onInboundRef.current?.(event.contact_id, event.message);
      }
    };
    const threadRefetches = new Map<Id, ReturnType<typeof setTimeout>>();
    const onMessageStatus = (event: MessageStatusEvent) => {
      if (applyMessageStatus(queryClient, event) || threadRefetches.has(event.contact_id)) return;
      // A status for a message we do not hold yet: the database knows, read it again.
      threadRefetches.set(
        event.contact_id,
        setTimeout(() => {
          threadRefetches.delete(event.contact_id);
          void queryClient.invalidateQueries({ queryKey: inboxKeys.thread(event.contact_id) });
        }, REFETCH_DEBOUNCE_MS),
      );
    };
    const onConversationUpdated = (event: ConversationUpdatedEvent) => {
      if (!event?.contact_id) return;
      const before = cachedRow(queryClient, event.contact_id);
      const unread = event.conversation?.unread_count;
      if (
        event.contact_id !== contactRef.current &&
        typeof unread === "number" &&
        unread > (before?.unread_count ?? 0)
      ) {
        onInboundRef.current?.(event.contact_id, null);
      }
      if (!applyConversationUpdated(queryClient, event)) {
        void queryClient.invalidateQueries({ queryKey: inboxKeys.thread(event.contact_id) });
      }
      scheduleListRefetch();
    };
    const onTypingStart = (event: TypingEvent) => {
      if (!event?.user || event.user.id === meRef.current) return;
      const key = `${event.contact_id}:${event.user.id}`;
      const old = typingTimers.current.get(key);
      if (old) clearTimeout(old);
      typingTimers.current.set(
        key,
        setTimeout(() => clearTyping(event.contact_id, event.user.id), TYPING_TTL_MS),
      );
      setTyping((current) => (current[key]?.name === event.user.name ? current : { ...current, [key]: event.user }));
    };
    const onTypingStop = (event: TypingEvent) => {
      if (event?.user) clearTyping(event.contact_id, event.user.id);
    };

    type Handler = (data: unknown) => void;
    const events: Record<string, Handler> = {
      "message:new": onMessageNew as Handler,
      "message:status": onMessageStatus as Handler,
      "conversation:updated": onConversationUpdated as Handler,
      "typing:start": onTypingStart as Handler,
      "typing:stop": onTypingStop as Handler,
    };
    // When the server falls behind, a room's consecutive events arrive as one `batch` of
    // [event, data] pairs (realtime/fanout.py): handle each as if it had arrived alone.
    const onBatch = (items: unknown) => {
      if (!Array.isArray(items)) return;
      for (const item of items) {
        if (Array.isArray(item) && typeof item[0] === "string") events[item[0]]?.(item[1]);
      }
    };

    socket.on("connect", onConnect);
    socket.on("connect_error", onConnectError);
    socket.on("disconnect", onDisconnect);
    for (const [name, listener] of Object.entries(events)) socket.on(name, listener);
    socket.on("batch", onBatch as Listener);
    if (socket.connected) onConnect();

    const timers = typingTimers.current;
    return () => {
      clearTimeout(grace);
      if (refetchTimer) clearTimeout(refetchTimer);
      for (const timer of threadRefetches.values()) clearTimeout(timer);
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      socket.off("connect", onConnect);
      socket.off("connect_error", onConnectError);
      socket.off("disconnect", onDisconnect);
      for (const [name, listener] of Object.entries(events)) socket.off(name, listener);
      socket.off("batch", onBatch as Listener);
      socket.disconnect();
      socketRef.current = null;
    };
  }, [createSocket, graceMs, queryClient, refetchAll]);

  // Follow the open conversation: leave the old room, join the new one.
  useEffect(() => {
    contactRef.current = contactId;
    const socket = socketRef.current;
    if (!socket || !contactId) return;
    if (socket.connected) socket.emit("join:conversation", { contact_id: contactId });
    return () => {
      if (socket.connected) socket.emit("leave:conversation", { contact_id: contactId });
    };
  }, [contactId]);

  // Typing: start at the first keystroke, stop after TYPING_IDLE_MS idle (or on send / switch).
  const typingFor = useRef<Id | null>(null);
  const idleTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const stopTyping = useCallback(() => {
    if (idleTimer.current) clearTimeout(idleTimer.current);
    idleTimer.current = null;
    const id = typingFor.current;
    typingFor.current = null;
    if (id && socketRef.current?.connected) socketRef.current.emit("typing:stop", { contact_id: id });
  }, []);
  const notifyTyping = useCallback(() => {
    const id = contactRef.current;
    if (!id) return;
    if (typingFor.current !== id) {
      if (typingFor.current) stopTyping();
      typingFor.current = id;
      if (socketRef.current?.connected) socketRef.current.emit("typing:start", { contact_id: id });
    }
    if (idleTimer.current) clearTimeout(idleTimer.current);
    idleTimer.current = setTimeout(stopTyping, TYPING_IDLE_MS);
  }, [stopTyping]);
  useEffect(() => stopTyping, [contactId, stopTyping]);

  const typingHere = Object.entries(typing)
    .filter(([key]) => contactId !== null && key.startsWith(`${contactId}:`))
    .map(([, user]) => user);

  return {
    mode,
    /** Lists, counts and the open thread are polled while this is set. */
    pollInterval: mode === "polling" ? POLL_INTERVAL_MS : (false as const),
    typing: typingHere,
    notifyTyping,
    stopTyping,
    refresh: refetchAll,
  };
}
