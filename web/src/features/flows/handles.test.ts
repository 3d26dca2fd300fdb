import { describe, expect, it } from "vitest";
import { deriveHandles, hasTargetHandle } from "./handles";
import { NODE_TYPES } from "./types";

const ids = (type: string, data: Record<string, unknown> = {}) => deriveHandles(type, data).map((h) => h.id);

describe("deriveHandles", () => {
  it("gives options one exit per option plus no-match, labelled with the titles", () => {
    const handles = deriveHandles("options", { options: ["Sales", "Support", "Billing"] });
    expect(handles.map((h) => h.id)).toEqual(["opt-0", "opt-1", "opt-2", "no-match"]);
    expect(handles.map((h) => h.label)).toEqual(["Sales", "Support", "Billing", undefined]);
  });

  it("numbers list rows across sections", () => {
    const data = { sections: [{ rows: [{ title: "A" }, { title: "B" }] }, { rows: [{ title: "C" }] }] };
    expect(ids("list", data)).toEqual(["opt-0", "opt-1", "opt-2", "no-match"]);
    expect(deriveHandles("list", data)[2].label).toBe("C");
  });

  it("has the named exits of each type", () => {
    expect(ids("condition")).toEqual(["true", "false"]);
    expect(ids("http")).toEqual(["success", "error"]);
    expect(ids("api")).toEqual([null, "success", "error"]);
    expect(ids("question")).toEqual([null, "fallback"]);
    expect(ids("whatsapp_flow")).toEqual([null, "no-match"]);
    expect(ids("wait", { timeoutSeconds: 0 })).toEqual([null]);
    expect(ids("wait", { timeoutSeconds: 3600 })).toEqual([null, "timeout"]);
  });

  it("gives a lone default exit to plain nodes and none to the terminal ones", () => {
    for (const type of ["trigger", "message", "cta_url", "media", "template", "delay", "assign", "set_attribute", "tag", "handoff"]) {
      expect(ids(type), type).toEqual([null]);
    }
    for (const type of ["start_flow", "goto", "end"]) expect(ids(type), type).toEqual([]);
  });

  it("gives every node an input except the trigger", () => {
    for (const type of NODE_TYPES) expect(hasTargetHandle(type), type).toBe(type !== "trigger");
  });
});
