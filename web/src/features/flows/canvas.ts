/** React Flow wiring shared by the builder and the read-only version preview. */
import { MarkerType, type Edge, type NodeTypes } from "@xyflow/react";
import { FlowNodeCard } from "./FlowNodeCard";
import { NODE_SPECS, GROUP_STYLES, specOf } from "./catalog";
import { NODE_TYPES } from "./types";
import type { FlowEdge, FlowNode } from "./types";
import type { HandleKind } from "./handles";

export const nodeTypes: NodeTypes = Object.fromEntries(NODE_TYPES.map((type) => [type, FlowNodeCard]));

export function handleKind(handle: string | null | undefined): HandleKind {
  if (!handle) return "default";
  if (handle.startsWith("opt-")) return "option";
  if (["no-match", "true", "false", "success", "error", "fallback", "timeout"].includes(handle)) return handle as HandleKind;
  return "default";
}

const EDGE_COLORS: Record<HandleKind, string> = {
  default: "#71717a",
  option: "#64748b",
  "no-match": "#a1a1aa",
  true: "#16a34a",
  false: "#dc2626",
  success: "#16a34a",
  error: "#dc2626",
  fallback: "#a1a1aa",
  timeout: "#d97706",
};

/** Display props of the edges (colour per exit kind, highlighted simulator path); never saved. */
export function decorateEdges(edges: FlowEdge[], highlighted: Set<string> = new Set()): Edge[] {
  return edges.map((edge) => {
    const kind = handleKind(edge.sourceHandle);
    const color = EDGE_COLORS[kind];
    const onPath = highlighted.has(edge.id);
    return {
      ...edge,
      type: "smoothstep",
      pathOptions: { borderRadius: 12, offset: 18 },
      className: `flow-edge flow-edge-${kind}${onPath ? " flow-edge-active" : ""}`,
      markerEnd: { type: MarkerType.ArrowClosed, color: onPath ? "#0ea5e9" : color, width: 16, height: 16 },
      style: { stroke: onPath ? "#0ea5e9" : color },
      animated: onPath,
    } as Edge;
  });
}

/** Edges walked by a simulation path (consecutive node pairs). */
export function pathEdgeIds(edges: FlowEdge[], path: string[]): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + 1 < path.length; i += 1) {
    const edge = edges.find((e) => e.source === path[i] && e.target === path[i + 1]);
    if (edge) out.add(edge.id);
  }
  return out;
}

export function minimapColor(node: FlowNode): string {
  const spec = specOf(node.type) ?? NODE_SPECS.end;
  return GROUP_STYLES[spec.group].minimap;
}
