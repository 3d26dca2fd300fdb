import { afterEach, describe, expect, it, vi } from "vitest";
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { Broadcast, BroadcastRecipient, Session } from "../../api/types";
import { routes } from "../../router";
import { ownerSession, renderRoutes } from "../../test/utils";
import { reply, stubApi, type Handler } from "../contacts/testing";
import { FakeSocket } from "../inbox/testing";

const sockets: FakeSocket[] = [];
vi.mock("socket.io-client", () => ({
  io: () => {
    const socket = new FakeSocket();
    sockets.push(socket);
    return socket;
  },
}));

afterEach(() => {
  sockets.length = 0;
  vi.useRealTimers();
});

const agentSession: Session = { ...ownerSession, role: "agent" };

function broadcast(extra: Partial<Broadcast> = {}): Broadcast {
  return {
    id: "b1",
    title: "Promo",
    status: "running",
    paused_reason: null,
    whatsapp_account_id: "a1",
    flow_id: null,
    audience: { kind: "everyone" },
    content: { kind: "template", template: { name: "hello_world", language: { code: "en_US" } } },
    total_recipients: 4,
    counts: { pending: 2, sending: 0, sent: 1, delivered: 0, read: 0, failed: 1, skipped: 0, replied: 0 },
    funnel: { sent: 1, delivered: 0, read: 0, replied: 0, failed: 1 },
    progress: 0.5,
    rate_per_second: 80,
    current_rate: 12.5,
    eta_seconds: 130,
    warnings: [],
    scheduled_at: null,
    started_at: "2026-12-04T10:00:00Z",
    completed_at: null,
    cancelled_at: null,
    created_at: "2026-12-04T09:59:00Z",
    updated_at: "2026-12-04T10:00:00Z",
    ...extra,
  };
}

function recipient(n: number, extra: Partial<BroadcastRecipient> = {}): BroadcastRecipient {
  return {
    id: `r${n}`,
    contact_id: `c${n}`,
    contact_name: `Cliente ${n}`,
    contact_phone: `+54911000000${n}`,
    status: "sent",
    error_code: null,
    error: null,
    attempts: 1,
    next_attempt_at: null,
    wamid: `wamid.${n}`,
    sent_at: "2026-12-04T10:00:01Z",
    delivered_at: null,
    read_at: null,
    replied_at: null,
    ...extra,
  };
}

const FAILED = recipient(2, { status: "failed", error_code: 131026, error: "Message undeliverable: the number is not on WhatsApp" });

function pageApi(current: () => Broadcast, extra: Handler[] = []) {
  return stubApi([
    ...extra,
    { path: "/api/broadcasts/b1", respond: () => current() },
    {
      path: "/api/broadcasts/b1/recipients",
      respond: (url) => {
        const status = new URL(url, "http://x").searchParams.get("status");
        const all = [recipient(1), FAILED];
        return { recipients: all.filter((r) => !status || r.status === status), next_cursor: null };
      },
    },
  ]);
}

describe("broadcast page", () => {
  it("shows progress, rate, ETA and the funnel, and a failed recipient's reason on click", async () => {
    pageApi(() => broadcast());
    const user = userEvent.setup();
    renderRoutes(routes, { path: "/broadcasts/b1", session: ownerSession });
    expect(await screen.findByRole("progressbar")).toHaveAttribute("aria-valuenow", "50");
    expect(screen.getByTestId("stat-rate")).toHaveTextContent("12.5 msg/s (limit 80/s)");
    expect(screen.getByTestId("stat-eta")).toHaveTextContent("2 min 10 s");
    expect(within(screen.getByTestId("funnel-failed")).getByText("1")).toBeInTheDocument();
    const rows = await screen.findAllByTestId("recipient-row");
    expect(rows).toHaveLength(2);
    expect(screen.queryByTestId("recipient-reason")).not.toBeInTheDocument();
    await user.click(rows[1]);
    const reason = screen.getByTestId("recipient-reason");
    expect(reason).toHaveTextContent("WhatsApp error 131026");
    expect(reason).toHaveTextContent("not on WhatsApp");
    expect(screen.getByTestId("recipients-export")).toHaveAttribute("href", "/api/broadcasts/b1/recipients.csv");
    // The status filter asks the server.
    await user.selectOptions(screen.getByTestId("recipients-filter"), "failed");
    await waitFor(() => expect(screen.getAllByTestId("recipient-row")).toHaveLength(1));
    // Admins can pause and cancel a running broadcast.
    expect(screen.getByTestId("broadcast-pause")).toBeInTheDocument();
    expect(screen.getByTestId("broadcast-cancel")).toBeInTheDocument();
  });

  it("re-reads the broadcast when the socket says it changed, and shows why it paused", async () => {
    let current = broadcast();
    const { calls } = pageApi(() => current);
    renderRoutes(routes, { path: "/broadcasts/b1", session: ownerSession });
    await screen.findByRole("progressbar");
    act(() => sockets[0].serverSends("connect"));
    current = broadcast({ status: "paused", paused_reason: "The access token is invalid or expired (190): update it in Settings → WhatsApp, then resume." });
    const before = calls.filter((c) => c.url === "/api/broadcasts/b1").length;
    act(() => sockets[0].serverSends("batch", [["broadcast:progress", { broadcast_id: "b1", status: "paused", paused_reason: "x" }]]));
    expect(await screen.findByTestId("broadcast-paused-reason")).toHaveTextContent("access token is invalid");
    expect(calls.filter((c) => c.url === "/api/broadcasts/b1").length).toBeGreaterThan(before);
    expect(screen.getByTestId("broadcast-resume")).toBeInTheDocument();
    expect(screen.queryByTestId("broadcast-pause")).not.toBeInTheDocument();
  });

  it("lets an agent read but not pause, resume or cancel", async () => {
    pageApi(() => broadcast());
    renderRoutes(routes, { path: "/broadcasts/b1", session: agentSession });
    await screen.findByRole("progressbar");
    expect(screen.queryByTestId("broadcast-pause")).not.toBeInTheDocument();
    expect(screen.queryByTestId("broadcast-cancel")).not.toBeInTheDocument();
  });
});

