/**
 * The recipients of a broadcast, paged by the server's cursor ("load more"), filtered by state.
 * A row with an error (failed, or skipped with a reason) opens to show the code and the reason.
 */
import { Fragment, useMemo, useState } from "react";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ChevronDown, ChevronRight, Download } from "lucide-react";
import type { BroadcastRecipient, RecipientState } from "../../api/types";
import { Badge } from "../../components/Badge";
import { Button, buttonClasses } from "../../components/Button";
import { CardHeader } from "../../components/Card";
import { FormError } from "../../components/FormError";
import { Spinner } from "../../components/Spinner";
import { useErrorMessage } from "../../lib/errors";
import { formatDateTime } from "../../lib/format";
import { broadcastKeys, broadcastsApi, recipientsCsvUrl } from "./api";
import { RECIPIENT_STATES, recipientTone } from "./model";

function lastTime(r: BroadcastRecipient): string | null {
  return r.replied_at ?? r.read_at ?? r.delivered_at ?? r.sent_at ?? r.next_attempt_at ?? null;
}

export function RecipientsTable({ broadcastId, pollMs }: { broadcastId: string; pollMs: number | false }) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const [status, setStatus] = useState<RecipientState | "">("");
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const list = useInfiniteQuery({
    queryKey: broadcastKeys.recipients(broadcastId, status),
    queryFn: ({ pageParam }) => broadcastsApi.recipients(broadcastId, status, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    refetchInterval: pollMs,
  });
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.recipients) ?? [], [list.data]);
  const toggle = (id: string) =>
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <div>
      <CardHeader
        title={t("broadcasts.recipients.title")}
        actions={
          <>
            <select
              aria-label={t("broadcasts.recipients.filter")}
              data-testid="recipients-filter"
              value={status}
              onChange={(e) => setStatus(e.target.value as RecipientState | "")}
              className="h-8 rounded-lg border border-zinc-300 bg-white pr-7 pl-2.5 text-xs text-zinc-800 shadow-xs"
            >
              <option value="">{t("broadcasts.recipients.all")}</option>
              {RECIPIENT_STATES.map((s) => (
                <option key={s} value={s}>
                  {t(`broadcasts.recipient.${s}`)}
                </option>
              ))}
            </select>
            <a href={recipientsCsvUrl(broadcastId)} download data-testid="recipients-export" className={buttonClasses("secondary", "sm")}>
              <Download className="size-4" aria-hidden />
              {t("broadcasts.recipients.export")}
            </a>
          </>
        }
      />
      {list.isPending ? (
        <div className="flex justify-center p-6">
          <Spinner label={t("common.loading")} />
        </div>
      ) : list.isError ? (
        <div className="p-5">
          <FormError message={describe(list.error)} />
        </div>
      ) : rows.length === 0 ? (
        <p className="px-5 py-8 text-center text-sm text-zinc-500" data-testid="recipients-empty">
          {t("broadcasts.recipients.none")}
        </p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm" data-testid="recipients-table">
            <thead className="border-b border-zinc-100 text-left text-xs font-medium text-zinc-500">
              <tr>
                <th className="w-8 px-3 py-2" />
                <th className="px-3 py-2">{t("broadcasts.recipients.contact")}</th>
                <th className="px-3 py-2">{t("broadcasts.col.status")}</th>
                <th className="px-3 py-2">{t("broadcasts.recipients.error")}</th>
                <th className="px-3 py-2 text-right">{t("broadcasts.recipients.attempts")}</th>
                <th className="px-5 py-2">{t("broadcasts.recipients.updated")}</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100">
              {rows.map((r) => {
                const hasReason = Boolean(r.error || r.error_code);
                const expanded = open.has(r.id);
                return (
                  <Fragment key={r.id}>
                    <tr
                      data-testid="recipient-row"
                      data-status={r.status}
                      className={hasReason ? "cursor-pointer hover:bg-zinc-50" : undefined}
                      onClick={hasReason ? () => toggle(r.id) : undefined}
                    >
                      <td className="px-3 py-2 text-zinc-400">
                        {hasReason ? (
                          <button
                            type="button"
                            aria-expanded={expanded}
                            aria-label={t("broadcasts.recipients.showReason")}
                            data-testid="recipient-expand"
                            onClick={(e) => {
                              e.stopPropagation();
                              toggle(r.id);
                            }}
                          >
                            {expanded ? <ChevronDown className="size-4" /> : <ChevronRight className="size-4" />}
                          </button>
                        ) : null}
                      </td>
                      <td className="px-3 py-2">
                        <div className="font-medium text-zinc-900">{r.contact_name || r.contact_phone || r.contact_id}</div>
                        {r.contact_name ? <div className="text-xs text-zinc-500">{r.contact_phone}</div> : null}
                      </td>
                      <td className="px-3 py-2">
                        <Badge tone={recipientTone(r.status)}>{t(`broadcasts.recipient.${r.status}`, r.status)}</Badge>
                      </td>
                      <td className="max-w-xs truncate px-3 py-2 text-xs text-zinc-600">
                        {r.error_code ? <span className="mr-1 font-mono text-red-700">#{r.error_code}</span> : null}
                        {r.error}
                      </td>
                      <td className="px-3 py-2 text-right tabular-nums text-zinc-600">{r.attempts}</td>
                      <td className="px-5 py-2 text-xs text-zinc-500">{formatDateTime(lastTime(r))}</td>
                    </tr>
                    {expanded ? (
                      <tr data-testid="recipient-reason" className="bg-red-50/50">
                        <td />
                        <td colSpan={5} className="px-3 py-3 text-sm text-zinc-800">
                          <p className="font-medium">
                            {r.error_code
                              ? t("broadcasts.recipients.codeLine", { code: r.error_code })
                              : t("broadcasts.recipients.reasonLine")}
                          </p>
                          <p className="mt-1 break-words whitespace-pre-wrap text-zinc-700">{r.error || "—"}</p>
                          {r.next_attempt_at && r.status === "pending" ? (
                            <p className="mt-1 text-xs text-zinc-500">
                              {t("broadcasts.recipients.retryAt", { at: formatDateTime(r.next_attempt_at) })}
                            </p>
                          ) : null}
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
          {list.hasNextPage ? (
            <div className="flex justify-center border-t border-zinc-100 p-3">
              <Button size="sm" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()} data-testid="recipients-more">
                {t("broadcasts.loadMore")}
              </Button>
            </div>
          ) : null}
        </div>
      )}
    </div>
  );
}
