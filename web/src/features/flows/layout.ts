/** Auto-layout with dagre, top to bottom. */
import dagre from "@dagrejs/dagre";
import { deriveHandles, hasNamedExits } from "./handles";
import type { Graph } from "./graph";
import type { FlowNode } from "./types";

export const NODE_WIDTH = 264;
const GRID = 8;

/** The node's rendered size, or an estimate before React Flow has measured it. */
export function nodeSize(node: FlowNode): { width: number; height: number } {
  const width = node.measured?.width ?? node.width ?? NODE_WIDTH;
  if (node.measured?.height) return { width, height: node.measured.height };
  if (node.height) return { width, height: node.height };
  const handles = deriveHandles(node.type, node.data);
  const rows = hasNamedExits(handles) ? handles.length : 0;
  return { width, height: 96 + rows * 30 };
}

function snap(value: number): number {
  return Math.round(value / GRID) * GRID;
}

export function autoLayout(graph: Graph, options: { nodesep?: number; ranksep?: number } = {}): Graph {
  if (graph.nodes.length === 0) return graph;
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "TB", nodesep: options.nodesep ?? 56, ranksep: options.ranksep ?? 80, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(graph.nodes.map((n) => n.id));
  for (const node of graph.nodes) g.setNode(node.id, nodeSize(node));
  for (const edge of graph.edges) {
    if (ids.has(edge.source) && ids.has(edge.target) && edge.source !== edge.target) g.setEdge(edge.source, edge.target);
  }
  dagre.layout(g);
  const nodes = graph.nodes.map((node) => {
    const laid = g.node(node.id) as { x: number; y: number } | undefined;
    if (!laid) return node;
    const { width, height } = nodeSize(node);
    return { ...node, position: { x: snap(laid.x - width / 2), y: snap(laid.y - height / 2) } };
  });
  return { ...graph, nodes };
}
