/**
 * Meta's limits and the contract's field rules (docs/flows.md §2), checked live while editing.
 * The server's validation stays the authority; these checks give instant feedback.
 */
import { sectionsOf, strings } from "./handles";
import type { FlowNode, NodeData, Severity } from "./types";

export const LIMITS = {
  name: 60,
  keyword: 64,
  text: 4096,
  interactiveBody: 1024,
  buttonTitle: 20,
  options: 10,
  replyButtons: 3,
  header: 60,
  footer: 60,
  buttonText: 20,
  sectionTitle: 24,
  rowTitle: 24,
  rowDescription: 72,
  rows: 10,
  sections: 10,
  caption: 1024,
  expression: 500,
  variable: 50,
  value: 500,
  tag: 50,
  tags: 10,
  queue: 60,
  note: 500,
  templateParameter: 1024,
  choices: 10,
  delayMax: 2_592_000,
  waitMin: 60,
  handoffMaxMinutes: 10_080,
  httpTimeoutMax: 30,
  maxAttempts: 10,
} as const;

/** Character count as the server counts it (code points, not UTF-16 units). */
export function charCount(value: string): number {
  return Array.from(value).length;
}

export interface Counter {
  count: number;
  max: number;
  over: boolean;
  /** e.g. "17/20" */
  label: string;
}

export function counter(value: unknown, max: number): Counter {
  const count = charCount(typeof value === "string" ? value : "");
  return { count, max, over: count > max, label: `${count}/${max}` };
}

/** The maximum length of a text field of a node type, or null when unlimited. */
export function fieldMax(type: string | undefined, field: string): number | null {
  if (field === "name") return LIMITS.name;
  switch (field) {
    case "text":
      return type === "options" || type === "cta_url" ? LIMITS.interactiveBody : LIMITS.text;
    case "body":
      return type === "whatsapp_flow" ? LIMITS.interactiveBody : null;
    case "header":
      return LIMITS.header;
    case "footer":
      return LIMITS.footer;
    case "buttonText":
    case "cta":
      return LIMITS.buttonText;
    case "caption":
      return LIMITS.caption;
    case "retryText":
      return LIMITS.text;
    case "expression":
      return LIMITS.expression;
    case "value":
      return type === "assign" || type === "set_attribute" ? LIMITS.value : null;
    case "key":
      return type === "assign" || type === "set_attribute" ? LIMITS.variable : null;
    case "variable":
      return LIMITS.variable;
    case "queue":
      return LIMITS.queue;
    case "note":
      return LIMITS.note;
    default:
      return null;
  }
}

export type CheckCode =
  | "required"
  | "tooLong"
  | "tooMany"
  | "tooFew"
  | "duplicate"
  | "invalidUrl"
  | "invalidVariable"
  | "range"
  | "timeoutRange"
  | "sectionTitle"
  | "gotoSelf"
  | "gotoMissing"
  | "invalidRegex"
  | "invalidJson"
  | "captionAudio"
  | "replyButtons";

export interface ClientProblem {
  field: string;
  code: CheckCode;
  params?: Record<string, string | number>;
  severity: Severity;
}

export interface CheckContext {
  /** Ids of every node of the flow (goto targets). */
  nodeIds?: Set<string>;
}

const VARIABLE_RE = /^[A-Za-z_][A-Za-z0-9_.]*$/;

function text(value: unknown): string {
  return typeof value === "string" ? value : value == null ? "" : String(value);
}

function blank(value: unknown): boolean {
  return text(value).trim() === "";
}

