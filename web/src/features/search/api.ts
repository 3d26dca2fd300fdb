/** The global search (docs/api.md#search): up to five hits of each kind. */
import { api } from "../../api/client";
import type { SearchResults } from "../../api/types";

export const MIN_QUERY = 2;

export const searchKeys = {
  search: (q: string) => ["search", q] as const,
};

export const searchApi = {
  search: (q: string, signal?: AbortSignal) =>
    api.get<SearchResults>(`/api/search?q=${encodeURIComponent(q)}`, { signal }),
};
