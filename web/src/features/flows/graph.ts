/** Pure graph operations of the builder: (de)serialization, ids, connecting, edge upkeep, variables. */
import type { Connection } from "@xyflow/react";
import { deriveHandles, handleKey, strings } from "./handles";
import type { FlowDefinition, FlowEdge, FlowNode, NodeData } from "./types";

export interface Graph {
  nodes: FlowNode[];
  edges: FlowEdge[];
}

/** Keys React Flow adds at runtime; never saved. */
const RUNTIME_NODE_KEYS = ["selected", "dragging", "measured", "positionAbsolute", "resizing", "internals"];
const RUNTIME_EDGE_KEYS = ["selected"];

function omit<T extends object>(value: T, keys: string[]): T {
  const copy = { ...value } as Record<string, unknown>;
  for (const key of keys) delete copy[key];
  return copy as T;
}

function finite(value: unknown): number {
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

/** A definition (from the API or a file) as React Flow state; unknown keys are kept. */
export function fromDefinition(definition: FlowDefinition): Graph {
  const nodes = (definition.nodes ?? [])
    .filter((n) => n && typeof n === "object" && n.id != null)
    .map((n) => {
      const data = n.data && typeof n.data === "object" && !Array.isArray(n.data) ? (n.data as NodeData) : {};
      const position = (n.position ?? {}) as { x?: unknown; y?: unknown };
      return { ...n, id: String(n.id), data, position: { x: finite(position.x), y: finite(position.y) } };
    });
  const edges = (definition.edges ?? [])
    .filter((e) => e && typeof e === "object" && e.source != null && e.target != null)
    .map((e, i) => ({
      ...e,
      id: e.id != null ? String(e.id) : `e${i}`,
      source: String(e.source),
      target: String(e.target),
      sourceHandle: e.sourceHandle ?? null,
    }));
  return { nodes, edges };
}

/** React Flow state as the definition saved by the API. */
export function toDefinition(graph: Graph, base: Partial<FlowDefinition> = {}): FlowDefinition {
  const extra = omit(base as FlowDefinition, ["nodes", "edges"]);
  return {
    ...extra,
    version: 2,
    nodes: graph.nodes.map((n) => omit(n, RUNTIME_NODE_KEYS)),
    edges: graph.edges.map((e) => omit(e, RUNTIME_EDGE_KEYS)),
  };
}

/** A generator of fresh node ids `n<k>` that never collide with the given ids. */
export function nodeIdGenerator(existing: Iterable<string>): () => string {
  const taken = new Set(existing);
  let next = 1;
  for (const id of taken) {
    const m = /^n(\d+)$/.exec(id);
    if (m) next = Math.max(next, Number(m[1]) + 1);
  }
  return () => {
    while (taken.has(`n${next}`)) next += 1;
    const id = `n${next}`;
    taken.add(id);
    next += 1;
    return id;
  };
}

export function edgeId(source: string, sourceHandle: string | null | undefined, target: string, taken?: Set<string>): string {
  const base = `e-${source}-${sourceHandle || "out"}-${target}`;
  if (!taken?.has(base)) return base;
  let i = 2;
  while (taken.has(`${base}-${i}`)) i += 1;
  return `${base}-${i}`;
}

export type ConnectResult = { ok: true; edges: FlowEdge[] } | { ok: false; reason: "self" | "duplicate" | "invalid" };

/**
 * Connects two nodes: refuses self-loops and an identical edge; an exit holds one edge,
 * so connecting an exit again replaces its edge.
 */
export function connect(edges: FlowEdge[], connection: Connection): ConnectResult {
  const { source, target } = connection;
  if (!source || !target) return { ok: false, reason: "invalid" };
  if (source === target) return { ok: false, reason: "self" };
  const handle = connection.sourceHandle ?? null;
  const sameExit = (e: FlowEdge) => e.source === source && handleKey(e.sourceHandle) === handleKey(handle);
  if (edges.some((e) => sameExit(e) && e.target === target)) return { ok: false, reason: "duplicate" };
  const kept = edges.filter((e) => !sameExit(e));
  const taken = new Set(kept.map((e) => e.id));
  return {
    ok: true,
    edges: [...kept, { id: edgeId(source, handle, target, taken), source, target, sourceHandle: handle }],
  };
}

/** Whether a connection may be drawn (live feedback while dragging). */
export function isValidConnection(connection: { source?: string | null; target?: string | null }): boolean {
  return !!connection.source && !!connection.target && connection.source !== connection.target;
}

/**
 * Edge upkeep after a node's data changed: `mapping` renames handles (old → new, or null to
 * drop its edge), then edges from named handles the node no longer has are removed.
 */
export function reconcileEdges(
  edges: FlowEdge[],
  node: Pick<FlowNode, "id" | "type">,
  before: NodeData,
  after: NodeData,
  mapping?: Record<string, string | null>,
): FlowEdge[] {
  const oldIds = new Set(deriveHandles(node.type, before).map((h) => handleKey(h.id)));
  const newIds = new Set(deriveHandles(node.type, after).map((h) => handleKey(h.id)));
  let changed = false;
  const out: FlowEdge[] = [];
  for (const edge of edges) {
    if (edge.source !== node.id) {
      out.push(edge);
      continue;
    }
    let handle = edge.sourceHandle ?? null;
    if (mapping && handle !== null && handle in mapping) {
      const renamed = mapping[handle];
      changed = true;
      if (renamed === null) continue;
      handle = renamed;
    }
    if (handle !== null && oldIds.has(handle) && !newIds.has(handle)) {
      changed = true;
      continue;
    }
    out.push(handle === (edge.sourceHandle ?? null) ? edge : { ...edge, sourceHandle: handle });
  }
  return changed ? out : edges;
}

/** Handle mapping for removing item `index` of a list of `count` (`opt-<i>` handles). */
export function removalMapping(index: number, count: number, offset = 0): Record<string, string | null> {
  const mapping: Record<string, string | null> = { [`opt-${offset + index}`]: null };
  for (let i = index + 1; i < count; i += 1) mapping[`opt-${offset + i}`] = `opt-${offset + i - 1}`;
  return mapping;
}

/** Handle mapping for moving item `from` to `to` in a list (`opt-<i>` handles). */
export function moveMapping(from: number, to: number, count: number, offset = 0): Record<string, string | null> {
  const order = Array.from({ length: count }, (_, i) => i);
  const [item] = order.splice(from, 1);
  order.splice(to, 0, item);
  const mapping: Record<string, string | null> = {};
  order.forEach((oldIndex, newIndex) => {
    if (oldIndex !== newIndex) mapping[`opt-${offset + oldIndex}`] = `opt-${offset + newIndex}`;
  });
  return mapping;
}

/** Handle mapping for inserting an item at `index` (later items shift by one). */
export function insertMapping(index: number, count: number, offset = 0): Record<string, string | null> {
  const mapping: Record<string, string | null> = {};
  for (let i = index; i < count; i += 1) mapping[`opt-${offset + i}`] = `opt-${offset + i + 1}`;
  return mapping;
}

export interface VariableGroups {
  contact: string[];
  system: string[];
  flow: string[];
}

/** Variables a template can use: the contact, the system ones and those the graph defines. */
export function collectVariables(nodes: Array<Pick<FlowNode, "type" | "data">>): VariableGroups {
  const contact = new Set(["contact.name", "contact.phone", "contact.wa_id", "contact.tags"]);
  const flow = new Set<string>();
  const add = (value: unknown, prefix = "") => {
    const name = typeof value === "string" ? value.trim() : "";
    if (name) flow.add(prefix + name);
  };
  for (const node of nodes) {
    const data = node.data ?? {};
    switch (node.type) {
      case "question":
      case "wait":
        add(data.variable);
        break;
      case "assign":
        add(data.key);
        break;
      case "set_attribute":
        if (typeof data.key === "string" && data.key.trim()) contact.add(`contact.attributes.${data.key.trim()}`);
        break;
      case "http":
        add(data.assignTo);
        if (data.responseMapping && typeof data.responseMapping === "object")
          Object.keys(data.responseMapping as object).forEach((k) => add(k));
        break;
      case "api":
        add(data.assignTo || "apiResult");
        break;
      case "whatsapp_flow":
        add(`${(typeof data.variable === "string" && data.variable.trim()) || "flow"}.`, "");
        break;
      default:
        break;
    }
  }
  return {
    contact: [...contact],
    system: ["input", "trigger_message", "last_reply_id"],
    flow: [...flow].sort(),
  };
}

/** Trigger keywords of a graph (for the simulator's suggestions and the flow summary). */
export function triggerKeywords(nodes: FlowNode[]): string[] {
  const out: string[] = [];
  for (const node of nodes) {
    if (node.type !== "trigger") continue;
    const list = Array.isArray(node.data.keywords) ? strings(node.data.keywords) : [String(node.data.keyword ?? "")];
    for (const k of list) if (k.trim() && !out.includes(k.trim())) out.push(k.trim());
  }
  return out;
}
