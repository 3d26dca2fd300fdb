/**
 * Types of the flows API (docs/flows.md §6) and of the flow definition (§1, §2).
 *
 * Hand-written (client-side): the flows endpoints are not in openapi.json yet. The server
 * speaks snake_case (`is_default`, `simulation_id`, …); `api.ts` normalizes the summary
 * fields so camelCase answers work too.
 */
import type { Edge, Node } from "@xyflow/react";

export type FlowStatus = "Draft" | "Active" | "Inactive";

/** Every node type of docs/flows.md §2. */
export const NODE_TYPES = [
  "trigger",
  "message",
  "options",
  "list",
  "cta_url",
  "question",
  "media",
  "template",
  "delay",
  "wait",
  "condition",
  "api",
  "http",
  "assign",
  "set_attribute",
  "tag",
  "whatsapp_flow",
  "handoff",
  "start_flow",
  "goto",
  "end",
] as const;

export type NodeType = (typeof NODE_TYPES)[number];

export function isNodeType(value: unknown): value is NodeType {
  return typeof value === "string" && (NODE_TYPES as readonly string[]).includes(value);
}

/** A node's `data`: loosely typed, every field optional (imports may carry anything). */
export type NodeData = Record<string, unknown> & { name?: string };

export type FlowNode = Node<NodeData, string>;
export type FlowEdge = Edge;

export interface FlowDefinition {
  version?: number;
  nodes: FlowNode[];
  edges: FlowEdge[];
  [key: string]: unknown;
}

/** `incomplete` blocks publishing but not saving a draft; `error` blocks both. */
export type Severity = "error" | "incomplete" | "warning" | "info";

/** A validation problem: `{node, field, message, severity}` (node/field may be null for flow-wide ones). */
export interface Problem {
  node?: string | null;
  field?: string | null;
  message: string;
  severity: Severity;
}

/** GET /api/flows item (normalized). */
export interface FlowSummary {
  id: string;
  name: string;
  /** Trigger keyword(s) as the server reports them (comma-separated when several). */
  trigger: string | null;
  status: FlowStatus;
  is_default: boolean;
  published_version: number | null;
  live_sessions: number;
  updated_at: string | null;
  interrupts?: boolean;
  /** Trigger keywords of the draft (when the server lists them). */
  triggers?: string[];
}

/** GET /api/flows/{id}: the summary plus the draft definition. */
export interface FlowDetail extends FlowSummary {
  definition: FlowDefinition;
}

export interface CreateFlowRequest {
  name: string;
  trigger?: string;
  status?: FlowStatus;
  definition?: FlowDefinition;
}

export interface UpdateFlowRequest {
  name?: string;
  trigger?: string;
  status?: FlowStatus;
  definition?: FlowDefinition;
  is_default?: boolean;
  interrupts?: boolean;
}

export interface ValidateResponse {
  problems: Problem[];
}

export interface FlowVersion {
  version: number;
  created_at: string | null;
  /** Whether this is the live (published) version. */
  is_live?: boolean;
  definition?: FlowDefinition;
}

/** GET /api/flows/{id}/export */
export interface FlowExport {
  format: "finnegans-flow";
  version: number;
  name: string;
  trigger?: string | null;
  definition: FlowDefinition;
}

export interface NodeStats {
  reached: number;
  stopped: number;
}

/** GET /api/flows/{id}/analytics */
export interface FlowAnalytics {
  nodes: Record<string, NodeStats>;
}

/** POST /api/flows/{id}/simulate body. */
export interface SimulateRequest {
  simulation_id?: string;
  text?: string;
  reply_id?: string;
  reset?: boolean;
  variables?: Record<string, unknown>;
  use_draft?: boolean;
  /** Answers of a WhatsApp Flow (nfm_reply) for a waiting whatsapp_flow node. */
  flow_response?: Record<string, unknown>;
  /** Fire the pending timer now (delay, wait timeout, handoff return). */
  fire_timer?: boolean;
}

export type SessionStatus =
  | "active"
  | "waiting_input"
  | "waiting_timer"
  | "handed_off"
  | "completed"
  | "errored"
  | "expired"
  | (string & {});

/** POST /api/flows/{id}/simulate answer: `messages` are `{node_id, payload}` (payload = Graph API body). */
export interface SimulateResponse {
  simulation_id: string;
  messages: Array<{ node_id?: string; payload?: Record<string, unknown> } & Record<string, unknown>>;
  /** What happened besides messages: timers, handoff, tags, HTTP calls. */
  events?: string[];
  path?: string[];
  variables?: Record<string, unknown>;
  status?: SessionStatus | null;
  node_id?: string | null;
  error?: string | null;
}
