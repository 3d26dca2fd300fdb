/**
 * The broadcast wizard's state and everything the pages compute without React: request bodies
 * from the wizard's drafts, which step a server error belongs to, status tones, ETA text.
 */
import { isApiError } from "../../api/client";
import type {
  AudienceUpload,
  BroadcastAudience,
  BroadcastContent,
  BroadcastStatus,
  MessageTemplate,
  RecipientState,
  TemplateSend,
} from "../../api/types";
import type { Tone } from "../../components/Badge";

export const STEPS = ["audience", "content", "schedule", "review"] as const;
export type WizardStep = (typeof STEPS)[number];

export type AudienceKind = BroadcastAudience["kind"];
export const AUDIENCE_KINDS: AudienceKind[] = ["everyone", "tags", "segment", "contacts", "csv"];

export interface AudienceDraft {
  kind: AudienceKind;
  tags: string[];
  match: "any" | "all";
  segmentId: string;
  contactIds: string[];
  upload: AudienceUpload | null;
}

export const NEW_AUDIENCE: AudienceDraft = {
  kind: "everyone",
  tags: [],
  match: "any",
  segmentId: "",
  contactIds: [],
  upload: null,
};

/** The API's audience, or null while the chosen kind still lacks its tags, segment, picks or file. */
export function audienceBody(draft: AudienceDraft): BroadcastAudience | null {
  const base = { kind: draft.kind, match: draft.match };
  switch (draft.kind) {
    case "everyone":
      return base;
    case "tags":
      return draft.tags.length > 0 ? { ...base, tags: draft.tags } : null;
    case "segment":
      return draft.segmentId ? { ...base, segmentId: draft.segmentId } : null;
    case "contacts":
      return draft.contactIds.length > 0 ? { ...base, contactIds: draft.contactIds } : null;
    case "csv":
      return draft.upload ? { ...base, uploadId: draft.upload.upload_id } : null;
  }
}

export type ContentKind = BroadcastContent["kind"];
export const CONTENT_KINDS: ContentKind[] = ["template", "flow", "text"];

export interface ContentDraft {
  kind: ContentKind;
  /** The Graph template object (name, language.code, components) once one is chosen. */
  template: Record<string, unknown> | null;
  flowId: string;
  flowMessage: string;
  text: string;
}

export const NEW_CONTENT: ContentDraft = { kind: "template", template: null, flowId: "", flowMessage: "", text: "" };

export function contentBody(draft: ContentDraft): BroadcastContent | null {
  if (draft.kind === "template") return draft.template ? { kind: "template", template: draft.template } : null;
  if (draft.kind === "flow")
    return draft.flowId
      ? { kind: "flow", flowId: draft.flowId, ...(draft.flowMessage.trim() ? { message: draft.flowMessage } : {}) }
      : null;
  return draft.text.trim() ? { kind: "text", text: draft.text } : null;
}

/** Contact fields a template parameter can take per recipient (rendered by the server). */
export const CONTACT_FIELDS = [
  { key: "name", value: "{{contact.name}}" },
  { key: "phone", value: "{{contact.phone}}" },
] as const;

const isNumbered = (name: string) => /^\d+$/.test(name);

/**
 * The picker's keyed values ({"body.1": "{{contact.name}}"}) as the Graph `template` object a
 * broadcast stores: one header, one body and one URL-button component, in Meta's order.
 */
export function graphTemplate(send: TemplateSend, template: MessageTemplate | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { name: send.name, language: { code: send.language } };
  if (send.components && send.components.length > 0) out.components = send.components;
  if (!template || !send.parameters) return out;
  const values = send.parameters;
  const param = (p: MessageTemplate["parameters"][number]) => {
    const value = values[p.key] ?? "";
    if (p.type === "text") return { type: "text", text: value, ...(isNumbered(p.name) ? {} : { parameter_name: p.name }) };
    if (p.type === "location") {
      const [latitude, longitude] = value.split(",").map((x) => Number(x.trim()));
      return { type: "location", location: { latitude, longitude } };
    }
    const media = /^https?:\/\//.test(value.trim()) ? { link: value.trim() } : { id: value.trim() };
    return { type: p.type, [p.type]: media };
  };
  const components: Record<string, unknown>[] = [];
  const header = template.parameters.filter((p) => p.component === "header");
  if (header.length > 0) components.push({ type: "header", parameters: header.map(param) });
  const body = template.parameters.filter((p) => p.component === "body");
  if (body.length > 0) components.push({ type: "body", parameters: body.map(param) });
  for (const p of template.parameters.filter((x) => x.component === "button")) {
    components.push({ type: "button", sub_type: "url", index: p.name, parameters: [{ type: "text", text: values[p.key] ?? "" }] });
  }
  if (components.length > 0) out.components = components;
  return out;
}

/** The wizard step a field of a server error belongs to ("audience.segment_id" → audience). */
export function stepOfField(field: string): WizardStep {
  if (field.startsWith("audience") || field === "file" || field === "contactIds" || field === "sendToAll") return "audience";
  if (field.startsWith("content") || field === "flowId" || field === "template") return "content";
  if (field.startsWith("scheduled_at") || field.startsWith("scheduledAt")) return "schedule";
  return "review";
}

/**
 * A server error, shown next to the step it is about: the full sentence (what a user can act
 * on) on the step of its first field; errors without fields stay on the review step.
 */
