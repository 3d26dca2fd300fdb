import { describe, expect, it } from "vitest";
import { autoLayout, nodeSize } from "./layout";
import type { Graph } from "./graph";
import type { FlowNode } from "./types";

function overlaps(a: FlowNode, b: FlowNode): boolean {
  const sa = nodeSize(a);
  const sb = nodeSize(b);
  return (
    a.position.x < b.position.x + sb.width &&
    a.position.x + sa.width > b.position.x &&
    a.position.y < b.position.y + sb.height &&
    a.position.y + sa.height > b.position.y
  );
}

describe("autoLayout", () => {
  const at = { x: 0, y: 0 };
  const graph: Graph = {
    nodes: [
      { id: "t", type: "trigger", position: at, data: { keywords: ["hi"] } },
      { id: "m", type: "options", position: at, data: { text: "Pick", options: ["A", "B", "C"] } },
      { id: "a", type: "message", position: at, data: { text: "A" } },
      { id: "b", type: "message", position: at, data: { text: "B" }, measured: { width: 264, height: 180 } },
      { id: "c", type: "condition", position: at, data: { expression: "x" } },
      { id: "y", type: "end", position: at, data: {} },
      { id: "n", type: "end", position: at, data: {} },
      { id: "lonely", type: "tag", position: at, data: { tags: ["x"] } },
    ],
    edges: [
      { id: "1", source: "t", target: "m" },
      { id: "2", source: "m", target: "a", sourceHandle: "opt-0" },
      { id: "3", source: "m", target: "b", sourceHandle: "opt-1" },
      { id: "4", source: "m", target: "c", sourceHandle: "opt-2" },
      { id: "5", source: "c", target: "y", sourceHandle: "true" },
      { id: "6", source: "c", target: "n", sourceHandle: "false" },
      { id: "7", source: "a", target: "t" },
    ],
  };

  it("places every node without overlaps", () => {
    const laid = autoLayout(graph);
    expect(laid.nodes).toHaveLength(graph.nodes.length);
    for (let i = 0; i < laid.nodes.length; i += 1) {
      for (let j = i + 1; j < laid.nodes.length; j += 1) {
        expect(overlaps(laid.nodes[i], laid.nodes[j]), `${laid.nodes[i].id} / ${laid.nodes[j].id}`).toBe(false);
      }
    }
  });

  it("goes top to bottom and snaps to the grid", () => {
    const laid = autoLayout(graph);
    const y = (id: string) => laid.nodes.find((n) => n.id === id)!.position.y;
    expect(y("t")).toBeLessThan(y("m"));
    expect(y("m")).toBeLessThan(y("c"));
    expect(y("c")).toBeLessThan(y("y"));
    for (const n of laid.nodes) {
      expect(n.position.x % 8).toBe(0);
      expect(n.position.y % 8).toBe(0);
    }
  });

  it("keeps edges and data untouched", () => {
    const laid = autoLayout(graph);
    expect(laid.edges).toBe(graph.edges);
    expect(laid.nodes.map((n) => n.data)).toEqual(graph.nodes.map((n) => n.data));
  });
});
