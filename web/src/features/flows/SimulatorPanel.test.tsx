import { describe, expect, it, vi } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockFetch, ownerSession, renderElement } from "../../test/utils";
import { SimulatorPanel } from "./SimulatorPanel";

const buttons = {
  simulation_id: "sim-1",
  status: "waiting_input",
  node_id: "n3",
  path: ["n1", "n2", "n3"],
  variables: { input: "hola", contact: { name: "Tester" } },
  events: ["Tags: +['lead'] -[]"],
  messages: [
    { node_id: "n2", payload: { messaging_product: "whatsapp", to: "5490000", type: "text", text: { body: "Hi Tester!" } } },
    {
      messaging_product: "whatsapp",
      type: "interactive",
      interactive: {
        type: "button",
        body: { text: "What do you need?" },
        action: {
          buttons: [
            { type: "reply", reply: { id: "opt-0", title: "Sales" } },
            { type: "reply", reply: { id: "opt-1", title: "Support" } },
          ],
        },
      },
    },
  ],
};

const afterReply = {
  simulation_id: "sim-1",
  status: "completed",
  node_id: "n5",
  path: ["n3", "n5"],
  variables: { input: "Support" },
  messages: [{ type: "text", text: { body: "A person will write to you soon." } }],
};

describe("SimulatorPanel", () => {
  it("renders a buttons payload and sends reply_id with the title when a button is clicked", async () => {
    const { calls } = mockFetch([{ method: "POST", path: "/api/flows/f1/simulate", body: buttons }]);
    const onState = vi.fn();
    renderElement(
      <SimulatorPanel flowId="f1" suggestions={["hola"]} onState={onState} onClose={() => undefined} />,
      { session: ownerSession },
    );
    const user = userEvent.setup();
    await user.type(screen.getByTestId("simulator-input"), "hola");
    await user.click(screen.getByTestId("simulator-send"));

    const replyButtons = await screen.findAllByTestId("sim-reply-button");
    expect(replyButtons.map((b) => b.textContent)).toEqual(["Sales", "Support"]);
    expect(screen.getByText("Hi Tester!")).toBeInTheDocument();
    expect(screen.getByTestId("simulator-note")).toHaveTextContent("Tags: +['lead'] -[]");
    expect(screen.getByText("What do you need?")).toBeInTheDocument();
    expect(screen.getByTestId("simulator-status")).toHaveTextContent("Waiting for a reply");
    expect(calls[0].body).toEqual({ text: "hola", use_draft: true });
    expect(onState).toHaveBeenLastCalledWith({ nodeId: "n3", path: ["n1", "n2", "n3"], status: "waiting_input" });

    const second = mockFetch([{ method: "POST", path: "/api/flows/f1/simulate", body: afterReply }]);
    await user.click(replyButtons[1]);
    await waitFor(() => expect(second.calls).toHaveLength(1));
    expect(second.calls[0].body).toEqual({ simulation_id: "sim-1", reply_id: "opt-1", text: "Support", use_draft: true });
    expect(await screen.findByText("A person will write to you soon.")).toBeInTheDocument();
    expect(screen.getByTestId("simulator-status")).toHaveTextContent("Completed");
    // the tapped button shows as the contact's message
    expect(screen.getAllByTestId("sim-message").some((m) => m.dataset.direction === "inbound" && m.textContent?.includes("Support"))).toBe(true);
  });

  it("offers the trigger keywords, shows the variables and restarts", async () => {
    const { calls } = mockFetch([{ method: "POST", path: "/api/flows/f1/simulate", body: buttons }]);
    renderElement(<SimulatorPanel flowId="f1" suggestions={["hola", "menu"]} onClose={() => undefined} />, {
      session: ownerSession,
    });
    const user = userEvent.setup();
    await user.click(screen.getAllByTestId("simulator-suggestion")[0]);
    await screen.findAllByTestId("sim-reply-button");
    expect(screen.getByTestId("simulator-variables")).toHaveTextContent('"name": "Tester"');
    await user.click(screen.getByTestId("simulator-reset"));
    expect(screen.queryAllByTestId("sim-message")).toHaveLength(0);
    expect(screen.getByTestId("simulator-status")).toHaveTextContent("Not started");
    // the next message starts a new session
    await user.click(screen.getAllByTestId("simulator-suggestion")[1]);
    await waitFor(() => expect(calls).toHaveLength(2));
    expect(calls[1].body).toEqual({ simulation_id: "sim-1", text: "menu", reset: true, use_draft: true });
    await screen.findAllByTestId("sim-reply-button");
    await user.type(screen.getByTestId("simulator-input"), "again{Enter}");
    await waitFor(() => expect(calls).toHaveLength(3));
    expect(calls[2].body).toEqual({ simulation_id: "sim-1", text: "again", use_draft: true });
  });

  it("opens a list and sends the row id", async () => {
    const list = {
      simulation_id: "sim-2",
      status: "waiting_input",
      messages: [
        {
          type: "interactive",
          interactive: {
            type: "list",
            body: { text: "Menu" },
            action: { button: "See menu", sections: [{ title: "Food", rows: [{ id: "opt-0", title: "Pizza" }] }] },
          },
        },
      ],
    };
    mockFetch([{ method: "POST", path: "/api/flows/f1/simulate", body: list }]);
    renderElement(<SimulatorPanel flowId="f1" suggestions={[]} onClose={() => undefined} />, { session: ownerSession });
    const user = userEvent.setup();
    await user.type(screen.getByTestId("simulator-input"), "menu{Enter}");
    await user.click(await screen.findByTestId("sim-list-open"));
    const next = mockFetch([{ method: "POST", path: "/api/flows/f1/simulate", body: { simulation_id: "sim-2", messages: [] } }]);
    await user.click(screen.getByTestId("sim-list-row"));
    await waitFor(() => expect(next.calls).toHaveLength(1));
    expect(next.calls[0].body).toEqual({ simulation_id: "sim-2", reply_id: "opt-0", text: "Pizza", use_draft: true });
  });
});
