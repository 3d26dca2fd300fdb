import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { routes } from "../../router";
import { mockFetch, ownerSession, renderRoutes, type MockRoute } from "../../test/utils";
import type { Overview } from "../../api/types";
import { niceMax } from "./charts";

function day(date: string, sent: number, received: number) {
  return { date, sent, received };
}

const overview: Overview = {
  days: 7,
  timezone: "America/Bogota",
  start: "2026-03-01",
  end: "2026-03-07",
  kpis: {
    contacts_total: 1234,
    contacts_new: 56,
    conversations_open: 7,
    messages_sent: 11,
    messages_received: 4,
    delivery_rate: 0.7,
    read_rate: 0.5714,
    flow_sessions_started: 5,
    flow_sessions_completed: 3,
    flow_completion_rate: 0.6,
  },
  messages_per_day: [
    day("2026-03-01", 0, 1),
    day("2026-03-02", 0, 0),
    day("2026-03-03", 0, 0),
    day("2026-03-04", 0, 0),
    day("2026-03-05", 0, 0),
    day("2026-03-06", 0, 1),
    day("2026-03-07", 11, 2),
  ],
  funnel: { sent: 9, delivered: 7, read: 4, failed: 1, pending: 1 },
  top_flows: [
    { id: "f1", name: "Welcome", started: 4, completed: 3, completion_rate: 0.75 },
    { id: "f2", name: "Survey", started: 1, completed: 0, completion_rate: 0 },
  ],
  drop_off: {
    flow_id: "f1",
    flow_name: "Welcome",
    sessions: 5,
    nodes: [
      { node_id: "start", label: "Hello", type: "trigger", reached: 5, stopped: 0 },
      { node_id: "bye", label: "Goodbye", type: "end", reached: 4, stopped: 4 },
    ],
  },
};

const empty: Overview = {
  ...overview,
  kpis: { ...overview.kpis, contacts_total: 0, contacts_new: 0, conversations_open: 0, messages_sent: 0,
    messages_received: 0, delivery_rate: null, read_rate: null, flow_sessions_started: 0,
    flow_sessions_completed: 0, flow_completion_rate: null },
  messages_per_day: overview.messages_per_day.map((d) => ({ ...d, sent: 0, received: 0 })),
  funnel: { sent: 0, delivered: 0, read: 0, failed: 0, pending: 0 },
  top_flows: [],
  drop_off: null,
};

const checklist: MockRoute[] = [
  { path: "/api/whatsapp-accounts", body: [] },
  { path: "/api/members", body: [] },
  { path: "/api/api-keys", body: [] },
];

describe("OverviewPage metrics", () => {
  it("shows the KPIs, the volume chart, the funnel, the drop-off and the top flows", async () => {
    const { calls } = mockFetch([...checklist, { path: /\/api\/overview\?days=7$/, body: overview }]);
    renderRoutes(routes, { path: "/", session: ownerSession });

    const contacts = await screen.findByTestId("kpi-contacts");
    expect(within(contacts).getByTestId("kpi-value")).toHaveTextContent("1,234");
    expect(contacts).toHaveTextContent("56 new in the period");
    expect(within(screen.getByTestId("kpi-delivery")).getByTestId("kpi-value")).toHaveTextContent("70%");
    expect(within(screen.getByTestId("kpi-read")).getByTestId("kpi-value")).toHaveTextContent("57.1%");
    expect(within(screen.getByTestId("kpi-messages")).getByTestId("kpi-value")).toHaveTextContent("11 / 4");
    expect(screen.getByTestId("kpi-completion")).toHaveTextContent("3 of 5 sessions completed");

    const chart = screen.getByTestId("volume-chart");
    expect(chart.querySelectorAll("[data-testid=volume-day]")).toHaveLength(7);
    const sent = chart.querySelectorAll("[data-testid=volume-bar-sent]");
    // The tallest bar fills the plot; an empty day has no height.
    expect(Number(sent[6].getAttribute("height"))).toBeGreaterThan(100);
    expect(Number(sent[1].getAttribute("height"))).toBe(0);
    expect(screen.getByText(/by day in America\/Bogota/)).toBeInTheDocument();

    expect(screen.getByTestId("funnel-delivered")).toHaveTextContent("7");
    expect(screen.getByTestId("funnel-failed")).toHaveTextContent("10%");
    const nodes = screen.getAllByTestId("dropoff-node");
    expect(nodes.map((n) => n.textContent)).toEqual(["Hello5", "Goodbye44 stopped here"]);
    const rows = screen.getAllByTestId("top-flow-row");
    expect(rows).toHaveLength(2);
    expect(within(rows[0]).getByText("Welcome")).toHaveAttribute("href", "/flows/f1");
    expect(rows[0]).toHaveTextContent("75%");
    expect(calls.some((c) => c.url === "/api/overview?days=7")).toBe(true);
  });

  it("asks for another period and another flow's drop-off", async () => {
    const { calls } = mockFetch([...checklist, { path: /\/api\/overview\?/, body: overview }]);
    renderRoutes(routes, { path: "/", session: ownerSession });
    await screen.findByTestId("volume-chart");
    await userEvent.click(screen.getByTestId("period-30"));
    await waitFor(() => expect(calls.some((c) => c.url === "/api/overview?days=30")).toBe(true));
    expect(screen.getByTestId("period-30")).toHaveAttribute("aria-checked", "true");
    await userEvent.click(within(screen.getAllByTestId("top-flow-row")[1]).getByText("Show drop-off"));
    await waitFor(() => expect(calls.some((c) => c.url === "/api/overview?days=30&flow_id=f2")).toBe(true));
  });

  it("shows empty states without data, and keeps the checklist while steps remain", async () => {
    mockFetch([...checklist, { path: /\/api\/overview\?/, body: empty }]);
    renderRoutes(routes, { path: "/", session: ownerSession });
    expect(await screen.findByTestId("volume-empty")).toHaveTextContent("No messages in this period yet.");
    expect(screen.getByTestId("funnel-empty")).toBeInTheDocument();
    expect(screen.getByTestId("dropoff-empty")).toBeInTheDocument();
    expect(screen.getByTestId("top-flows-empty")).toBeInTheDocument();
    expect(within(screen.getByTestId("kpi-delivery")).getByTestId("kpi-value")).toHaveTextContent("—");
    expect(screen.getByTestId("checklist-connectNumber")).toBeInTheDocument();
  });

  it("hides the checklist once every step is done", async () => {
    mockFetch([
      { path: "/api/whatsapp-accounts", body: [{ id: "a1" }] },
      { path: "/api/members", body: [{ id: "u1" }, { id: "u2" }] },
      { path: "/api/api-keys", body: [{ id: "k1", revokedAt: null }] },
      { path: /\/api\/overview\?/, body: overview },
    ]);
    renderRoutes(routes, { path: "/", session: ownerSession });
    await screen.findByTestId("volume-chart");
    await waitFor(() => expect(screen.queryByTestId("checklist-connectNumber")).not.toBeInTheDocument());
  });

  it("rounds the axis up to a readable maximum", () => {
    expect([niceMax(0), niceMax(3), niceMax(11), niceMax(130), niceMax(2600)]).toEqual([4, 4, 20, 200, 5000]);
  });
});
