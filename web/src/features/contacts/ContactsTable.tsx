/**
 * The contacts as a virtualised table: only the rows in view (plus a few) are in the DOM, and
 * the next page is asked for as the user scrolls near the end of what is loaded, so a workspace
 * with 100,000 contacts scrolls like one with 50.
 */
import { useEffect, useRef } from "react";
import { Link } from "react-router";
import { useTranslation } from "react-i18next";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { Contact } from "../../api/types";
import { Badge } from "../../components/Badge";
import { Spinner } from "../../components/Spinner";
import { cx, formatDate, formatDateTime } from "../../lib/format";
import { TagChips } from "./TagChip";

export const ROW_HEIGHT = 52;
/** Ask for the next page when the last rendered row is this close to the end of the loaded ones. */
const PREFETCH_ROWS = 15;

export interface Selection {
  /** Every contact the filters match ("select all N matching"), not just the loaded ones. */
  all: boolean;
  ids: ReadonlySet<string>;
}

export const NO_SELECTION: Selection = { all: false, ids: new Set() };

interface Props {
  contacts: Contact[];
  colors: Map<string, string | null>;
  selection: Selection;
  onToggle: (id: string) => void;
  onToggleLoaded: () => void;
  hasNextPage: boolean;
  fetchingNextPage: boolean;
  onLoadMore: () => void;
}

export function ContactsTable({
  contacts,
  colors,
  selection,
  onToggle,
  onToggleLoaded,
  hasNextPage,
  fetchingNextPage,
  onLoadMore,
}: Props) {
  const { t } = useTranslation();
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: contacts.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length > 0 ? items[items.length - 1].index : -1;

  useEffect(() => {
    if (hasNextPage && !fetchingNextPage && lastIndex >= contacts.length - PREFETCH_ROWS) onLoadMore();
  }, [lastIndex, contacts.length, hasNextPage, fetchingNextPage, onLoadMore]);

  const loadedSelected = contacts.length > 0 && contacts.every((c) => selection.all || selection.ids.has(c.id));
  const someSelected = selection.all || selection.ids.size > 0;
  const paddingTop = items.length > 0 ? items[0].start : 0;
  const paddingBottom = items.length > 0 ? virtualizer.getTotalSize() - items[items.length - 1].end : 0;

  return (
    <div
      ref={scroller}
      data-testid="contacts-scroller"
      className="h-[calc(100dvh-22rem)] min-h-[22rem] overflow-auto"
    >
      <table className="w-full min-w-[52rem] table-fixed text-left text-sm" data-testid="contacts-table">
        <colgroup>
          <col className="w-11" />
          <col className="w-[20%]" />
          <col className="w-36" />
          <col />
          <col className="w-24" />
          <col className="w-28" />
          <col className="w-28" />
        </colgroup>
        <thead className="sticky top-0 z-10 border-b border-zinc-100 bg-white text-xs whitespace-nowrap text-zinc-500 shadow-[0_1px_0_var(--color-zinc-100)]">
          <tr>
            <th scope="col" className="px-4 py-2.5">
              <input
                type="checkbox"
                data-testid="contacts-select-loaded"
                aria-label={t("contacts.table.selectLoaded")}
                className="size-4 rounded border-zinc-300 accent-brand-600"
                checked={loadedSelected}
                ref={(el) => {
                  if (el) el.indeterminate = someSelected && !loadedSelected;
                }}
                onChange={onToggleLoaded}
              />
            </th>
            <th scope="col" className="px-3 py-2.5 font-medium">{t("contacts.table.name")}</th>
            <th scope="col" className="px-3 py-2.5 font-medium">{t("contacts.table.phone")}</th>
            <th scope="col" className="px-3 py-2.5 font-medium">{t("contacts.table.tags")}</th>
            <th scope="col" className="px-3 py-2.5 font-medium">{t("contacts.table.status")}</th>
            <th scope="col" className="px-3 py-2.5 font-medium">{t("contacts.table.lastActivity")}</th>
            <th scope="col" className="px-3 py-2.5 font-medium">{t("contacts.table.created")}</th>
          </tr>
        </thead>
        <tbody>
          {paddingTop > 0 ? (
            <tr aria-hidden>
              <td colSpan={7} style={{ height: paddingTop }} />
            </tr>
          ) : null}
          {items.map((item) => {
            const contact = contacts[item.index];
            const selected = selection.all || selection.ids.has(contact.id);
            return (
              <tr
                key={contact.id}
                data-testid="contact-row"
                data-id={contact.id}
                data-index={item.index}
                aria-selected={selected}
                style={{ height: ROW_HEIGHT }}
                className={cx("border-b border-zinc-100", selected ? "bg-brand-50/60" : "hover:bg-zinc-50/70")}
              >
                <td className="px-4">
                  <input
                    type="checkbox"
                    data-testid="contact-select"
                    aria-label={t("contacts.table.select", { name: contact.name || contact.phone || contact.id })}
                    className="size-4 rounded border-zinc-300 accent-brand-600"
                    checked={selected}
                    onChange={() => onToggle(contact.id)}
                  />
                </td>
                <td className="truncate px-3">
                  <Link
                    to={`/contacts/${encodeURIComponent(contact.id)}`}
                    data-testid="contact-row-name"
                    className="font-medium text-zinc-900 hover:text-brand-700 hover:underline"
                  >
                    {contact.name || <span className="text-zinc-400 italic">{t("contacts.unnamed")}</span>}
                  </Link>
                </td>
                <td className="truncate px-3 font-mono text-xs text-zinc-600 tabular-nums" data-testid="contact-row-phone">
                  {contact.phone ?? "—"}
                </td>
                <td className="px-3" data-testid="contact-row-tags">
                  <TagChips tags={contact.tags} colors={colors} />
                </td>
                <td className="px-3">
                  {contact.opted_out ? (
                    <Badge tone="red" dot data-testid="contact-row-opted-out">
                      {t("contacts.optedOut")}
                    </Badge>
                  ) : (
                    <span className="text-xs text-zinc-400">{t("contacts.subscribed")}</span>
                  )}
                </td>
                <td
                  className="truncate px-3 text-xs text-zinc-500"
                  title={contact.last_activity_at ? formatDateTime(contact.last_activity_at) : undefined}
                >
                  {contact.last_activity_at ? formatDate(contact.last_activity_at) : t("contacts.never")}
                </td>
                <td className="truncate px-3 text-xs text-zinc-500" title={formatDateTime(contact.created_at)}>
                  {formatDate(contact.created_at)}
                </td>
              </tr>
            );
          })}
          {paddingBottom > 0 ? (
            <tr aria-hidden>
              <td colSpan={7} style={{ height: paddingBottom }} />
            </tr>
          ) : null}
        </tbody>
      </table>
      {fetchingNextPage ? (
        <div className="flex items-center justify-center gap-2 py-3 text-xs text-zinc-500" data-testid="contacts-loading-more">
          <Spinner className="size-4" />
          {t("contacts.loadingMore")}
        </div>
      ) : null}
    </div>
  );
}
