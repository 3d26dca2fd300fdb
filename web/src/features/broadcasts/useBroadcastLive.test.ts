import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, renderHook } from "@testing-library/react";
import { FakeSocket } from "../inbox/testing";
import { FALLBACK_POLL_MS, HINT_DEBOUNCE_MS, LIVE_POLL_MS, useBroadcastLive } from "./useBroadcastLive";

function setup() {
  const socket = new FakeSocket();
  const onChange = vi.fn();
  const createSocket = () => socket;
  const hook = renderHook(() => useBroadcastLive({ onChange, createSocket }));
  return { socket, onChange, hook };
}

describe("useBroadcastLive", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("polls fast until the socket connects, then slowly", () => {
    const { hook, socket } = setup();
    act(() => vi.advanceTimersByTime(3000));
    expect(hook.result.current).toEqual({ mode: "polling", pollMs: FALLBACK_POLL_MS });
    act(() => socket.serverSends("connect"));
    expect(hook.result.current).toEqual({ mode: "live", pollMs: LIVE_POLL_MS });
    act(() => socket.serverSends("disconnect", "transport close"));
    expect(hook.result.current.mode).toBe("polling");
  });

  it("coalesces a burst of hints, including those inside a batch, into one re-fetch", () => {
    const { socket, onChange } = setup();
    act(() => socket.serverSends("connect"));
    act(() => {
      socket.serverSends("broadcast:progress", { broadcast_id: "b1", status: "running", paused_reason: null });
      socket.serverSends("batch", [
        ["broadcast:progress", { broadcast_id: "b1", status: "running", paused_reason: null }],
        ["message:new", { contact_id: "c1" }],
        ["broadcast:progress", { broadcast_id: "b2", status: "paused", paused_reason: "token" }],
      ]);
    });
    expect(onChange).not.toHaveBeenCalled();
    act(() => vi.advanceTimersByTime(HINT_DEBOUNCE_MS));
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(onChange.mock.calls[0][0].sort()).toEqual(["b1", "b2"]);
  });

  it("re-reads everything after a reconnect, and disconnects on unmount", () => {
    const { socket, onChange, hook } = setup();
    act(() => socket.serverSends("connect"));
    expect(onChange).not.toHaveBeenCalled();
    act(() => socket.serverSends("disconnect", "transport close"));
    act(() => socket.serverSends("connect"));
    expect(onChange).toHaveBeenCalledWith([]);
    hook.unmount();
    expect(socket.disconnected).toBe(true);
  });
});
