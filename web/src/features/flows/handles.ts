/** The exits (source handles) of each node type, docs/flows.md §2. */
import type { NodeData } from "./types";

export type HandleKind =
  | "default"
  | "option"
  | "no-match"
  | "true"
  | "false"
  | "success"
  | "error"
  | "fallback"
  | "timeout";

export interface HandleSpec {
  /** `sourceHandle` of the edges leaving by it; null is the default exit. */
  id: string | null;
  kind: HandleKind;
  /** User text shown next to the handle (option / row titles). */
  label?: string;
}

export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map((v) => (typeof v === "string" ? v : v == null ? "" : String(v))) : [];
}

export interface ListSectionData {
  title?: string;
  rows: Array<{ title?: string; description?: string }>;
}

export function sectionsOf(data: NodeData): ListSectionData[] {
  const raw = Array.isArray(data.sections) ? data.sections : [];
  return raw.map((s) => {
    const section = (s && typeof s === "object" ? s : {}) as Record<string, unknown>;
    const rows = Array.isArray(section.rows) ? section.rows : [];
    return {
      title: typeof section.title === "string" ? section.title : "",
      rows: rows.map((r) => {
        const row = (r && typeof r === "object" ? r : {}) as Record<string, unknown>;
        return {
          title: typeof row.title === "string" ? row.title : "",
          description: typeof row.description === "string" ? row.description : "",
        };
      }),
    };
  });
}

/** Row titles of a list node, counting across sections (row i has handle `opt-<i>`). */
export function listRowTitles(data: NodeData): string[] {
  return sectionsOf(data).flatMap((s) => s.rows.map((r) => r.title ?? ""));
}

const DEFAULT: HandleSpec = { id: null, kind: "default" };

/** Source handles of a node, in display order. */
export function deriveHandles(type: string | undefined, data: NodeData = {}): HandleSpec[] {
  switch (type) {
    case "options":
      return [
        ...strings(data.options).map((label, i) => ({ id: `opt-${i}`, kind: "option" as const, label })),
        { id: "no-match", kind: "no-match" },
      ];
    case "list":
      return [
        ...listRowTitles(data).map((label, i) => ({ id: `opt-${i}`, kind: "option" as const, label })),
        { id: "no-match", kind: "no-match" },
      ];
    case "question":
      return [DEFAULT, { id: "fallback", kind: "fallback" }];
    case "wait":
      return Number(data.timeoutSeconds) > 0 ? [DEFAULT, { id: "timeout", kind: "timeout" }] : [DEFAULT];
    case "condition":
      return [
        { id: "true", kind: "true" },
        { id: "false", kind: "false" },
      ];
    case "api":
      return [DEFAULT, { id: "success", kind: "success" }, { id: "error", kind: "error" }];
    case "http":
      return [
        { id: "success", kind: "success" },
        { id: "error", kind: "error" },
      ];
    case "whatsapp_flow":
      return [DEFAULT, { id: "no-match", kind: "no-match" }];
    case "start_flow":
    case "goto":
    case "end":
      return [];
    default:
      // trigger, message, cta_url, media, template, delay, assign, set_attribute, tag, handoff, unknown types
      return [DEFAULT];
  }
}

/** Every node has one input on top, except the trigger (entry only). */
export function hasTargetHandle(type: string | undefined): boolean {
  return type !== "trigger";
}

/** Whether the node's exits are drawn as labelled rows (anything beyond a lone default exit). */
export function hasNamedExits(handles: HandleSpec[]): boolean {
  return handles.some((h) => h.id !== null);
}

export function handleKey(id: string | null | undefined): string {
  return id ?? "";
}
