import { describe, expect, it, vi } from "vitest";
import { fireEvent, screen } from "@testing-library/react";
import { renderElement, ownerSession } from "../../test/utils";
import { Inspector } from "./inspector/Inspector";
import { VariablesContext } from "./inspector/controls";
import type { FlowNode, NodeData } from "./types";

function setup(node: FlowNode) {
  let data = node.data;
  const onChange = vi.fn((updater: (d: NodeData) => NodeData, options?: unknown) => {
    data = updater(data);
    return options;
  });
  renderElement(
    <VariablesContext.Provider value={{ contact: ["contact.name"], system: ["input"], flow: ["email"] }}>
      <Inspector
        node={node}
        nodes={[node]}
        flows={[]}
        currentFlowId="f1"
        problems={[]}
        onChange={onChange}
        onDelete={() => undefined}
        onDuplicate={() => undefined}
      />
    </VariablesContext.Provider>,
    { session: ownerSession },
  );
  return { onChange, data: () => data };
}

describe("Inspector", () => {
  it("shows character counters that turn red past the limit", () => {
    setup({
      id: "n2",
      type: "options",
      position: { x: 0, y: 0 },
      data: { text: "Pick one", options: ["Talk to sales now", "An option title that is too long"] },
    });
    const ok = screen.getByTestId("inspector-options-0-counter");
    expect(ok).toHaveTextContent("17/20");
    expect(ok).not.toHaveAttribute("data-over");
    const over = screen.getByTestId("inspector-options-1-counter");
    expect(over).toHaveTextContent("32/20");
    expect(over).toHaveAttribute("data-over", "true");
    expect(over.className).toContain("text-red-600");
    expect(screen.getByTestId("inspector-text-counter")).toHaveTextContent("8/1024");
    expect(screen.getByText("Too long: at most 20 characters.")).toBeInTheDocument();
  });

  it("removing an option asks to drop its edge and renumber the next ones", () => {
    const { onChange, data } = setup({
      id: "n2",
      type: "options",
      position: { x: 0, y: 0 },
      data: { text: "Pick", options: ["A", "B", "C"] },
    });
    fireEvent.click(screen.getByTestId("inspector-options-remove-0"));
    expect(data().options).toEqual(["B", "C"]);
    expect(onChange.mock.calls[0][1]).toEqual({ mapping: { "opt-0": null, "opt-1": "opt-0", "opt-2": "opt-1" } });
  });

  it("inserts a variable from the picker", () => {
    const { data } = setup({ id: "n1", type: "message", position: { x: 0, y: 0 }, data: { text: "Hello " } });
    fireEvent.click(screen.getByTestId("inspector-text-variables"));
    fireEvent.click(screen.getByText("{{contact.name}}"));
    expect(data().text).toBe("Hello {{contact.name}}");
  });
});
