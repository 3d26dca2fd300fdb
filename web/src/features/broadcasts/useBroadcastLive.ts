/**
 * Live broadcast progress: the `broadcast:progress` Socket.IO hint (broadcasts/events.py, also
 * inside a `batch` when the server falls behind) re-fetches the broadcasts it names. The socket
 * only says "something changed": counts always come from the API. Delivery and read receipts
 * arrive by webhook without a hint, so an active broadcast is also polled: slowly while the
 * socket is live, faster when it is not (no connection within `graceMs`, or an error).
 */
import { useEffect, useRef, useState } from "react";
import type { BroadcastProgressEvent } from "../../api/types";
import { createInboxSocket, type SocketLike } from "../inbox/useInboxSocket";

export type LiveMode = "connecting" | "live" | "polling";
/** Re-read interval of an active broadcast with a live socket (receipts have no hint). */
export const LIVE_POLL_MS = 5000;
/** Re-read interval without a socket. */
export const FALLBACK_POLL_MS = 2000;
/** Bursts of hints (one per sent batch) are coalesced into one re-fetch. */
export const HINT_DEBOUNCE_MS = 300;

type Listener = (...args: never[]) => void;

export interface BroadcastLiveOptions {
  /** Called (debounced) with the ids of the broadcasts the hints named. */
  onChange: (broadcastIds: string[]) => void;
  createSocket?: () => SocketLike;
  graceMs?: number;
}

export function useBroadcastLive({ onChange, createSocket = createInboxSocket, graceMs = 3000 }: BroadcastLiveOptions) {
  const [mode, setMode] = useState<LiveMode>("connecting");
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  useEffect(() => {
    const socket = createSocket();
    const pending = new Set<string>();
    let timer: ReturnType<typeof setTimeout> | null = null;
    let wasLost = false;
    const grace = setTimeout(() => {
      if (!socket.connected) setMode("polling");
    }, graceMs);
    const flush = () => {
      timer = null;
      const ids = [...pending];
      pending.clear();
      if (ids.length > 0) onChangeRef.current(ids);
    };
    const onProgress = (event: BroadcastProgressEvent) => {
      if (!event?.broadcast_id) return;
      pending.add(event.broadcast_id);
      timer ??= setTimeout(flush, HINT_DEBOUNCE_MS);
    };
    const onBatch = (items: unknown) => {
      if (!Array.isArray(items)) return;
      for (const item of items) {
        if (Array.isArray(item) && item[0] === "broadcast:progress") onProgress(item[1] as BroadcastProgressEvent);
      }
    };
    const onConnect = () => {
      setMode("live");
      // Whatever happened while the socket was down is re-read.
      if (wasLost) onChangeRef.current([]);
      wasLost = false;
    };
    const onLost = (reason?: unknown) => {
      wasLost = true;
      setMode("polling");
      if (reason === "io server disconnect") socket.connect();
    };
    socket.on("connect", onConnect as Listener);
    socket.on("connect_error", onLost as Listener);
    socket.on("disconnect", onLost as Listener);
    socket.on("broadcast:progress", onProgress as Listener);
    socket.on("batch", onBatch as Listener);
    if (socket.connected) onConnect();
    return () => {
      clearTimeout(grace);
      if (timer) clearTimeout(timer);
      socket.off("connect", onConnect as Listener);
      socket.off("connect_error", onLost as Listener);
      socket.off("disconnect", onLost as Listener);
      socket.off("broadcast:progress", onProgress as Listener);
      socket.off("batch", onBatch as Listener);
      socket.disconnect();
    };
  }, [createSocket, graceMs]);

  return { mode, pollMs: mode === "live" ? LIVE_POLL_MS : FALLBACK_POLL_MS };
}
