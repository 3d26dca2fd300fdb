/** The inbox's queries: list (cursor pages), counts and the open thread (`before` pages). */
import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import type { ConversationListQuery, Id } from "../../api/types";
import { inboxApi, inboxKeys } from "./api";

type Interval = number | false;

export const LIST_PAGE_SIZE = 30;

export function useConversationList(query: ConversationListQuery, pollInterval: Interval) {
  return useInfiniteQuery({
    queryKey: inboxKeys.list(query),
    queryFn: ({ pageParam }) => inboxApi.list({ ...query, limit: LIST_PAGE_SIZE, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
    refetchInterval: pollInterval,
    staleTime: 5_000,
  });
}

export function useConversationCounts(pollInterval: Interval) {
  return useQuery({
    queryKey: inboxKeys.counts,
    queryFn: inboxApi.counts,
    refetchInterval: pollInterval,
    staleTime: 5_000,
  });
}

export function useThread(contactId: Id | null, pollInterval: Interval) {
  return useInfiniteQuery({
    queryKey: inboxKeys.thread(contactId ?? ""),
    queryFn: ({ pageParam }) => inboxApi.thread(contactId ?? "", { before: pageParam }),
    initialPageParam: undefined as string | undefined,
    // Page 0 is the latest page; each next page is older, before the oldest message held.
    getNextPageParam: (page) => (page.has_more_before && page.messages[0] ? page.messages[0].id : undefined),
    enabled: !!contactId,
    refetchInterval: pollInterval,
    staleTime: 5_000,
  });
}
