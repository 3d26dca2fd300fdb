/**
 * The Contacts page's filters, and the three shapes the server wants them in: the query string
 * of GET /api/contacts (and /count, /export), the `filter` of a bulk action, and a segment's
 * rule set ("Save as segment"). Keeping the conversions here, in one pure module, is what makes
 * "select all N matching" act on exactly the contacts the table and the count show.
 */
import type { BulkFilter, ContactSort, SegmentCondition, SegmentRules, SortOrder } from "../../api/types";

export interface ContactFilters {
  /** Name, phone or WhatsApp id. */
  q: string;
  /** A tag name the contacts must carry ("" = any). */
  tag: string;
  /** "" = everyone, "true" = only opted out, "false" = only subscribed. */
  optedOut: "" | "true" | "false";
  /** "Last active within N days", or null. */
  activeDays: number | null;
  /**
   * The cutoff of `activeDays`, fixed when the user picks the option: the list, the count and a
   * bulk action then share one instant (and the query key does not change every second).
   */
  activeAfter: string | null;
  /** A saved segment's id ("" = none). */
  segment: string;
}

export interface ContactSorting {
  sort: ContactSort;
  order: SortOrder;
}

export const NO_FILTERS: ContactFilters = {
  q: "",
  tag: "",
  optedOut: "",
  activeDays: null,
  activeAfter: null,
  segment: "",
};

export const ACTIVE_DAY_CHOICES = [1, 7, 30, 90] as const;

/** The sort choices of the select, as "sort:order". */
export const SORT_CHOICES = [
  "updated:desc",
  "created:desc",
  "created:asc",
  "last_activity:desc",
  "name:asc",
  "name:desc",
] as const;
export type SortChoice = (typeof SORT_CHOICES)[number];

export function parseSort(choice: SortChoice): ContactSorting {
  const [sort, order] = choice.split(":") as [ContactSort, SortOrder];
  return { sort, order };
}

/** The instant N days before `now`, as the server's ISO string. */
export function daysAgo(days: number, now: Date = new Date()): string {
  return new Date(now.getTime() - days * 86_400_000).toISOString();
}

export function withActiveDays(filters: ContactFilters, days: number | null, now?: Date): ContactFilters {
  return { ...filters, activeDays: days, activeAfter: days ? daysAgo(days, now) : null };
}

export function hasFilters(filters: ContactFilters): boolean {
  return Boolean(filters.q.trim() || filters.tag || filters.optedOut || filters.activeDays || filters.segment);
}

/** Query parameters of GET /api/contacts, /count and /export (empty ones left out). */
export function filterParams(filters: ContactFilters): URLSearchParams {
  const params = new URLSearchParams();
  const q = filters.q.trim();
  if (q) params.set("q", q);
  if (filters.tag) params.append("tag", filters.tag);
  if (filters.optedOut) params.set("opted_out", filters.optedOut);
  if (filters.activeAfter) params.set("last_activity_after", filters.activeAfter);
  if (filters.segment) params.set("segment", filters.segment);
  return params;
}

/**
 * The `filter` of POST /api/contacts/bulk. It has no `last_activity_after`: the same instant
 * goes in as an `after` rule, so the bulk action matches what the list showed.
 */
export function bulkFilter(filters: ContactFilters): BulkFilter {
  const body: BulkFilter = {};
  const q = filters.q.trim();
  if (q) body.q = q;
  if (filters.tag) body.tags = [filters.tag];
  if (filters.optedOut) body.opted_out = filters.optedOut === "true";
  if (filters.segment) body.segment_id = filters.segment;
  if (filters.activeAfter) {
    body.rules = { match: "all", conditions: [{ field: "last_activity", op: "after", value: filters.activeAfter }] };
  }
  return body;
}

/**
 * A saved segment's rules for the current filters. "Last active within N days" is saved as
 * relative (`within_days`), so the segment keeps meaning "recently active" tomorrow; a chosen
 * segment is nested as a group of its own rules. The search text has no rule: it is left out
 * (the dialog says so).
 */
export function segmentRules(filters: ContactFilters, chosenSegment?: SegmentRules | null): SegmentRules {
  const conditions: SegmentCondition[] = [];
  if (filters.tag) conditions.push({ field: "tag", op: "has", value: filters.tag });
  if (filters.optedOut) conditions.push({ field: "opted_out", op: "eq", value: filters.optedOut === "true" });
  if (filters.activeDays) conditions.push({ field: "last_activity", op: "within_days", value: filters.activeDays });
  if (filters.segment && chosenSegment) conditions.push(chosenSegment);
  return { match: "all", conditions };
}

/** The bulk request bodies for a selection, split so no request carries more than `max` ids. */
export function chunk<T>(items: T[], max: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += max) out.push(items.slice(i, i + max));
  return out;
}
