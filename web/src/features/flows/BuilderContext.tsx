import { createContext, useContext } from "react";
import type { NodeStats, Severity } from "./types";

/** What the canvas overlays on the nodes: problems, the simulator's position, analytics. */
export interface BuilderOverlay {
  /** Per node: reached / stopped counts, when the analytics overlay is on. */
  analytics: Record<string, NodeStats> | null;
  /** Nodes named by the last validation / publish / save problems, with their worst severity. */
  problemNodes: Map<string, Severity>;
  /** The simulator's current node. */
  simNodeId: string | null;
  /** Nodes the simulation went through. */
  simPath: Set<string>;
  /** Every node id (goto targets are checked against them). */
  nodeIds: Set<string>;
  /** Titles of the workspace's other flows, for start_flow previews. */
  flowNames: Map<string, string>;
}

export const EMPTY_OVERLAY: BuilderOverlay = {
  analytics: null,
  problemNodes: new Map(),
  simNodeId: null,
  simPath: new Set(),
  nodeIds: new Set(),
  flowNames: new Map(),
};

export const BuilderOverlayContext = createContext<BuilderOverlay>(EMPTY_OVERLAY);

export function useBuilderOverlay(): BuilderOverlay {
  return useContext(BuilderOverlayContext);
}
