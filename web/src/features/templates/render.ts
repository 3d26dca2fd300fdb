/**
 * The live preview of a template in the browser, as the server renders it
 * (src/finnegans/templates/rendering.py): placeholders filled from values keyed like the
 * server's `parameters[].key`; unfilled ones stay visible as {{name}}.
 */
import type { MessageTemplate, TemplateParameter, TemplateSend, TemplateValues } from "../../api/types";

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

type Component = Record<string, unknown>;

export interface PreviewButton {
  type: string;
  text: string;
  url: string | null;
}

export interface PreviewContent {
  header: string | null;
  /** "image" | "video" | "document" | "location" for a media header. */
  headerMedia: string | null;
  headerMediaUrl: string | null;
  body: string;
  footer: string | null;
  buttons: PreviewButton[];
}

function component(template: Pick<MessageTemplate, "components">, type: string): Component | undefined {
  return (template.components as Component[]).find((c) => String(c.type ?? "").toUpperCase() === type);
}

export function fill(text: string, kind: string, values: TemplateValues): string {
  return text.replace(PLACEHOLDER, (match, name: string) => values[`${kind}.${name}`]?.trim() || match);
}

export function renderPreview(template: Pick<MessageTemplate, "components">, values: TemplateValues): PreviewContent {
  const header = component(template, "HEADER");
  const format = String(header?.format ?? "TEXT").toLowerCase();
  const media = header && format !== "text" ? format : null;
  const buttons = (component(template, "BUTTONS")?.buttons as Component[] | undefined) ?? [];
  const footer = component(template, "FOOTER");
  return {
    header: header && !media ? fill(String(header.text ?? ""), "header", values) : null,
    headerMedia: media,
    headerMediaUrl: media ? values[`header.${media}`]?.trim() || null : null,
    body: fill(String(component(template, "BODY")?.text ?? ""), "body", values),
    footer: footer?.text ? String(footer.text) : null,
    buttons: buttons.map((b, index) => {
      const suffix = values[`button.${index}`]?.trim();
      const url = typeof b.url === "string" ? (suffix ? b.url.replace(PLACEHOLDER, suffix) : b.url) : null;
      return { type: String(b.type ?? ""), text: String(b.text ?? ""), url };
    }),
  };
}

/** Keys whose value is still missing (what the server would answer 400 for). */
export function missingParameters(parameters: TemplateParameter[], values: TemplateValues): string[] {
  return parameters.filter((p) => !values[p.key]?.trim()).map((p) => p.key);
}

/** The inbox send body: the server turns keyed parameters into Graph components. */
export function templateSendBody(template: MessageTemplate, values: TemplateValues): TemplateSend {
  const parameters: TemplateValues = {};
  for (const p of template.parameters) parameters[p.key] = (values[p.key] ?? "").trim();
  return {
    name: template.name,
    language: template.language,
    ...(template.parameters.length > 0 ? { parameters } : {}),
  };
}

/** Whether a synced template can be offered for sending (stubs have no content yet). */
export function sendable(template: MessageTemplate): boolean {
  return template.status === "APPROVED" && template.components.length > 0;
}
