/** Copy/paste of nodes: the selection with its inner edges, pasted with fresh ids. */
import { edgeId, nodeIdGenerator, type Graph } from "./graph";
import type { FlowEdge, FlowNode } from "./types";

export interface ClipboardData {
  kind: "finnegans-nodes";
  nodes: FlowNode[];
  edges: FlowEdge[];
}

export const CLIPBOARD_STORAGE_KEY = "finnegans.flows.clipboard";

function clean<T extends object>(value: T): T {
  const copy = structuredClone(value) as Record<string, unknown>;
  delete copy.selected;
  delete copy.dragging;
  delete copy.measured;
  return copy as T;
}

/** The selected nodes and the edges between them, or null when nothing is selected. */
export function copySelection(graph: Graph): ClipboardData | null {
  const nodes = graph.nodes.filter((n) => n.selected);
  if (nodes.length === 0) return null;
  const ids = new Set(nodes.map((n) => n.id));
  const edges = graph.edges.filter((e) => ids.has(e.source) && ids.has(e.target));
  return { kind: "finnegans-nodes", nodes: nodes.map(clean), edges: edges.map(clean) };
}

export function isClipboardData(value: unknown): value is ClipboardData {
  const v = value as ClipboardData | null;
  return !!v && v.kind === "finnegans-nodes" && Array.isArray(v.nodes) && Array.isArray(v.edges);
}

/**
 * The clipboard's nodes with new ids (edges and goto targets inside the copy follow),
 * moved by `offset` and selected; the current selection is cleared.
 */
export function pasteClipboard(graph: Graph, data: ClipboardData, offset: { x: number; y: number }): Graph {
  const nextId = nodeIdGenerator(graph.nodes.map((n) => n.id));
  const idMap = new Map<string, string>();
  for (const node of data.nodes) idMap.set(node.id, nextId());
  const pasted: FlowNode[] = data.nodes.map((node) => {
    const copy = clean(node);
    const nodeData = { ...copy.data };
    if (copy.type === "goto" && typeof nodeData.targetNodeId === "string" && idMap.has(nodeData.targetNodeId)) {
      nodeData.targetNodeId = idMap.get(nodeData.targetNodeId);
    }
    return {
      ...copy,
      id: idMap.get(node.id)!,
      data: nodeData,
      position: { x: node.position.x + offset.x, y: node.position.y + offset.y },
      selected: true,
    };
  });
  const taken = new Set(graph.edges.map((e) => e.id));
  const edges: FlowEdge[] = [];
  for (const edge of data.edges) {
    const source = idMap.get(edge.source);
    const target = idMap.get(edge.target);
    if (!source || !target) continue;
    const id = edgeId(source, edge.sourceHandle, target, taken);
    taken.add(id);
    edges.push({ ...clean(edge), id, source, target });
  }
  return {
    nodes: [...graph.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...pasted],
    edges: [...graph.edges.map((e) => (e.selected ? { ...e, selected: false } : e)), ...edges],
  };
}
