import { describe, expect, it } from "vitest";
import { bulkFilter, chunk, filterParams, NO_FILTERS, segmentRules, withActiveDays } from "./filters";

const NOW = new Date("2026-12-04T12:00:00Z");

describe("contact filters", () => {
  const filters = {
    ...withActiveDays({ ...NO_FILTERS, q: " ana ", tag: "vip", optedOut: "false" as const, segment: "s1" }, 7, NOW),
  };

  it("the list, the count and the export share one query string", () => {
    expect(filterParams(filters).toString()).toBe(
      "q=ana&tag=vip&opted_out=false&last_activity_after=2026-11-27T12%3A00%3A00.000Z&segment=s1",
    );
    expect(filterParams(NO_FILTERS).toString()).toBe("");
  });

  it("a bulk action over all matching carries the same filters, the activity cutoff as a rule", () => {
    expect(bulkFilter(filters)).toEqual({
      q: "ana",
      tags: ["vip"],
      opted_out: false,
      segment_id: "s1",
      rules: { match: "all", conditions: [{ field: "last_activity", op: "after", value: "2026-11-27T12:00:00.000Z" }] },
    });
    expect(bulkFilter(NO_FILTERS)).toEqual({});
  });

  it("a saved segment keeps activity relative, nests the chosen segment and leaves out the search", () => {
    const chosen = { match: "any" as const, conditions: [{ field: "tag" as const, op: "has" as const, value: "lead" }] };
    expect(segmentRules(filters, chosen)).toEqual({
      match: "all",
      conditions: [
        { field: "tag", op: "has", value: "vip" },
        { field: "opted_out", op: "eq", value: false },
        { field: "last_activity", op: "within_days", value: 7 },
        chosen,
      ],
    });
  });

  it("splits ids by the server's cap", () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 2)).toEqual([]);
  });
});