function isHttpUrl(value: string): boolean {
  if (value.includes("{{")) return /^(https?:\/\/|\{\{)/i.test(value.trim());
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

function isRegex(value: string): boolean {
  try {
    new RegExp(value);
    return true;
  } catch {
    return false;
  }
}

function fold(value: string): string {
  return value.trim().toLowerCase();
}

/** Checks one node's data; returns problems with server-style field paths (`options[3]`). */
export function checkNode(node: Pick<FlowNode, "id" | "type" | "data">, ctx: CheckContext = {}): ClientProblem[] {
  const out: ClientProblem[] = [];
  const data: NodeData = node.data ?? {};
  const err = (field: string, code: CheckCode, params?: ClientProblem["params"]) =>
    out.push({ field, code, params, severity: "error" });
  const warn = (field: string, code: CheckCode, params?: ClientProblem["params"]) =>
    out.push({ field, code, params, severity: "warning" });

  const maxLen = (field: string, value: unknown, max: number) => {
    if (charCount(text(value)) > max) err(field, "tooLong", { max });
  };
  const required = (field: string, value: unknown) => {
    if (blank(value)) err(field, "required");
  };
  const limited = (field: string, max = fieldMax(node.type, field)) => {
    if (max != null) maxLen(field, data[field], max);
  };
  const requiredLimited = (field: string) => {
    required(field, data[field]);
    limited(field);
  };
  const variableName = (field: string, value: unknown, mandatory: boolean) => {
    const v = text(value).trim();
    if (!v) {
      if (mandatory) err(field, "required");
      return;
    }
    if (!VARIABLE_RE.test(v)) err(field, "invalidVariable");
    else maxLen(field, v, LIMITS.variable);
  };
  const url = (field: string, mandatory = true) => {
    const v = text(data[field]).trim();
    if (!v) {
      if (mandatory) err(field, "required");
    } else if (!isHttpUrl(v)) err(field, "invalidUrl");
  };
  const range = (field: string, min: number, max: number, fallback?: number) => {
    const raw = data[field];
    if (raw === undefined || raw === null || raw === "") {
      if (fallback === undefined) err(field, "required");
      return;
    }
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) err(field, "range", { min, max });
  };
  const uniqueList = (field: string, items: string[], max: number, min: number, itemMax: number) => {
    if (items.length < min) err(field, "tooFew", { min });
    if (items.length > max) err(field, "tooMany", { max });
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const path = `${field}[${i}]`;
      if (blank(item)) err(path, "required");
      else if (charCount(item) > itemMax) err(path, "tooLong", { max: itemMax });
      else if (seen.has(fold(item))) err(path, "duplicate");
      seen.add(fold(item));
    });
  };

  limited("name", LIMITS.name);

  switch (node.type) {
    case "trigger": {
      const keywords = Array.isArray(data.keywords)
        ? strings(data.keywords)
        : blank(data.keyword)
          ? []
          : [text(data.keyword)];
      const match = text(data.match) || "word";
      if (match === "regex") {
        required("pattern", data.pattern);
        if (!blank(data.pattern) && !isRegex(text(data.pattern))) err("pattern", "invalidRegex");
      } else {
        if (keywords.length === 0) err("keywords", "required");
        keywords.forEach((k, i) => {
          if (blank(k)) err(`keywords[${i}]`, "required");
          else maxLen(`keywords[${i}]`, k, LIMITS.keyword);
        });
      }
      break;
    }
    case "message":
      if (data.useTemplate) {
        required("templateName", data.templateName);
        required("templateLanguage", data.templateLanguage);
        checkParameters(data.templateParameters, "templateParameters", err);
      } else requiredLimited("text");
      break;
    case "options": {
      requiredLimited("text");
      uniqueList("options", strings(data.options), LIMITS.options, 1, LIMITS.buttonTitle);
      if (data.display !== "list" && strings(data.options).length > LIMITS.replyButtons) {
        err(`options[${LIMITS.replyButtons}]`, "replyButtons");
      }
      limited("header");
      limited("footer");
      limited("buttonText");
      break;
    }
    case "list": {
      requiredLimited("text");
      requiredLimited("buttonText");
      limited("header");
      limited("footer");
      const sections = sectionsOf(data);
      if (sections.length === 0) err("sections", "tooFew", { min: 1 });
      if (sections.length > LIMITS.sections) err("sections", "tooMany", { max: LIMITS.sections });
      const total = sections.reduce((n, s) => n + s.rows.length, 0);
      if (total === 0) err("sections", "tooFew", { min: 1 });
      if (total > LIMITS.rows) err("sections", "tooMany", { max: LIMITS.rows });
      const seen = new Set<string>();
      sections.forEach((s, si) => {
        const title = text(s.title);
        if (sections.length > 1 && blank(title)) err(`sections[${si}].title`, "sectionTitle");
        maxLen(`sections[${si}].title`, title, LIMITS.sectionTitle);
        s.rows.forEach((r, ri) => {
          const path = `sections[${si}].rows[${ri}]`;
          const rowTitle = text(r.title);
          if (blank(rowTitle)) err(`${path}.title`, "required");
          else if (charCount(rowTitle) > LIMITS.rowTitle) err(`${path}.title`, "tooLong", { max: LIMITS.rowTitle });
          else if (seen.has(fold(rowTitle))) err(`${path}.title`, "duplicate");
          seen.add(fold(rowTitle));
          maxLen(`${path}.description`, r.description, LIMITS.rowDescription);
        });
      });
      break;
    }
    case "cta_url":
      requiredLimited("text");
      requiredLimited("buttonText");
      url("url");
      limited("header");
      limited("footer");
      break;
    case "question": {
      requiredLimited("text");
      variableName("variable", data.variable, true);
      limited("retryText");
      range("maxAttempts", 1, LIMITS.maxAttempts, 3);
      const validation = text(data.validation) || "text";
      if (validation === "regex") {
        required("pattern", data.pattern);
        if (!blank(data.pattern) && !isRegex(text(data.pattern))) err("pattern", "invalidRegex");
      }
      if (validation === "choice") {
        const choices = strings(data.choices);
        // Up to 3 choices are sent as reply buttons (20-character titles).
        uniqueList("choices", choices, LIMITS.choices, 1, choices.length <= LIMITS.replyButtons ? LIMITS.buttonTitle : LIMITS.text);
      }
      break;
    }
    case "media": {
      const hasUrl = !blank(data.url);
      if (!hasUrl && blank(data.id)) err("url", "required");
      if (hasUrl) url("url");
      limited("caption");
      if (text(data.mediaType) === "audio" && !blank(data.caption)) warn("caption", "captionAudio");
      break;
    }
    case "template":
      required("templateName", data.templateName);
      required("language", data.language);
      checkParameters(data.parameters, "parameters", err);
      break;
    case "delay":
      range("seconds", 1, LIMITS.delayMax);
      break;
    case "wait": {
      variableName("variable", data.variable, false);
      const t = Number(data.timeoutSeconds ?? 0);
      if (!Number.isFinite(t) || (t !== 0 && (t < LIMITS.waitMin || t > LIMITS.delayMax)))
        err("timeoutSeconds", "timeoutRange", { min: LIMITS.waitMin, max: LIMITS.delayMax });
      break;
    }
    case "condition": {
      const rules = data.rules && typeof data.rules === "object" ? (data.rules as Record<string, unknown>) : null;
      if (rules) {
        const conditions = Array.isArray(rules.conditions) ? rules.conditions : [];
        if (conditions.length === 0) err("rules.conditions", "tooFew", { min: 1 });
        conditions.forEach((c, i) => {
          const cond = (c ?? {}) as Record<string, unknown>;
          if (blank(cond.left)) err(`rules.conditions[${i}].left`, "required");
          if (cond.op === "matches" && !blank(cond.right) && !isRegex(text(cond.right)))
            err(`rules.conditions[${i}].right`, "invalidRegex");
        });
      } else requiredLimited("expression");
      break;
    }
    case "api":
    case "http": {
      url("url");
      if (node.type === "http") range("timeoutSeconds", 1, LIMITS.httpTimeoutMax, 10);
      const body = text(data.body).trim();
      if (node.type === "http" && body && !body.includes("{{")) {
        try {
          JSON.parse(body);
        } catch {
          warn("body", "invalidJson");
        }
      }
      if (!blank(data.assignTo)) variableName("assignTo", data.assignTo, false);
      const mapping = data.responseMapping && typeof data.responseMapping === "object" ? data.responseMapping : {};
      Object.keys(mapping as object).forEach((key) => {
        if (!VARIABLE_RE.test(key)) err(`responseMapping.${key}`, "invalidVariable");
      });
      break;
    }
    case "assign":
    case "set_attribute":
      if (node.type === "assign") variableName("key", data.key, true);
      else requiredLimited("key");
      limited("value");
      break;
    case "tag":
      uniqueList("tags", strings(data.tags), LIMITS.tags, 1, LIMITS.tag);
      break;
    case "whatsapp_flow":
      requiredLimited("body");
      limited("header");
      limited("footer");
      limited("cta");
      required("flowId", data.flowId);
      if (!blank(data.variable)) variableName("variable", data.variable, false);
      break;
    case "handoff":
      limited("queue");
      limited("note");
      range("returnAfterMinutes", 0, LIMITS.handoffMaxMinutes, 0);
      break;
    case "start_flow":
      required("flowId", data.flowId);
      break;
    case "goto": {
      const target = text(data.targetNodeId).trim();
      if (!target) err("targetNodeId", "required");
      else if (target === node.id) err("targetNodeId", "gotoSelf");
      else if (ctx.nodeIds && !ctx.nodeIds.has(target)) err("targetNodeId", "gotoMissing");
      break;
    }
    default:
      break;
  }
  return out;
}

function checkParameters(
  value: unknown,
  field: string,
  err: (field: string, code: CheckCode, params?: ClientProblem["params"]) => void,
) {
  if (!Array.isArray(value)) return;
  value.forEach((p, i) => {
    const param = (p ?? {}) as Record<string, unknown>;
    if (charCount(text(param.value)) > LIMITS.templateParameter)
      err(`${field}[${i}].value`, "tooLong", { max: LIMITS.templateParameter });
  });
}

/** The worst severity of a list of problems, or null. */
export function worstSeverity(problems: Array<{ severity: Severity }>): Severity | null {
  if (problems.some((p) => p.severity === "error")) return "error";
  if (problems.some((p) => p.severity === "incomplete")) return "incomplete";
  if (problems.some((p) => p.severity === "warning")) return "warning";
  return problems.length > 0 ? "info" : null;
}
