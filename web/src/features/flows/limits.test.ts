import { describe, expect, it } from "vitest";
import { charCount, checkNode, counter, fieldMax, LIMITS } from "./limits";
import type { FlowNode } from "./types";

const node = (type: string, data: Record<string, unknown>, id = "n1"): Pick<FlowNode, "id" | "type" | "data"> => ({ id, type, data });
const fields = (n: Pick<FlowNode, "id" | "type" | "data">, nodeIds?: Set<string>) =>
  checkNode(n, { nodeIds }).map((p) => `${p.field}:${p.code}`);

describe("counter", () => {
  it("labels the count against the limit", () => {
    expect(counter("Talk to sales now", 20)).toEqual({ count: 17, max: 20, over: false, label: "17/20" });
  });

  it("is over the limit past the maximum, not at it", () => {
    expect(counter("x".repeat(20), 20).over).toBe(false);
    expect(counter("x".repeat(21), 20)).toMatchObject({ over: true, label: "21/20" });
  });

  it("counts characters like the server (emoji are one character)", () => {
    expect(charCount("👋 hola")).toBe(6);
    expect(counter("👋👋", 20).label).toBe("2/20");
    expect(counter(undefined, 60).label).toBe("0/60");
  });
});

describe("fieldMax", () => {
  it("uses Meta's limits per node type", () => {
    expect(fieldMax("options", "text")).toBe(1024);
    expect(fieldMax("cta_url", "text")).toBe(1024);
    expect(fieldMax("message", "text")).toBe(4096);
    expect(fieldMax("list", "text")).toBe(4096);
    expect(fieldMax("whatsapp_flow", "body")).toBe(1024);
    expect(fieldMax("list", "buttonText")).toBe(20);
    expect(fieldMax("whatsapp_flow", "cta")).toBe(20);
    expect(fieldMax("options", "header")).toBe(60);
    expect(fieldMax("media", "caption")).toBe(1024);
    expect(fieldMax("condition", "expression")).toBe(500);
    expect(fieldMax("message", "name")).toBe(60);
  });
});

describe("checkNode", () => {
  it("accepts valid options and flags long, duplicate and too many options", () => {
    expect(fields(node("options", { text: "Pick one", options: ["Sales", "Support"] }))).toEqual([]);
    expect(fields(node("options", { text: "Pick", options: ["A very long option title", "a", "A"] }))).toEqual([
      "options[0]:tooLong",
      "options[2]:duplicate",
    ]);
    const eleven = Array.from({ length: 11 }, (_, i) => `Option ${i}`);
    expect(fields(node("options", { text: "Pick", options: eleven }))).toContain("options:tooMany");
    expect(fields(node("options", { text: "", options: [] }))).toEqual(["text:required", "options:tooFew"]);
  });

  it("checks the interactive body at 1,024 characters and texts at 4,096", () => {
    expect(fields(node("options", { text: "x".repeat(1025), options: ["A"] }))).toEqual(["text:tooLong"]);
    expect(fields(node("message", { text: "x".repeat(1025) }))).toEqual([]);
    expect(fields(node("message", { text: "x".repeat(4097) }))).toEqual(["text:tooLong"]);
    expect(fields(node("message", { useTemplate: true, templateName: "hello" }))).toEqual(["templateLanguage:required"]);
  });

  it("checks list rows across sections", () => {
    const list = {
      text: "Menu",
      buttonText: "See the menu",
      sections: [
        { title: "", rows: [{ title: "Pizza" }, { title: "A row title over 24 chars!" }] },
        { title: "Drinks", rows: [{ title: "pizza", description: "d".repeat(73) }] },
      ],
    };
    expect(fields(node("list", list))).toEqual([
      "sections[0].title:sectionTitle",
      "sections[0].rows[1].title:tooLong",
      "sections[1].rows[0].title:duplicate",
      "sections[1].rows[0].description:tooLong",
    ]);
    const rows = Array.from({ length: LIMITS.rows + 1 }, (_, i) => ({ title: `Row ${i}` }));
    expect(fields(node("list", { text: "t", buttonText: "b", sections: [{ rows }] }))).toEqual(["sections:tooMany"]);
  });

  it("checks URLs, variable names and ranges", () => {
    expect(fields(node("cta_url", { text: "Visit", buttonText: "Open", url: "ftp://x" }))).toEqual(["url:invalidUrl"]);
    expect(fields(node("cta_url", { text: "Visit", buttonText: "Open", url: "{{site}}/x" }))).toEqual([]);
    expect(fields(node("question", { text: "Email?", variable: "1email" }))).toEqual(["variable:invalidVariable"]);
    expect(fields(node("question", { text: "Email?", variable: "order.email", maxAttempts: 11 }))).toEqual(["maxAttempts:range"]);
    expect(fields(node("delay", { seconds: 0 }))).toEqual(["seconds:range"]);
    expect(fields(node("wait", { timeoutSeconds: 30 }))).toEqual(["timeoutSeconds:timeoutRange"]);
    expect(fields(node("wait", { timeoutSeconds: 0 }))).toEqual([]);
    expect(fields(node("http", { url: "https://api.example.com", timeoutSeconds: 31 }))).toEqual(["timeoutSeconds:range"]);
  });

  it("reads the original single keyword and checks goto targets", () => {
    expect(fields(node("trigger", { keyword: "hola" }))).toEqual([]);
    expect(fields(node("trigger", { keywords: [] }))).toEqual(["keywords:required"]);
    expect(fields(node("trigger", { match: "regex", pattern: "(" }))).toEqual(["pattern:invalidRegex"]);
    expect(fields(node("goto", { targetNodeId: "n1" }, "n1"))).toEqual(["targetNodeId:gotoSelf"]);
    expect(fields(node("goto", { targetNodeId: "n9" }, "n1"), new Set(["n1", "n2"]))).toEqual(["targetNodeId:gotoMissing"]);
  });

  it("warns (not errors) about an audio caption", () => {
    const problems = checkNode(node("media", { mediaType: "audio", url: "https://x.test/a.ogg", caption: "hi" }));
    expect(problems).toEqual([{ field: "caption", code: "captionAudio", params: undefined, severity: "warning" }]);
  });
});
