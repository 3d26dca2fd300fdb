import { useEffect, useRef } from "react";
import { useNodesInitialized, useReactFlow } from "@xyflow/react";

/** Fits the view once React Flow has measured the nodes (the `fitView` prop can run too early). */
export function FitOnInit({ padding = 0.15, maxZoom = 1 }: { padding?: number; maxZoom?: number }) {
  const rf = useReactFlow();
  const initialized = useNodesInitialized();
  const done = useRef(false);
  useEffect(() => {
    if (!initialized || done.current) return;
    // One frame later: the container may still be settling (dialogs, panels).
    const frame = window.requestAnimationFrame(() => {
      done.current = true;
      void rf.fitView({ padding, maxZoom });
    });
    return () => window.cancelAnimationFrame(frame);
  }, [initialized, maxZoom, padding, rf]);
  return null;
}
