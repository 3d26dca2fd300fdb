/** WhatsApp's text formatting: *bold*, _italic_, ~strike~, ```mono``` and links. */
import type { ReactNode } from "react";

export type Span =
  | { type: "text"; text: string }
  | { type: "link"; href: string; text: string }
  | { type: "bold" | "italic" | "strike" | "mono"; children: Span[] };

const MARKERS: Record<string, "bold" | "italic" | "strike"> = { "*": "bold", _: "italic", "~": "strike" };
const URL = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/gy;

/** A marker opens at the start or after whitespace/punctuation, and closes before the same. */
function isBoundary(ch: string | undefined): boolean {
  return ch === undefined || /[\s.,;:!?()[\]{}"'¿¡-]/.test(ch);
}

/** Parses WhatsApp's markup into spans (markers must hug non-space text, like WhatsApp). */
export function parseWhatsApp(text: string): Span[] {
  const out: Span[] = [];
  let buffer = "";
  const flush = () => {
    if (buffer) out.push({ type: "text", text: buffer });
    buffer = "";
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (text.startsWith("```", i)) {
      const end = text.indexOf("```", i + 3);
      if (end > i + 3) {
        flush();
        out.push({ type: "mono", children: [{ type: "text", text: text.slice(i + 3, end) }] });
        i = end + 3;
        continue;
      }
    }
    if ((ch === "h" || ch === "H") && isBoundary(text[i - 1])) {
      URL.lastIndex = i;
      const m = URL.exec(text);
      if (m) {
        flush();
        out.push({ type: "link", href: m[0], text: m[0] });
        i += m[0].length;
        continue;
      }
    }
    const kind = MARKERS[ch];
    if (kind && isBoundary(text[i - 1]) && text[i + 1] && !/\s/.test(text[i + 1])) {
      let end = text.indexOf(ch, i + 1);
      while (end > 0 && (/\s/.test(text[end - 1]) || !isBoundary(text[end + 1]))) {
        end = text.indexOf(ch, end + 1);
      }
      const inner = end > i + 1 ? text.slice(i + 1, end) : "";
      if (inner && !inner.includes("\n")) {
        flush();
        out.push({ type: kind, children: parseWhatsApp(inner) });
        i = end + 1;
        continue;
      }
    }
    buffer += ch;
    i++;
  }
  flush();
  return out;
}

function render(spans: Span[], prefix = ""): ReactNode[] {
  return spans.map((span, index) => {
    const key = `${prefix}${index}`;
    switch (span.type) {
      case "text":
        return span.text;
      case "link":
        return (
          <a key={key} href={span.href} target="_blank" rel="noreferrer noopener" className="text-sky-700 underline break-all">
            {span.text}
          </a>
        );
      case "bold":
        return <strong key={key}>{render(span.children, `${key}.`)}</strong>;
      case "italic":
        return <em key={key}>{render(span.children, `${key}.`)}</em>;
      case "strike":
        return <s key={key}>{render(span.children, `${key}.`)}</s>;
      case "mono":
        return (
          <code key={key} className="rounded bg-black/5 px-1 font-mono text-[13px]">
            {render(span.children, `${key}.`)}
          </code>
        );
    }
  });
}

/** Formatted text; line breaks are kept by the container's `white-space: pre-wrap`. */
export function WhatsAppText({ text }: { text: string }) {
  return <>{render(parseWhatsApp(text))}</>;
}
