/**
 * Safe readers for the raw WhatsApp JSON inside a sandbox message's `payload`
 * (snake_case, loosely shaped: never trust a field to be there).
 */
import type { SandboxMessage } from "../../api/types";

export type Json = Record<string, unknown>;

export function obj(value: unknown): Json | null {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Json) : null;
}

export function str(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return null;
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Follows a path of keys through nested objects. */
export function at(value: unknown, ...path: string[]): unknown {
  let node: unknown = value;
  for (const key of path) {
    const o = obj(node);
    if (!o) return undefined;
    node = o[key];
  }
  return node;
}

/** The WhatsApp message type: payload.type, falling back to the message's `type`. */
export function messageKind(message: SandboxMessage): string {
  return str(at(message.payload, "type")) ?? message.type;
}

export interface ReplyButton {
  id: string;
  title: string;
}

export interface ListRow {
  id: string;
  title: string;
  description: string | null;
}

export interface ListSection {
  title: string | null;
  rows: ListRow[];
}

export function replyButtons(interactive: unknown): ReplyButton[] {
  return arr(at(interactive, "action", "buttons"))
    .map((b) => ({
      id: str(at(b, "reply", "id")) ?? "",
      title: str(at(b, "reply", "title")) ?? "",
    }))
    .filter((b) => b.id || b.title);
}

export function listSections(interactive: unknown): ListSection[] {
  return arr(at(interactive, "action", "sections")).map((section) => ({
    title: str(at(section, "title")),
    rows: arr(at(section, "rows"))
      .map((row) => ({
        id: str(at(row, "id")) ?? "",
        title: str(at(row, "title")) ?? "",
        description: str(at(row, "description")),
      }))
      .filter((row) => row.id || row.title),
  }));
}

/** The text of an interactive header of type "text" (media headers are ignored). */
export function interactiveHeaderText(interactive: unknown): string | null {
  return str(at(interactive, "header", "type")) === "text" ? str(at(interactive, "header", "text")) : null;
}

export const MEDIA_KINDS = ["image", "video", "audio", "document", "sticker"] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

export function isMediaKind(kind: string): kind is MediaKind {
  return (MEDIA_KINDS as readonly string[]).includes(kind);
}

/** A readable error for a failed outbound message, from its status history. */
export function failureReason(message: SandboxMessage): string | null {
  for (const status of [...(message.statuses ?? [])].reverse()) {
    const error = status.errors?.[0];
    if (error) return error.message || error.title || null;
  }
  return null;
}

/** Reads a File as base64 (without the data: URL prefix). */
export function fileToBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(reader.error ?? new Error("read failed"));
    reader.onload = () => {
      const result = String(reader.result ?? "");
      const comma = result.indexOf(",");
      resolve(comma >= 0 ? result.slice(comma + 1) : result);
    };
    reader.readAsDataURL(file);
  });
}
