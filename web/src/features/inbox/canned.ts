/** `/shortcut` canned responses in the composer. */
import type { CannedResponse } from "../../api/types";

export interface CannedQuery {
  /** Index of the "/" in the text. */
  start: number;
  /** What was typed after the "/" (lowercase). */
  query: string;
}

/** The `/word` being typed at the caret, if the caret is right after one at a word start. */
export function cannedQuery(text: string, caret: number): CannedQuery | null {
  const before = text.slice(0, caret);
  const match = /(^|\s)\/([a-z0-9_-]*)$/i.exec(before);
  if (!match) return null;
  const start = before.length - match[2].length - 1;
  return { start, query: match[2].toLowerCase() };
}

/** Shortcut prefix matches first, then shortcut contains, then text contains; at most `limit`. */
export function matchCanned(responses: CannedResponse[], query: string, limit = 8): CannedResponse[] {
  const q = query.toLowerCase();
  const score = (r: CannedResponse): number => {
    const shortcut = r.shortcut.toLowerCase();
    if (shortcut.startsWith(q)) return 0;
    if (shortcut.includes(q)) return 1;
    if (q && r.text.toLowerCase().includes(q)) return 2;
    return -1;
  };
  return responses
    .map((r) => ({ r, s: score(r) }))
    .filter(({ s }) => s >= 0)
    .sort((a, b) => a.s - b.s || a.r.shortcut.localeCompare(b.r.shortcut))
    .slice(0, limit)
    .map(({ r }) => r);
}

/** Replaces the `/query` at `query.start..caret` with the response's text. */
export function insertCanned(
  text: string,
  caret: number,
  query: CannedQuery,
  response: CannedResponse,
): { text: string; caret: number } {
  const next = text.slice(0, query.start) + response.text + text.slice(caret);
  return { text: next, caret: query.start + response.text.length };
}
