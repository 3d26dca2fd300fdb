import { describe, expect, it } from "vitest";
import { UndoHistory } from "./history";

describe("UndoHistory", () => {
  it("undoes and redoes in order", () => {
    const h = new UndoHistory<string>();
    h.record("a");
    h.record("b");
    expect(h.undo("c")).toBe("b");
    expect(h.undo("b")).toBe("a");
    expect(h.undo("a")).toBeUndefined();
    expect(h.redo("a")).toBe("b");
    expect(h.redo("b")).toBe("c");
    expect(h.canRedo).toBe(false);
  });

  it("drops the redo stack on a new change", () => {
    const h = new UndoHistory<string>();
    h.record("a");
    expect(h.undo("b")).toBe("a");
    expect(h.canRedo).toBe(true);
    h.record("a");
    expect(h.canRedo).toBe(false);
  });

  it("merges changes with the same key within the window into one step", () => {
    const h = new UndoHistory<string>(100, 1000);
    expect(h.record("", "text", 0)).toBe(true);
    expect(h.record("H", "text", 300)).toBe(false);
    expect(h.record("He", "text", 600)).toBe(false);
    expect(h.record("Hey", "name", 700)).toBe(true);
    expect(h.record("Hey!", "name", 5000)).toBe(true);
    expect(h.undo("Hey!!")).toBe("Hey!");
    expect(h.undo("Hey!")).toBe("Hey");
    expect(h.undo("Hey")).toBe("");
  });

  it("keeps at most `limit` steps", () => {
    const h = new UndoHistory<number>(3);
    for (let i = 0; i < 5; i += 1) h.record(i);
    expect(h.undo(5)).toBe(4);
    expect(h.undo(4)).toBe(3);
    expect(h.undo(3)).toBe(2);
    expect(h.undo(2)).toBeUndefined();
  });
});
