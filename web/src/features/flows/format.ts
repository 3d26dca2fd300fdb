/** "1 h 30 min", "45 s", "2 d" */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return "0 s";
  const units: Array<[number, string]> = [
    [86_400, "d"],
    [3_600, "h"],
    [60, "min"],
    [1, "s"],
  ];
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [size, label] of units) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)} ${label}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(" ");
}

/** A file name from a flow name: "Welcome menu" → "welcome-menu.flow.json". */
export function exportFileName(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `${slug || "flow"}.flow.json`;
}

export function downloadJson(value: unknown, fileName: string): void {
  const blob = new Blob([JSON.stringify(value, null, 2)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Reads a flow file: an export `{format, definition}`, a bare definition, or a JSON string of one. */
export function definitionFromFile(value: unknown): unknown {
  let v = value;
  if (typeof v === "string") v = JSON.parse(v);
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const r = v as Record<string, unknown>;
    if ("definition" in r) {
      const d = typeof r.definition === "string" ? JSON.parse(r.definition) : r.definition;
      return d;
    }
    if (Array.isArray(r.nodes)) return r;
  }
  throw new Error("not a flow");
}