describe("broadcasts list", () => {
  it("lists name, status, audience and progress; only admins get a New button", async () => {
    stubApi([
      {
        path: "/api/broadcasts",
        respond: () => ({ broadcasts: [broadcast({ counts: { ...broadcast().counts, skipped: 1 } }), broadcast({ id: "b2", title: "Borrador", status: "draft", total_recipients: 0, progress: 0 })], next_cursor: null }),
      },
    ]);
    const view = renderRoutes(routes, { path: "/broadcasts", session: agentSession });
    const rows = await screen.findAllByTestId("broadcast-row");
    expect(rows[0]).toHaveTextContent("Promo");
    expect(rows[0]).toHaveTextContent("Sending");
    expect(rows[0]).toHaveTextContent("3");
    expect(within(rows[0]).getByRole("progressbar")).toHaveAttribute("aria-valuenow", "50");
    expect(rows[1]).toHaveTextContent("Draft");
    expect(screen.queryByTestId("broadcasts-new")).not.toBeInTheDocument();
    view.unmount();
    renderRoutes(routes, { path: "/broadcasts", session: ownerSession });
    expect(await screen.findByTestId("broadcasts-new")).toHaveAttribute("href", "/broadcasts/new");
  });
});

describe("search results", () => {
  it("open the broadcast from /broadcasts?id=", async () => {
    pageApi(() => broadcast());
    renderRoutes(routes, { path: "/broadcasts?id=b1", session: agentSession });
    expect(await screen.findByTestId("broadcast-title")).toHaveTextContent("Promo");
  });
});

