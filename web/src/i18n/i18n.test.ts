import { describe, expect, it } from "vitest";
import en from "./en.json";
import es from "./es.json";

function flattenKeys(value: unknown, prefix = ""): string[] {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) =>
      flattenKeys(child, prefix ? `${prefix}.${key}` : key),
    );
  }
  return [prefix];
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();
}

function lookup(obj: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], obj);
}

describe("translations", () => {
  const enKeys = flattenKeys(en).sort();
  const esKeys = flattenKeys(es).sort();

  it("English and Spanish have exactly the same keys", () => {
    expect(esKeys).toEqual(enKeys);
  });

  it("has no empty strings", () => {
    for (const key of enKeys) {
      expect(String(lookup(en, key)).trim(), `en ${key}`).not.toBe("");
      expect(String(lookup(es, key)).trim(), `es ${key}`).not.toBe("");
    }
  });

  it("uses the same interpolation variables in both languages", () => {
    for (const key of enKeys) {
      expect(placeholders(String(lookup(es, key))), key).toEqual(placeholders(String(lookup(en, key))));
    }
  });
});
