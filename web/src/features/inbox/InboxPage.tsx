/**
 * /inbox and /inbox/:contactId: the shared inbox (docs/inbox.md). Three panes: conversations,
 * the open thread with its composer, and the contact panel. Live over Socket.IO, polling
 * every 3 s when the socket is down.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useNavigate, useParams } from "react-router";
import { useIsFetching, useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { MessagesSquare } from "lucide-react";
import type { ConversationListQuery, Id, InboxMessage } from "../../api/types";
import { useErrorMessage } from "../../lib/errors";
import { cx } from "../../lib/format";
import { useDebounced } from "../../lib/useDebounced";
import { useSession } from "../auth/session";
import { inboxApi, inboxKeys } from "./api";
import { ContactPanel } from "./ContactPanel";
import { ConversationList, DEFAULT_FILTERS, type InboxFilters } from "./ConversationList";
import { useConversationCounts, useConversationList, useThread } from "./queries";
import { patchConversation } from "./socketCache";
import { beep, setSoundEnabled, soundEnabled } from "./sound";
import { threadMessages } from "./thread";
import { Thread } from "./Thread";
import { useInboxSocket } from "./useInboxSocket";
import "./inbox.css";

const SEARCH_DEBOUNCE_MS = 300;
const PANEL_STORAGE_KEY = "finnegans.inbox.panel";
const WIDE_QUERY = "(min-width: 1280px)";

function useDocumentVisible(): boolean {
  const [visible, setVisible] = useState(() => typeof document === "undefined" || document.visibilityState !== "hidden");
  useEffect(() => {
    const onChange = () => setVisible(document.visibilityState !== "hidden");
    document.addEventListener("visibilitychange", onChange);
    return () => document.removeEventListener("visibilitychange", onChange);
  }, []);
  return visible;
}

/** The list request of the filters (what `inboxKeys.list` is keyed by). */
export function listQuery(filters: InboxFilters): ConversationListQuery {
  return {
    status: [filters.status],
    ...(filters.assignee !== "all" ? { assignee: filters.assignee } : {}),
    ...(filters.mode !== "all" ? { mode: filters.mode } : {}),
    ...(filters.unread ? { unread: true } : {}),
    ...(filters.q.trim() ? { q: filters.q.trim() } : {}),
  };
}

function isTypingTarget(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName);
}

