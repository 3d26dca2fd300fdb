/** How Socket.IO events (docs/inbox.md §3) update the TanStack Query cache. */
import type { InfiniteData, QueryClient } from "@tanstack/react-query";
import { queryKeys } from "../../api/endpoints";
import type {
  Member,
  UserRef,
  ConversationListResponse,
  ConversationSummary,
  ConversationUpdatedEvent,
  MessageNewEvent,
  MessageStatusEvent,
} from "../../api/types";
import { inboxKeys } from "./api";
import { appendMessage, applyStatusEvent, type ThreadData } from "./thread";

export type ListData = InfiniteData<ConversationListResponse, unknown>;

/** `message:new`: appended to the contact's cached thread (deduplicated by id). */
export function applyMessageNew(queryClient: QueryClient, event: MessageNewEvent): void {
  if (!event?.contact_id || !event.message?.id) return;
  queryClient.setQueryData<ThreadData>(inboxKeys.thread(event.contact_id), (data) => appendMessage(data, event.message));
}

/**
 * `message:status`: the message's ticks move forward. Returns false when the thread is cached
 * but does not hold the message (the status raced ahead of it: the caller re-fetches).
 */
export function applyMessageStatus(queryClient: QueryClient, event: MessageStatusEvent): boolean {
  if (!event?.contact_id) return true;
  const key = inboxKeys.thread(event.contact_id);
  const data = queryClient.getQueryData<ThreadData>(key);
  if (!data) return true;
  const known = data.pages.some((page) =>
    page.messages.some((m) => m.id === event.message_id || (!!event.wamid && m.wamid === event.wamid)),
  );
  if (known) queryClient.setQueryData<ThreadData>(key, (current) => applyStatusEvent(current, event));
  return known;
}

/** Merges changed summary fields into every cached list row and the open thread's conversation. */
export function patchConversation(
  queryClient: QueryClient,
  contactId: string,
  fields: Partial<ConversationSummary> | undefined,
): void {
  if (!fields || Object.keys(fields).length === 0) return;
  const { contact_id: _ignored, ...changes } = fields;
  queryClient.setQueriesData<ListData>({ queryKey: inboxKeys.lists }, (data) => {
    if (!data) return data;
    let changed = false;
    const pages = data.pages.map((page) => ({
      ...page,
      conversations: page.conversations.map((row) => {
        if (row.contact_id !== contactId) return row;
        changed = true;
        return { ...row, ...changes };
      }),
    }));
    return changed ? { ...data, pages } : data;
  });
  queryClient.setQueryData<ThreadData>(inboxKeys.thread(contactId), (data) => {
    if (!data || data.pages.length === 0) return data;
    const [latest, ...older] = data.pages;
    return { ...data, pages: [{ ...latest, conversation: { ...latest.conversation, ...changes } }, ...older] };
  });
}

/** The cached list row of a contact, if any list holds it. */
export function cachedRow(queryClient: QueryClient, contactId: string): ConversationSummary | null {
  for (const [, data] of queryClient.getQueriesData<ListData>({ queryKey: inboxKeys.lists })) {
    for (const page of data?.pages ?? []) {
      const row = page.conversations.find((c) => c.contact_id === contactId);
      if (row) return row;
    }
  }
  return null;
}

const SUMMARY_FIELDS = [
  "status",
  "mode",
  "unread_count",
  "last_activity",
  "last_message",
  "window_expires_at",
  "window_open",
  "tags",
  "contact_name",
  "contact_phone",
  "assignee",
] as const;

/** The name of a user id, from the members list or any cached row assigned to them. */
function knownUser(queryClient: QueryClient, id: string): UserRef | null {
  const member = queryClient.getQueryData<Member[]>(queryKeys.members)?.find((m) => m.userId === id);
  if (member) return { id, name: member.name };
  for (const [, data] of queryClient.getQueriesData<ListData>({ queryKey: inboxKeys.lists })) {
    for (const page of data?.pages ?? []) {
      const row = page.conversations.find((c) => c.assignee?.id === id);
      if (row?.assignee) return row.assignee;
    }
  }
  return null;
}

/**
 * The summary fields of a `conversation:updated` payload. `assignee_id` becomes `assignee`
 * when the name is known (else `resolved` is false and the caller re-reads the thread);
 * `window_open` is derived from `window_expires_at` when missing.
 */
export function summaryChanges(
  queryClient: QueryClient,
  raw: ConversationUpdatedEvent["conversation"],
): { changes: Partial<ConversationSummary>; resolved: boolean } {
  const changes: Record<string, unknown> = {};
  let resolved = true;
  if (!raw) return { changes, resolved };
  for (const key of SUMMARY_FIELDS) if (key in raw) changes[key] = raw[key];
  if ("assignee_id" in raw && !("assignee" in raw)) {
    const id = raw.assignee_id ?? null;
    const user = id ? knownUser(queryClient, id) : null;
    if (!id) changes.assignee = null;
    else if (user) changes.assignee = user;
    else resolved = false;
  }
  if ("window_expires_at" in raw && !("window_open" in raw)) {
    const end = raw.window_expires_at ? Date.parse(raw.window_expires_at) : NaN;
    changes.window_open = !Number.isNaN(end) && end > Date.now();
  }
  return { changes: changes as Partial<ConversationSummary>, resolved };
}

/**
 * `conversation:updated`: patch what we know now; the caller re-fetches lists and counts.
 * Returns false when the open thread needs a re-read (an assignee we cannot name).
 */
export function applyConversationUpdated(queryClient: QueryClient, event: ConversationUpdatedEvent): boolean {
  if (!event?.contact_id) return true;
  const { changes, resolved } = summaryChanges(queryClient, event.conversation);
  patchConversation(queryClient, event.contact_id, changes);
  return resolved;
}
