import { describe, expect, it } from "vitest";
import { render } from "@testing-library/react";
import { parseWhatsApp, WhatsAppText } from "./whatsappText";

describe("WhatsApp formatting", () => {
  it("parses bold, italic, strike and mono", () => {
    expect(parseWhatsApp("Hi *Ana*, _really_ ~old~ ```x = 1```")).toEqual([
      { type: "text", text: "Hi " },
      { type: "bold", children: [{ type: "text", text: "Ana" }] },
      { type: "text", text: ", " },
      { type: "italic", children: [{ type: "text", text: "really" }] },
      { type: "text", text: " " },
      { type: "strike", children: [{ type: "text", text: "old" }] },
      { type: "text", text: " " },
      { type: "mono", children: [{ type: "text", text: "x = 1" }] },
    ]);
  });

  it("leaves markers that do not hug text, or sit inside words, alone", () => {
    expect(parseWhatsApp("2 * 3 * 4")).toEqual([{ type: "text", text: "2 * 3 * 4" }]);
    expect(parseWhatsApp("snake_case_name")).toEqual([{ type: "text", text: "snake_case_name" }]);
    expect(parseWhatsApp("*not\nbold*")).toEqual([{ type: "text", text: "*not\nbold*" }]);
  });

  it("nests and links", () => {
    const { container } = render(<WhatsAppText text={"*bold _both_* see https://example.com/a."} />);
    expect(container.querySelector("strong em")?.textContent).toBe("both");
    expect(container.querySelector("a")?.getAttribute("href")).toBe("https://example.com/a");
  });
});
