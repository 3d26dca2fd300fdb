/** The left pane: filters, search and the conversation rows (infinite scroll). */
import { forwardRef, useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { Bell, BellOff, Bot, RefreshCw, Search, UserRound } from "lucide-react";
import type { ConversationCounts, ConversationMode, ConversationStatus, ConversationSummary, Id } from "../../api/types";
import { Spinner } from "../../components/Spinner";
import { cx, initials } from "../../lib/format";
import { listTime } from "./time";
import type { ConnectionMode } from "./useInboxSocket";

export type AssigneeFilter = "all" | "me" | "unassigned";
export type ModeFilter = "all" | ConversationMode;

export interface InboxFilters {
  status: ConversationStatus;
  assignee: AssigneeFilter;
  mode: ModeFilter;
  unread: boolean;
  q: string;
}

export const DEFAULT_FILTERS: InboxFilters = { status: "open", assignee: "all", mode: "all", unread: false, q: "" };

const STATUSES: ConversationStatus[] = ["open", "pending", "resolved"];
const ASSIGNEES: AssigneeFilter[] = ["all", "me", "unassigned"];

export function ConnectionStatus({ mode }: { mode: ConnectionMode }) {
  const { t } = useTranslation();
  const live = mode === "live";
  return (
    <span
      data-testid="connection-status"
      data-mode={live ? "live" : "polling"}
      title={t(`inbox.connection.${mode}Help`)}
      className={cx(
        "inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-[11px] font-medium ring-1 ring-inset",
        live ? "bg-brand-50 text-brand-700 ring-brand-600/20" : "bg-amber-50 text-amber-800 ring-amber-600/20",
      )}
    >
      <span className={cx("size-1.5 rounded-full", live ? "animate-pulse bg-brand-600" : "bg-amber-500")} aria-hidden />
      {t(`inbox.connection.${mode}`)}
    </span>
  );
}

function Row({
  row,
  selected,
  onSelect,
}: {
  row: ConversationSummary;
  selected: boolean;
  onSelect: (id: Id) => void;
}) {
  const { t } = useTranslation();
  const name = row.contact_name || row.contact_phone || "?";
  const unread = row.unread_count > 0;
  return (
    <li>
      <button
        type="button"
        data-testid="inbox-row"
        data-contact-id={row.contact_id}
        data-unread={unread ? "true" : "false"}
        aria-current={selected ? "true" : undefined}
        onClick={() => onSelect(row.contact_id)}
        className={cx(
          "flex w-full items-start gap-3 border-b border-zinc-100 px-3 py-2.5 text-left transition-colors",
          selected ? "bg-brand-50" : "hover:bg-zinc-50",
        )}
      >
        <span className="relative mt-0.5 flex size-10 shrink-0 items-center justify-center rounded-full bg-zinc-200 text-xs font-semibold text-zinc-700">
          {initials(name)}
          <span
            className={cx(
              "absolute -right-0.5 -bottom-0.5 flex size-4 items-center justify-center rounded-full ring-2 ring-white",
              row.mode === "human" ? "bg-amber-500" : "bg-sky-500",
            )}
            title={t(`inbox.mode.${row.mode}`)}
            data-testid="row-mode"
            data-mode={row.mode}
          >
            {row.mode === "human" ? (
              <UserRound className="size-2.5 text-white" aria-hidden />
            ) : (
              <Bot className="size-2.5 text-white" aria-hidden />
            )}
          </span>
        </span>
        <span className="min-w-0 flex-1">
          <span className="flex items-baseline gap-2">
            <span className={cx("min-w-0 flex-1 truncate text-sm", unread ? "font-semibold text-zinc-900" : "font-medium text-zinc-800")}>
              {name}
            </span>
            <time
              dateTime={row.last_activity ?? undefined}
              className={cx("shrink-0 text-[11px]", unread ? "font-semibold text-brand-700" : "text-zinc-400")}
            >
              {listTime(row.last_activity)}
            </time>
          </span>
          <span className="mt-0.5 flex items-center gap-2">
            <span className={cx("min-w-0 flex-1 truncate text-xs", unread ? "text-zinc-800" : "text-zinc-500")}>
              {row.last_message || <span className="italic">{t("inbox.list.noMessages")}</span>}
            </span>
            {row.assignee ? (
              <span
                title={t("inbox.list.assignedTo", { name: row.assignee.name })}
                data-testid="row-assignee"
                className="flex size-5 shrink-0 items-center justify-center rounded-full bg-violet-100 text-[9px] font-semibold text-violet-800"
              >
                {initials(row.assignee.name)}
              </span>
            ) : null}
            {unread ? (
              <span
                data-testid="row-unread"
                className="flex h-5 min-w-5 shrink-0 items-center justify-center rounded-full bg-brand-600 px-1.5 text-[10px] font-bold text-white tabular-nums"
              >
                {row.unread_count > 99 ? "99+" : row.unread_count}
              </span>
            ) : null}
          </span>
        </span>
      </button>
    </li>
  );
}

export interface ConversationListProps {
  filters: InboxFilters;
  search: string;
  onSearch: (value: string) => void;
  onFilters: (patch: Partial<InboxFilters>) => void;
  counts: ConversationCounts | undefined;
  rows: ConversationSummary[];
  loading: boolean;
  error: string | null;
  selectedId: Id | null;
  onSelect: (id: Id) => void;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  connection: ConnectionMode;
  onRefresh: () => void;
  refreshing: boolean;
  sound: boolean;
  onToggleSound: () => void;
}

export const ConversationList = forwardRef<HTMLInputElement, ConversationListProps>(function ConversationList(
  {
    filters,
    search,
    onSearch,
    onFilters,
    counts,
    rows,
    loading,
    error,
    selectedId,
    onSelect,
    hasMore,
    loadingMore,
    onLoadMore,
    connection,
    onRefresh,
    refreshing,
    sound,
    onToggleSound,
  },
  searchRef,
) {
  const { t } = useTranslation();
  const sentinel = useRef<HTMLLIElement>(null);
  const loadMore = useRef(onLoadMore);
  loadMore.current = onLoadMore;

  // Infinite scroll: the next page loads when the end of the list comes into view.
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !hasMore || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) loadMore.current();
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [hasMore, rows.length]);

  const chip = (active: boolean) =>
    cx(
      "rounded-full px-2.5 py-1 text-xs font-medium ring-1 ring-inset transition-colors",
      active ? "bg-zinc-900 text-white ring-zinc-900" : "bg-white text-zinc-600 ring-zinc-200 hover:bg-zinc-50",
    );

  return (
    <div className="flex h-full min-h-0 flex-col bg-white">
      <div className="space-y-2.5 border-b border-zinc-200 px-3 pt-3 pb-2.5">
        <div className="flex items-center gap-2">
          <h1 className="flex-1 text-base font-semibold tracking-tight text-zinc-900">{t("inbox.title")}</h1>
          <ConnectionStatus mode={connection} />
          <button
            type="button"
            data-testid="inbox-sound"
            aria-pressed={sound}
            onClick={onToggleSound}
            title={sound ? t("inbox.list.soundOff") : t("inbox.list.soundOn")}
            aria-label={sound ? t("inbox.list.soundOff") : t("inbox.list.soundOn")}
            className="rounded-lg p-1.5 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800"
          >
            {sound ? <Bell className="size-4" aria-hidden /> : <BellOff className="size-4" aria-hidden />}
          </button>
          <button
            type="button"
            data-testid="inbox-refresh"
            onClick={onRefresh}
            title={t("inbox.list.refresh")}
            aria-label={t("inbox.list.refresh")}
            className="rounded-lg p-1.5 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800"
          >
            <RefreshCw className={cx("size-4", refreshing ? "animate-spin" : null)} aria-hidden />
          </button>
        </div>
        <div className="relative">
          <Search className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-zinc-400" aria-hidden />
          <input
            ref={searchRef}
            type="search"
            data-testid="inbox-search"
            value={search}
            onChange={(e) => onSearch(e.target.value)}
            placeholder={t("inbox.list.search")}
            aria-label={t("inbox.list.search")}
            className="peer block h-9 w-full rounded-lg border border-zinc-300 bg-white pr-8 pl-8 text-sm shadow-xs placeholder:text-zinc-400 focus:border-brand-600 focus:ring-2 focus:ring-brand-600/30 focus:outline-none"
          />
          {search ? null : (
            <kbd className="pointer-events-none absolute top-1/2 right-2 -translate-y-1/2 rounded border border-zinc-200 bg-zinc-50 px-1.5 font-mono text-[11px] text-zinc-400 peer-focus:hidden">
              /
            </kbd>
          )}
        </div>
        <div role="tablist" aria-label={t("inbox.list.statusLabel")} className="flex rounded-lg bg-zinc-100 p-0.5">
          {STATUSES.map((s) => (
            <button
              key={s}
              type="button"
              role="tab"
              aria-selected={filters.status === s}
              data-testid={`inbox-status-${s}`}
              onClick={() => onFilters({ status: s })}
              className={cx(
                "flex flex-1 items-center justify-center gap-1 rounded-md px-2 py-1 text-xs font-medium transition-colors",
                filters.status === s ? "bg-white text-zinc-900 shadow-sm" : "text-zinc-500 hover:text-zinc-800",
              )}
            >
              {t(`inbox.status.${s}`)}
              {counts ? <span className="text-zinc-400 tabular-nums">{counts[s]}</span> : null}
            </button>
          ))}
        </div>
        <div className="flex flex-wrap items-center gap-1.5">
          {ASSIGNEES.map((a) => (
            <button
              key={a}
              type="button"
              data-testid={`inbox-assignee-${a}`}
              aria-pressed={filters.assignee === a}
              onClick={() => onFilters({ assignee: a })}
              className={chip(filters.assignee === a)}
            >
              {t(`inbox.list.assignee.${a}`)}
              {counts && a !== "all" ? <span className="ml-1 opacity-60 tabular-nums">{counts[a === "me" ? "mine" : "unassigned"]}</span> : null}
            </button>
          ))}
          <button
            type="button"
            data-testid="inbox-unread"
            aria-pressed={filters.unread}
            onClick={() => onFilters({ unread: !filters.unread })}
            className={chip(filters.unread)}
          >
            {t("inbox.list.unreadOnly")}
            {counts ? <span className="ml-1 opacity-60 tabular-nums">{counts.unread}</span> : null}
          </button>
          <select
            data-testid="inbox-mode"
            value={filters.mode}
            onChange={(e) => onFilters({ mode: e.target.value as ModeFilter })}
            aria-label={t("inbox.list.modeLabel")}
            className="ml-auto h-7 rounded-full border-0 bg-white py-0 pr-7 pl-2.5 text-xs font-medium text-zinc-600 ring-1 ring-zinc-200 ring-inset focus:ring-2 focus:ring-brand-600/30"
          >
            <option value="all">{t("inbox.list.mode.all")}</option>
            <option value="bot">{t("inbox.list.mode.bot")}</option>
            <option value="human">{t("inbox.list.mode.human")}</option>
          </select>
        </div>
      </div>

      <div className="min-h-0 flex-1 overflow-y-auto" data-testid="inbox-list" aria-busy={loading || undefined}>
        {loading ? (
          <div className="flex justify-center py-10 text-zinc-400">
            <Spinner className="size-5" label={t("common.loading")} />
          </div>
        ) : error ? (
          <p className="px-4 py-6 text-center text-sm text-red-700">{error}</p>
        ) : rows.length === 0 ? (
          <div className="px-6 py-12 text-center" data-testid="inbox-empty">
            <p className="text-sm font-medium text-zinc-700">{t("inbox.list.emptyTitle")}</p>
            <p className="mt-1 text-xs text-zinc-500">{t("inbox.list.emptyBody")}</p>
          </div>
        ) : (
          <ul aria-label={t("inbox.list.label")}>
            {rows.map((row) => (
              <Row key={row.contact_id} row={row} selected={row.contact_id === selectedId} onSelect={onSelect} />
            ))}
            {hasMore ? (
              <li ref={sentinel} className="flex justify-center py-3">
                {loadingMore ? (
                  <Spinner className="size-4 text-zinc-400" label={t("common.loading")} />
                ) : (
                  <button type="button" onClick={onLoadMore} className="text-xs font-medium text-brand-700 hover:underline">
                    {t("inbox.list.loadMore")}
                  </button>
                )}
              </li>
            ) : null}
          </ul>
        )}
      </div>
    </div>
  );
});
