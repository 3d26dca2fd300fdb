/** The palette: every node type with its group, icon, colour and starter data. */
import {
  CircleHelp,
  CircleStop,
  Clock,
  CornerDownRight,
  ExternalLink,
  GitBranch,
  Globe,
  Headset,
  Hourglass,
  Image,
  LayoutList,
  ListChecks,
  MessageSquareText,
  PlugZap,
  Tags,
  UserPen,
  Variable,
  Workflow,
  Zap,
  ClipboardList,
  Forward,
  type LucideIcon,
} from "lucide-react";
import type { NodeData, NodeType } from "./types";

export const GROUPS = ["messages", "questions", "logic", "actions", "integrations"] as const;
export type Group = (typeof GROUPS)[number];

export interface NodeSpec {
  type: NodeType;
  group: Group;
  icon: LucideIcon;
}

export const NODE_SPECS: Record<NodeType, NodeSpec> = {
  message: { type: "message", group: "messages", icon: MessageSquareText },
  media: { type: "media", group: "messages", icon: Image },
  cta_url: { type: "cta_url", group: "messages", icon: ExternalLink },
  template: { type: "template", group: "messages", icon: ClipboardList },
  options: { type: "options", group: "questions", icon: ListChecks },
  list: { type: "list", group: "questions", icon: LayoutList },
  question: { type: "question", group: "questions", icon: CircleHelp },
  wait: { type: "wait", group: "questions", icon: Hourglass },
  whatsapp_flow: { type: "whatsapp_flow", group: "questions", icon: Workflow },
  trigger: { type: "trigger", group: "logic", icon: Zap },
  condition: { type: "condition", group: "logic", icon: GitBranch },
  delay: { type: "delay", group: "logic", icon: Clock },
  goto: { type: "goto", group: "logic", icon: CornerDownRight },
  start_flow: { type: "start_flow", group: "logic", icon: Forward },
  end: { type: "end", group: "logic", icon: CircleStop },
  assign: { type: "assign", group: "actions", icon: Variable },
  set_attribute: { type: "set_attribute", group: "actions", icon: UserPen },
  tag: { type: "tag", group: "actions", icon: Tags },
  handoff: { type: "handoff", group: "actions", icon: Headset },
  http: { type: "http", group: "integrations", icon: Globe },
  api: { type: "api", group: "integrations", icon: PlugZap },
};

/** Palette order inside each group. */
export const PALETTE: Record<Group, NodeType[]> = {
  messages: ["message", "media", "cta_url", "template"],
  questions: ["options", "list", "question", "wait", "whatsapp_flow"],
  logic: ["trigger", "condition", "delay", "goto", "start_flow", "end"],
  actions: ["assign", "set_attribute", "tag", "handoff"],
  integrations: ["http", "api"],
};

/** Tailwind classes per group: icon tile, accent bar and minimap colour. */
export const GROUP_STYLES: Record<Group, { tile: string; accent: string; minimap: string }> = {
  messages: { tile: "bg-emerald-50 text-emerald-700 ring-emerald-600/15", accent: "bg-emerald-500", minimap: "#10b981" },
  questions: { tile: "bg-sky-50 text-sky-700 ring-sky-600/15", accent: "bg-sky-500", minimap: "#0ea5e9" },
  logic: { tile: "bg-violet-50 text-violet-700 ring-violet-600/15", accent: "bg-violet-500", minimap: "#8b5cf6" },
  actions: { tile: "bg-amber-50 text-amber-700 ring-amber-600/15", accent: "bg-amber-500", minimap: "#f59e0b" },
  integrations: { tile: "bg-rose-50 text-rose-700 ring-rose-600/15", accent: "bg-rose-500", minimap: "#f43f5e" },
};

export function specOf(type: string | undefined): NodeSpec | null {
  return type && type in NODE_SPECS ? NODE_SPECS[type as NodeType] : null;
}

/** Texts used in starter data, translated by the caller. */
export type DefaultText =
  | "keyword"
  | "message"
  | "optionsText"
  | "option1"
  | "option2"
  | "listText"
  | "listButton"
  | "section"
  | "row1"
  | "row2"
  | "ctaText"
  | "ctaButton"
  | "question"
  | "flowBody"
  | "flowCta"
  | "queue"
  | "tag";

/** Starter data for a node dropped from the palette: valid as it is (drafts with errors are refused). */
export function defaultData(type: NodeType, text: (key: DefaultText) => string): NodeData {
  switch (type) {
    case "trigger":
      return { keywords: [text("keyword")], match: "word" };
    case "message":
      return { text: text("message"), useTemplate: false };
    case "options":
      return { text: text("optionsText"), options: [text("option1"), text("option2")] };
    case "list":
      return {
        text: text("listText"),
        buttonText: text("listButton"),
        sections: [{ title: text("section"), rows: [{ title: text("row1") }, { title: text("row2") }] }],
      };
    case "cta_url":
      return { text: text("ctaText"), buttonText: text("ctaButton"), url: "https://example.com" };
    case "question":
      return { text: text("question"), variable: "answer", validation: "text", maxAttempts: 3 };
    case "media":
      return { mediaType: "image", url: "https://example.com/image.jpg", caption: "" };
    case "template":
      return { templateName: "hello_world", language: "en_US", parameters: [] };
    case "delay":
      return { seconds: 60 };
    case "wait":
      return { variable: "reply", timeoutSeconds: 0 };
    case "condition":
      return { expression: 'input == "yes"' };
    case "api":
      return { url: "https://api.example.com/resource", method: "POST", headers: {}, body: "", assignTo: "apiResult" };
    case "http":
      return { url: "https://api.example.com/resource", method: "GET", headers: {}, timeoutSeconds: 10, responseMapping: {} };
    case "assign":
      return { key: "variable", value: "" };
    case "set_attribute":
      return { key: "attribute", value: "" };
    case "tag":
      return { action: "add", tags: [text("tag")] };
    case "whatsapp_flow":
      return { body: text("flowBody"), cta: text("flowCta"), flowId: "", flowAction: "navigate", mode: "published", variable: "flow" };
    case "handoff":
      return { queue: text("queue"), note: "", returnAfterMinutes: 0 };
    case "start_flow":
      return { flowId: "" };
    case "goto":
      return { targetNodeId: "" };
    case "end":
      return { reason: "end" };
  }
}