export function InboxPage() {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const session = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { contactId: routeContact } = useParams();
  const contactId = routeContact ?? null;
  const visible = useDocumentVisible();
  const searchRef = useRef<HTMLInputElement>(null);

  const [filters, setFilters] = useState<InboxFilters>(DEFAULT_FILTERS);
  const [search, setSearch] = useState("");
  const q = useDebounced(search, SEARCH_DEBOUNCE_MS);
  const query = useMemo(() => listQuery({ ...filters, q }), [filters, q]);
  const [sound, setSound] = useState(soundEnabled);
  const [panelOpen, setPanelOpen] = useState(() => {
    // Below 1280 px the panel floats over the thread: it starts closed there.
    if (typeof window.matchMedia === "function" && !window.matchMedia(WIDE_QUERY).matches) return false;
    try {
      return window.localStorage.getItem(PANEL_STORAGE_KEY) !== "closed";
    } catch {
      return true;
    }
  });

  const markRead = useMutation({
    mutationFn: (id: Id) => inboxApi.read(id),
    onSuccess: (answer, id) => {
      patchConversation(queryClient, id, { ...answer.conversation, unread_count: 0 });
      void queryClient.invalidateQueries({ queryKey: inboxKeys.counts });
    },
  });

  const soundRef = useRef(sound);
  soundRef.current = sound;
  const onInbound = useCallback((_id: Id, _message: InboxMessage | null) => {
    if (soundRef.current) beep();
  }, []);

  const socket = useInboxSocket({ contactId, meId: session.user.id, onInbound });
  const list = useConversationList(query, socket.pollInterval);
  const counts = useConversationCounts(socket.pollInterval);
  const thread = useThread(contactId, socket.pollInterval);
  const refreshing = useIsFetching({ queryKey: inboxKeys.all }) > 0;

  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.conversations) ?? [], [list.data]);

  // Mark as read: on opening a conversation with unread messages, and when customer messages
  // arrive while it is open and the tab is visible.
  const detail = thread.data?.pages[0]?.conversation;
  const messages = useMemo(() => threadMessages(thread.data), [thread.data]);
  const lastInbound = useMemo(() => {
    for (let i = messages.length - 1; i >= 0; i--) if (messages[i].direction === "inbound") return messages[i].id;
    return "";
  }, [messages]);
  const rowUnread = rows.find((r) => r.contact_id === contactId)?.unread_count ?? 0;
  const unread = Math.max(detail?.unread_count ?? 0, rowUnread);
  const readState = useRef<{ contact: Id | null; inbound: string }>({ contact: null, inbound: "" });
  const mutateRead = markRead.mutate;
  useEffect(() => {
    if (!contactId || !detail || !visible) return;
    const previous = readState.current;
    const opened = previous.contact !== contactId;
    const arrived = !opened && lastInbound !== "" && lastInbound !== previous.inbound;
    readState.current = { contact: contactId, inbound: lastInbound };
    if ((opened && unread > 0) || arrived) mutateRead(contactId);
  }, [contactId, detail, visible, lastInbound, unread, mutateRead]);

  // Tab title: "(3) Inbox · Finnegans".
  const unreadTotal = counts.data?.unread ?? 0;
  useEffect(() => {
    const previous = document.title;
    const base = `${t("inbox.title")} · Finnegans`;
    document.title = unreadTotal > 0 ? `(${unreadTotal}) ${base}` : base;
    return () => {
      document.title = previous;
    };
  }, [unreadTotal, t]);

  const select = useCallback(
    (id: Id) => {
      void navigate(`/inbox/${encodeURIComponent(id)}`);
    },
    [navigate],
  );

  // Keyboard: Alt+↓ / Alt+↑ next / previous conversation, "/" focuses the search.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.altKey && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
        if (rows.length === 0) return;
        event.preventDefault();
        const index = rows.findIndex((r) => r.contact_id === contactId);
        const next =
          index < 0
            ? event.key === "ArrowDown"
              ? 0
              : rows.length - 1
            : Math.min(rows.length - 1, Math.max(0, index + (event.key === "ArrowDown" ? 1 : -1)));
        if (rows[next] && rows[next].contact_id !== contactId) select(rows[next].contact_id);
        return;
      }
      if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !isTypingTarget(event.target)) {
        event.preventDefault();
        searchRef.current?.focus();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [rows, contactId, select]);

  const togglePanel = () => {
    const next = !panelOpen;
    setPanelOpen(next);
    if (typeof window.matchMedia === "function" && !window.matchMedia(WIDE_QUERY).matches) return;
    try {
      window.localStorage.setItem(PANEL_STORAGE_KEY, next ? "open" : "closed");
    } catch {
      // ignore: private mode
    }
  };

  const toggleSound = () => {
    const next = !sound;
    setSound(next);
    setSoundEnabled(next);
    if (next) beep();
  };

  return (
    <div data-testid="inbox" className="inbox-grid h-full min-h-0 bg-white">
      <div className="min-h-0 border-r border-zinc-200">
        <ConversationList
          ref={searchRef}
          filters={filters}
          search={search}
          onSearch={setSearch}
          onFilters={(patch) => setFilters((f) => ({ ...f, ...patch }))}
          counts={counts.data}
          rows={rows}
          loading={list.isPending}
          error={list.isError && !list.data ? describe(list.error) : null}
          selectedId={contactId}
          onSelect={select}
          hasMore={!!list.hasNextPage}
          loadingMore={list.isFetchingNextPage}
          onLoadMore={() => {
            if (list.hasNextPage && !list.isFetchingNextPage) void list.fetchNextPage();
          }}
          connection={socket.mode}
          onRefresh={socket.refresh}
          refreshing={refreshing}
          sound={sound}
          onToggleSound={toggleSound}
        />
      </div>
      <div className="min-h-0 min-w-0">
        {contactId ? (
          <Thread
            contactId={contactId}
            pollInterval={socket.pollInterval}
            typing={socket.typing}
            notifyTyping={socket.notifyTyping}
            stopTyping={socket.stopTyping}
            panelOpen={panelOpen}
            onTogglePanel={togglePanel}
          />
        ) : (
          <div className="flex h-full flex-col items-center justify-center gap-3 bg-zinc-50 px-6 text-center" data-testid="inbox-no-selection">
            <span className="flex size-12 items-center justify-center rounded-2xl bg-brand-50 text-brand-600">
              <MessagesSquare className="size-6" aria-hidden />
            </span>
            <p className="text-sm font-medium text-zinc-800">{t("inbox.noSelection.title")}</p>
            <p className="max-w-sm text-xs text-zinc-500">{t("inbox.noSelection.body")}</p>
          </div>
        )}
      </div>
      {contactId && detail && panelOpen ? (
        <div className={cx("inbox-panel min-h-0 border-l border-zinc-200")}>
          <ContactPanel conversation={detail} onClose={togglePanel} />
        </div>
      ) : null}
    </div>
  );
}