describe("broadcast wizard", () => {
  const preview = (unique: number, optedOut: number) => ({
    matched: unique + optedOut,
    opted_out: optedOut,
    window_closed: 0,
    unique,
    samples: [],
    warnings: [],
    timezone: "America/Argentina/Buenos_Aires",
  });

  it("counts the audience live (debounced), then shows a past schedule's error on the schedule step", async () => {
    const previews: unknown[] = [];
    const { calls } = stubApi([
      { path: "/api/tags", respond: () => ({ tags: [{ id: "t1", name: "vip", color: null, contact_count: 3 }, { id: "t2", name: "lead", color: null, contact_count: 1 }] }) },
      {
        method: "POST",
        path: "/api/broadcasts/audience-preview",
        respond: (_url, body) => {
          previews.push(body);
          const tags = ((body as { audience: { tags?: string[] } }).audience.tags ?? []).length;
          return tags === 0 ? preview(10, 2) : preview(tags * 3, 1);
        },
      },
      { path: "/api/templates", respond: () => ({ templates: [] }) },
      { method: "POST", path: "/api/broadcasts", respond: () => broadcast({ id: "d1", status: "draft" }) },
      { method: "PATCH", path: "/api/broadcasts/d1", respond: () => broadcast({ id: "d1", status: "draft" }) },
      {
        method: "POST",
        path: "/api/broadcasts/d1/launch",
        respond: () => reply(400, { error: "scheduled_at: the time is in the past", fields: { scheduled_at: "must be in the future" } }),
      },
    ]);
    const user = userEvent.setup();
    renderRoutes(routes, { path: "/broadcasts/new", session: ownerSession });
    expect(await screen.findByTestId("audience-count-unique")).toHaveTextContent("10");
    expect(screen.getByTestId("audience-count-opted-out")).toHaveTextContent("2 opted out: skipped");
    await user.click(screen.getByTestId("audience-kind-tags"));
    expect(screen.getByTestId("wizard-next")).toBeDisabled();
    const tags = await screen.findAllByTestId("audience-tag");
    await user.click(tags[0]);
    await user.click(tags[1]);
    await waitFor(() => expect(screen.getByTestId("audience-count-unique")).toHaveTextContent("6"));
    // Two quick clicks are one request: the count waits for the audience to settle.
    expect(previews.filter((b) => JSON.stringify(b).includes("vip"))).toHaveLength(1);

    await user.click(screen.getByTestId("wizard-next"));
    await user.click(screen.getByTestId("content-kind-text"));
    expect(screen.getByTestId("content-window-note")).toHaveTextContent("24 hours");
    await user.type(screen.getByTestId("content-text"), "Hola");
    await user.click(screen.getByTestId("wizard-next"));
    await user.click(screen.getByTestId("schedule-later"));
    expect(screen.getByText(/America\/Argentina\/Buenos_Aires/)).toBeInTheDocument();
    await user.type(screen.getByTestId("schedule-at"), "2020-01-01T10:00");
    await user.click(screen.getByTestId("wizard-next"));
    await user.type(screen.getByTestId("broadcast-name"), "Navidad");
    await user.click(screen.getByTestId("wizard-launch"));

    expect(await screen.findByTestId("wizard-error-schedule")).toHaveTextContent("the time is in the past");
    const create = calls.find((c) => c.method === "POST" && c.url === "/api/broadcasts");
    expect(create?.body).toMatchObject({ title: "Navidad", audience: { kind: "tags", tags: ["vip", "lead"] }, content: { kind: "text", text: "Hola" }, launch: false });
    expect(calls.find((c) => c.url === "/api/broadcasts/d1/launch")?.body).toEqual({ scheduledAt: "2020-01-01T10:00:00" });
    // Fixing the time launches the same draft (edited, not a second one).
    await user.click(screen.getByTestId("wizard-next"));
    await user.click(screen.getByTestId("wizard-launch"));
    await waitFor(() => expect(calls.filter((c) => c.method === "PATCH" && c.url === "/api/broadcasts/d1")).toHaveLength(1));
    expect(calls.filter((c) => c.method === "POST" && c.url === "/api/broadcasts")).toHaveLength(1);
  });

  it("edits a saved draft: the wizard opens with it, and saving patches that draft", async () => {
    const draft = broadcast({
      id: "d1",
      title: "Borrador",
      status: "draft",
      audience: { kind: "tags", tags: ["vip"], match: "any", segment_id: null, contact_ids: [], upload_id: null },
      content: { kind: "text", text: "Hola" },
      total_recipients: 0,
      progress: 0,
    });
    const { calls } = stubApi([
      { path: "/api/broadcasts/d1", respond: () => draft },
      { method: "PATCH", path: "/api/broadcasts/d1", respond: () => draft },
      { path: "/api/tags", respond: () => ({ tags: [{ id: "t1", name: "vip", color: null, contact_count: 3 }] }) },
      { method: "POST", path: "/api/broadcasts/audience-preview", respond: () => preview(3, 0) },
    ]);
    const user = userEvent.setup();
    renderRoutes(routes, { path: "/broadcasts/d1/edit", session: ownerSession });
    expect(await screen.findByText("Edit draft")).toBeInTheDocument();
    expect(await screen.findByTestId("audience-tag")).toBeChecked();
    await user.click(screen.getByTestId("wizard-step-review"));
    expect(screen.getByTestId("broadcast-name")).toHaveValue("Borrador");
    await user.click(screen.getByTestId("wizard-save-draft"));
    await waitFor(() => expect(calls.some((c) => c.method === "PATCH")).toBe(true));
    expect(calls.find((c) => c.method === "PATCH")?.body).toMatchObject({
      title: "Borrador",
      audience: { kind: "tags", tags: ["vip"] },
      content: { kind: "text", text: "Hola" },
    });
    expect(calls.some((c) => c.method === "POST" && c.url === "/api/broadcasts")).toBe(false);
  });

  it("sends an agent back to the list", async () => {
    stubApi([{ path: "/api/broadcasts", respond: () => ({ broadcasts: [], next_cursor: null }) }]);
    renderRoutes(routes, { path: "/broadcasts/new", session: agentSession });
    expect(await screen.findByText("No broadcasts yet")).toBeInTheDocument();
  });
});
