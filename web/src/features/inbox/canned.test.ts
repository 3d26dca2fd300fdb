import { describe, expect, it } from "vitest";
import { cannedQuery, insertCanned, matchCanned } from "./canned";

const responses = [
  { id: "1", shortcut: "hours", text: "We are open 9 to 18." },
  { id: "2", shortcut: "thanks", text: "Thank you for writing!" },
  { id: "3", shortcut: "shipping-hours", text: "Deliveries from 10." },
  { id: "4", shortcut: "bye", text: "See you soon" },
];

describe("canned responses", () => {
  it("detects a /shortcut being typed at a word start", () => {
    expect(cannedQuery("/ho", 3)).toEqual({ start: 0, query: "ho" });
    expect(cannedQuery("Hi /Th", 6)).toEqual({ start: 3, query: "th" });
    expect(cannedQuery("/", 1)).toEqual({ start: 0, query: "" });
    expect(cannedQuery("and/or", 6)).toBeNull();
    expect(cannedQuery("/hours now", 10)).toBeNull();
    expect(cannedQuery("http://x", 8)).toBeNull();
  });

  it("ranks prefix matches before partial and text matches", () => {
    expect(matchCanned(responses, "hours").map((r) => r.shortcut)).toEqual(["hours", "shipping-hours"]);
    expect(matchCanned(responses, "soon").map((r) => r.shortcut)).toEqual(["bye"]);
    expect(matchCanned(responses, "").map((r) => r.shortcut)).toEqual(["bye", "hours", "shipping-hours", "thanks"]);
    expect(matchCanned(responses, "zzz")).toEqual([]);
  });

  it("replaces the /query with the response text", () => {
    const text = "Hi /ho and more";
    const q = cannedQuery(text, 6)!;
    expect(insertCanned(text, 6, q, responses[0])).toEqual({
      text: "Hi We are open 9 to 18. and more",
      caret: 3 + responses[0].text.length,
    });
  });
});
