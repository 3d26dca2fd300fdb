import { describe, expect, it } from "vitest";
import {
  collectVariables,
  connect,
  fromDefinition,
  moveMapping,
  nodeIdGenerator,
  reconcileEdges,
  removalMapping,
  toDefinition,
} from "./graph";
import type { FlowEdge } from "./types";

describe("connect", () => {
  const edges: FlowEdge[] = [{ id: "e1", source: "n1", target: "n2", sourceHandle: "opt-0" }];

  it("refuses self-loops", () => {
    expect(connect(edges, { source: "n1", target: "n1", sourceHandle: null, targetHandle: null })).toEqual({ ok: false, reason: "self" });
  });

  it("refuses the same edge twice", () => {
    expect(connect(edges, { source: "n1", target: "n2", sourceHandle: "opt-0", targetHandle: null })).toEqual({
      ok: false,
      reason: "duplicate",
    });
  });

  it("replaces the edge of an exit that is connected again", () => {
    const result = connect(edges, { source: "n1", target: "n3", sourceHandle: "opt-0", targetHandle: null });
    expect(result.ok && result.edges.map((e) => [e.source, e.sourceHandle, e.target])).toEqual([["n1", "opt-0", "n3"]]);
  });

  it("adds edges from other exits", () => {
    const result = connect(edges, { source: "n1", target: "n3", sourceHandle: "no-match", targetHandle: null });
    expect(result.ok && result.edges).toHaveLength(2);
  });
});

describe("reconcileEdges", () => {
  const node = { id: "n1", type: "options" };
  const edges: FlowEdge[] = [
    { id: "a", source: "n1", target: "x0", sourceHandle: "opt-0" },
    { id: "b", source: "n1", target: "x1", sourceHandle: "opt-1" },
    { id: "c", source: "n1", target: "x2", sourceHandle: "opt-2" },
    { id: "d", source: "n1", target: "nm", sourceHandle: "no-match" },
    { id: "e", source: "n9", target: "n1", sourceHandle: null },
  ];

  it("removes the edge of a removed option and renumbers the later ones", () => {
    const out = reconcileEdges(edges, node, { options: ["A", "B", "C"] }, { options: ["A", "C"] }, removalMapping(1, 3));
    expect(out.map((e) => `${e.sourceHandle}>${e.target}`)).toEqual(["opt-0>x0", "opt-1>x2", "no-match>nm", "null>n1"]);
  });

  it("moves edges with their options", () => {
    const out = reconcileEdges(edges, node, { options: ["A", "B", "C"] }, { options: ["B", "A", "C"] }, moveMapping(0, 1, 3));
    expect(out.map((e) => `${e.sourceHandle}>${e.target}`)).toEqual(["opt-1>x0", "opt-0>x1", "opt-2>x2", "no-match>nm", "null>n1"]);
  });

  it("drops edges of handles that disappear (a wait without timeout)", () => {
    const wait = { id: "w", type: "wait" };
    const waitEdges: FlowEdge[] = [
      { id: "r", source: "w", target: "a", sourceHandle: null },
      { id: "t", source: "w", target: "b", sourceHandle: "timeout" },
    ];
    const out = reconcileEdges(waitEdges, wait, { timeoutSeconds: 600 }, { timeoutSeconds: 0 });
    expect(out.map((e) => e.id)).toEqual(["r"]);
  });

  it("returns the same array when nothing changes", () => {
    expect(reconcileEdges(edges, node, { options: ["A", "B", "C"] }, { options: ["A", "B!", "C"] })).toBe(edges);
  });
});

describe("definitions", () => {
  it("keeps unknown keys of the original format and drops React Flow runtime state", () => {
    const original = {
      nodes: [
        { id: "n1", type: "trigger", position: { x: "10", y: null }, data: { keyword: "Hola" }, width: 150 },
        { id: 2, type: "end", position: { x: 0, y: 100 }, data: "oops" },
      ],
      edges: [{ id: "e1", source: "n1", target: 2, type: "smoothstep", markerEnd: { type: "arrowclosed" } }],
      meta: { author: "x" },
    };
    const graph = fromDefinition(original as never);
    expect(graph.nodes[0].position).toEqual({ x: 10, y: 0 });
    expect(graph.nodes[1]).toMatchObject({ id: "2", data: {} });
    graph.nodes[0].selected = true;
    graph.nodes[0].measured = { width: 264, height: 90 };
    const definition = toDefinition(graph, original as never);
    expect(definition.version).toBe(2);
    expect(definition.meta).toEqual({ author: "x" });
    expect(definition.nodes[0]).toEqual({ id: "n1", type: "trigger", position: { x: 10, y: 0 }, data: { keyword: "Hola" }, width: 150 });
    expect(definition.edges[0]).toEqual({
      id: "e1",
      source: "n1",
      target: "2",
      sourceHandle: null,
      type: "smoothstep",
      markerEnd: { type: "arrowclosed" },
    });
  });

  it("generates fresh node ids", () => {
    const next = nodeIdGenerator(["n1", "n7", "custom"]);
    expect([next(), next()]).toEqual(["n8", "n9"]);
  });
});

describe("collectVariables", () => {
  it("offers the contact, the message and the variables the flow defines", () => {
    const vars = collectVariables([
      { type: "question", data: { variable: "email" } },
      { type: "wait", data: { variable: "reply" } },
      { type: "assign", data: { key: "order.id" } },
      { type: "http", data: { assignTo: "response", responseMapping: { total: "data.total" } } },
      { type: "api", data: {} },
      { type: "set_attribute", data: { key: "plan" } },
      { type: "whatsapp_flow", data: {} },
    ]);
    expect(vars.contact).toContain("contact.name");
    expect(vars.contact).toContain("contact.attributes.plan");
    expect(vars.system).toEqual(["input", "trigger_message", "last_reply_id"]);
    expect(vars.flow).toEqual(["apiResult", "email", "flow.", "order.id", "reply", "response", "total"]);
  });
});