export function stepErrors(error: unknown, fallback: string): Partial<Record<WizardStep, string>> {
  if (!isApiError(error)) return { review: fallback };
  const message = error.message || fallback;
  const fields = Object.keys(error.fields);
  if (fields.length === 0) return { review: message };
  const out: Partial<Record<WizardStep, string>> = {};
  for (const field of fields) {
    const step = stepOfField(field);
    out[step] ??= fields.length === 1 ? message : `${field}: ${error.fields[field]}`;
  }
  return out;
}

/** A `datetime-local` value in the future (the server checks in the workspace's zone). */
export function scheduleBody(mode: "now" | "later", at: string): string | null {
  if (mode === "now" || !at) return null;
  return at.length === 16 ? `${at}:00` : at;
}

export function statusTone(status: string): Tone {
  const tones: Record<BroadcastStatus, Tone> = {
    draft: "zinc",
    scheduled: "blue",
    running: "green",
    paused: "amber",
    completed: "green",
    cancelled: "red",
  };
  return tones[status as BroadcastStatus] ?? "zinc";
}

export function recipientTone(state: string): Tone {
  const tones: Record<RecipientState, Tone> = {
    pending: "zinc",
    sending: "blue",
    sent: "blue",
    delivered: "green",
    read: "green",
    failed: "red",
    skipped: "amber",
  };
  return tones[state as RecipientState] ?? "zinc";
}

export const RECIPIENT_STATES: RecipientState[] = ["pending", "sending", "sent", "delivered", "read", "failed", "skipped"];

/** Progress as a whole percentage for the bar; 100 only when everything is final. */
export function percent(progress: number): number {
  if (!Number.isFinite(progress) || progress <= 0) return 0;
  if (progress >= 1) return 100;
  return Math.min(99, Math.floor(progress * 100));
}

/** "2 h 5 min", "3 min 20 s", "45 s"; empty when unknown. */
export function formatEta(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return "";
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min ${s % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export const canPause = (status: string) => status === "running" || status === "scheduled";
export const canResume = (status: string) => status === "paused";
export const canCancel = (status: string) => status === "running" || status === "scheduled" || status === "paused";
/** While a broadcast can still change, its page keeps reading it (socket hints or polling). */
export const isActive = (status: string) => status === "running" || status === "scheduled" || status === "paused";

/**
 * The keyed values ({"body.1": "Ana"}) of a Graph template the server rendered for one contact,
 * so the shared TemplatePreview can show exactly what that contact gets.
 */
export function valuesFromRendered(template: MessageTemplate, rendered: unknown): Record<string, string> {
  const graph = (rendered as { template?: { components?: unknown } } | null)?.template;
  const components = Array.isArray(graph?.components) ? (graph.components as Array<Record<string, unknown>>) : [];
  const values: Record<string, string> = {};
  const textOf = (p: unknown): string => {
    const param = (p ?? {}) as Record<string, unknown>;
    if (typeof param.text === "string") return param.text;
    const media = param[String(param.type)] as Record<string, unknown> | undefined;
    return String(media?.link ?? media?.id ?? "");
  };
  for (const kind of ["header", "body"] as const) {
    const given = (components.find((c) => c.type === kind)?.parameters ?? []) as unknown[];
    template.parameters.filter((p) => p.component === kind).forEach((p, i) => (values[p.key] = textOf(given[i])));
  }
  for (const p of template.parameters.filter((x) => x.component === "button")) {
    const button = components.find((c) => c.type === "button" && String(c.index) === p.name);
    values[p.key] = textOf(((button?.parameters ?? []) as unknown[])[0]);
  }
  return values;
}

export interface WizardDraft {
  id: string | null;
  title: string;
  audience: AudienceDraft;
  content: ContentDraft;
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);
const text = (value: unknown): string => (typeof value === "string" ? value : "");

/** A saved draft back into the wizard (the server stores audience and content as sent). */
export function draftFromBroadcast(b: { id: string; title: string | null; audience: Record<string, unknown>; content: Record<string, unknown> }): WizardDraft {
  const a = b.audience;
  const kind = AUDIENCE_KINDS.includes(a.kind as AudienceKind) ? (a.kind as AudienceKind) : "everyone";
  const uploadId = text(a.upload_id);
  const audience: AudienceDraft = {
    kind,
    tags: strings(a.tags),
    match: a.match === "all" ? "all" : "any",
    segmentId: text(a.segment_id),
    contactIds: strings(a.contact_ids),
    // Only the id is stored: the counts of the original upload are not shown again.
    upload: uploadId
      ? { upload_id: uploadId, file_name: "", tag: "", rows: 0, numbers: 0, created: 0, matched: 0, invalid: 0, errors: [], errors_csv: null }
      : null,
  };
  const c = b.content;
  const contentKind = CONTENT_KINDS.includes(c.kind as ContentKind) ? (c.kind as ContentKind) : "template";
  const content: ContentDraft = {
    kind: contentKind,
    template: contentKind === "template" && c.template && typeof c.template === "object" ? (c.template as Record<string, unknown>) : null,
    flowId: text(c.flow_id),
    flowMessage: text(c.message),
    text: text(c.text),
  };
  return { id: b.id, title: b.title ?? "", audience, content };
}

export const NEW_DRAFT: WizardDraft = { id: null, title: "", audience: NEW_AUDIENCE, content: NEW_CONTENT };
