/** A contact's timeline, newest first: messages, flow sessions and opt-out changes. */
import { useInfiniteQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ArrowDownLeft, ArrowUpRight, BellOff, BellRing, History, StickyNote, Workflow, type LucideIcon } from "lucide-react";
import type { TimelineItem } from "../../api/types";
import { Button } from "../../components/Button";
import { Card, CardHeader } from "../../components/Card";
import { FormError } from "../../components/FormError";
import { Spinner } from "../../components/Spinner";
import { useErrorMessage } from "../../lib/errors";
import { cx, formatDateTime } from "../../lib/format";
import { contactKeys, contactsApi } from "./api";

function iconOf(item: TimelineItem): LucideIcon {
  if (item.kind === "flow") return Workflow;
  if (item.kind === "opt") return item.event === "opt_out" ? BellOff : BellRing;
  if (item.event === "inbound") return ArrowDownLeft;
  if (item.event === "note") return StickyNote;
  return ArrowUpRight;
}

/** The event's translation key, or null for one this dashboard does not know yet. */
function eventKey(item: TimelineItem) {
  const known: Record<string, readonly string[]> = {
    message: ["inbound", "outbound", "note"],
    flow: ["started", "completed", "handed_off", "errored", "expired"],
    opt: ["opt_out", "opt_in"],
  };
  return known[item.kind]?.includes(item.event) ? (`contacts.timeline.${item.kind}.${item.event}` as const) : null;
}

function TimelineRow({ item }: { item: TimelineItem }) {
  const { t } = useTranslation();
  const Icon = iconOf(item);
  const key = eventKey(item);
  const title = key ? t(key as "contacts.timeline.message.inbound", { flow: item.flow_name ?? "" }) : item.event;
  const detail =
    item.kind === "opt"
      ? [item.source ? t("contacts.timeline.source", { source: item.source }) : null, item.detail].filter(Boolean).join(" · ")
      : item.kind === "message"
        ? item.text || (item.message_type ? `[${item.message_type}]` : "")
        : item.flow_name ?? "";
  return (
    <li className="flex gap-3 px-5 py-3" data-testid="timeline-item" data-kind={item.kind} data-event={item.event}>
      <span
        className={cx(
          "mt-0.5 flex size-7 shrink-0 items-center justify-center rounded-full ring-1 ring-inset",
          item.kind === "opt"
            ? "bg-amber-50 text-amber-700 ring-amber-600/20"
            : item.kind === "flow"
              ? "bg-sky-50 text-sky-700 ring-sky-600/20"
              : "bg-zinc-50 text-zinc-600 ring-zinc-500/20",
        )}
      >
        <Icon className="size-3.5" aria-hidden />
      </span>
      <div className="min-w-0 flex-1">
        <div className="flex flex-wrap items-baseline justify-between gap-x-3">
          <p className="text-sm font-medium text-zinc-900">{title}</p>
          <time className="text-xs text-zinc-400 tabular-nums" dateTime={item.at}>
            {formatDateTime(item.at)}
          </time>
        </div>
        {detail ? <p className="mt-0.5 line-clamp-3 text-sm break-words whitespace-pre-wrap text-zinc-600" data-testid="timeline-detail">{detail}</p> : null}
        {item.kind === "message" && item.status && item.event === "outbound" ? (
          <p className="mt-0.5 text-xs text-zinc-400">{item.status}</p>
        ) : null}
      </div>
    </li>
  );
}

export function ContactTimeline({ contactId }: { contactId: string }) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const timeline = useInfiniteQuery({
    queryKey: contactKeys.timeline(contactId),
    queryFn: ({ pageParam }) => contactsApi.timeline(contactId, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
  });
  const items = timeline.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Card>
      <CardHeader title={t("contacts.timeline.title")} description={t("contacts.timeline.description")} />
      {timeline.isPending ? (
        <div className="flex justify-center py-8 text-zinc-400"><Spinner label={t("common.loading")} /></div>
      ) : timeline.isError ? (
        <div className="p-5"><FormError message={describe(timeline.error)} /></div>
      ) : items.length === 0 ? (
        <div className="flex items-center gap-3 px-5 py-6 text-sm text-zinc-500" data-testid="timeline-empty">
          <History className="size-5 text-zinc-300" aria-hidden />
          {t("contacts.timeline.empty")}
        </div>
      ) : (
        <>
          <ol className="divide-y divide-zinc-100" data-testid="timeline">
            {items.map((item) => (
              <TimelineRow key={`${item.kind}-${item.id}`} item={item} />
            ))}
          </ol>
          {timeline.hasNextPage ? (
            <div className="border-t border-zinc-100 px-5 py-3 text-center">
              <Button size="sm" data-testid="timeline-more" loading={timeline.isFetchingNextPage} onClick={() => void timeline.fetchNextPage()}>
                {t("contacts.timeline.more")}
              </Button>
            </div>
          ) : null}
        </>
      )}
    </Card>
  );
}
