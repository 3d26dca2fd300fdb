import { describe, expect, it } from "vitest";
import { copySelection, pasteClipboard } from "./clipboard";
import type { Graph } from "./graph";

const graph: Graph = {
  nodes: [
    { id: "n1", type: "trigger", position: { x: 0, y: 0 }, data: { keywords: ["hi"] } },
    { id: "n2", type: "options", position: { x: 0, y: 200 }, data: { text: "Pick", options: ["A", "B"] }, selected: true },
    { id: "n3", type: "message", position: { x: 300, y: 400 }, data: { text: "A!" }, selected: true },
    { id: "n4", type: "goto", position: { x: 600, y: 400 }, data: { targetNodeId: "n2" }, selected: true },
  ],
  edges: [
    { id: "e1", source: "n1", target: "n2", sourceHandle: null },
    { id: "e2", source: "n2", target: "n3", sourceHandle: "opt-0" },
    { id: "e3", source: "n3", target: "n4", sourceHandle: null },
  ],
};

describe("copy and paste", () => {
  it("copies the selected nodes and only the edges between them", () => {
    const clip = copySelection(graph)!;
    expect(clip.nodes.map((n) => n.id)).toEqual(["n2", "n3", "n4"]);
    expect(clip.edges.map((e) => e.id)).toEqual(["e2", "e3"]);
    expect(clip.nodes.every((n) => n.selected === undefined)).toBe(true);
    expect(copySelection({ ...graph, nodes: graph.nodes.map((n) => ({ ...n, selected: false })) })).toBeNull();
  });

  it("pastes with new ids, remapped edges and goto targets, offset and selected", () => {
    const clip = copySelection(graph)!;
    const next = pasteClipboard(graph, clip, { x: 40, y: 40 });
    expect(next.nodes).toHaveLength(7);
    const pasted = next.nodes.slice(4);
    expect(pasted.map((n) => n.id)).toEqual(["n5", "n6", "n7"]);
    expect(pasted.map((n) => n.position)).toEqual([
      { x: 40, y: 240 },
      { x: 340, y: 440 },
      { x: 640, y: 440 },
    ]);
    expect(pasted.every((n) => n.selected)).toBe(true);
    // the originals are deselected and untouched
    expect(next.nodes.slice(0, 4).some((n) => n.selected)).toBe(false);
    expect(next.nodes[3].data.targetNodeId).toBe("n2");
    // the copied goto jumps to the copied options node
    expect(pasted[2].data.targetNodeId).toBe("n5");
    const newEdges = next.edges.slice(3);
    expect(newEdges.map((e) => [e.source, e.sourceHandle, e.target])).toEqual([
      ["n5", "opt-0", "n6"],
      ["n6", null, "n7"],
    ]);
    const allIds = next.edges.map((e) => e.id);
    expect(new Set(allIds).size).toBe(allIds.length);
  });

  it("does not share data objects with the clipboard", () => {
    const clip = copySelection(graph)!;
    const next = pasteClipboard(graph, clip, { x: 0, y: 0 });
    (next.nodes[4].data.options as string[]).push("C");
    expect(clip.nodes[0].data.options).toEqual(["A", "B"]);
  });

  it("pastes twice without id collisions", () => {
    const clip = copySelection(graph)!;
    const once = pasteClipboard(graph, clip, { x: 32, y: 32 });
    const twice = pasteClipboard(once, clip, { x: 64, y: 64 });
    const ids = twice.nodes.map((n) => n.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice(-3)).toEqual(["n8", "n9", "n10"]);
  });
});
