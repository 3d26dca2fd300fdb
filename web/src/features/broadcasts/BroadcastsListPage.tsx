/**
 * /broadcasts: every broadcast of the workspace, newest first, with its status, audience size,
 * progress and dates; running ones update live. Agents see the list; admins also create.
 */
import { useCallback, useMemo } from "react";
import { Link, Navigate, useSearchParams } from "react-router";
import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Megaphone, Plus } from "lucide-react";
import type { Broadcast } from "../../api/types";
import { Badge } from "../../components/Badge";
import { Button, buttonClasses } from "../../components/Button";
import { Card, PageHeader } from "../../components/Card";
import { EmptyState } from "../../components/EmptyState";
import { FormError } from "../../components/FormError";
import { PageSpinner } from "../../components/Spinner";
import { useErrorMessage } from "../../lib/errors";
import { formatDateTime } from "../../lib/format";
import { canManage, useSession } from "../auth/session";
import { broadcastKeys, broadcastsApi } from "./api";
import { isActive, percent, statusTone } from "./model";
import { ProgressBar } from "./ProgressBar";
import { useBroadcastLive } from "./useBroadcastLive";

export function BroadcastsListPage() {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const queryClient = useQueryClient();
  const admin = canManage(useSession().role);
  // Search results (⌘K) link to /broadcasts?id=…
  const [params] = useSearchParams();
  const linked = params.get("id");
  const onChange = useCallback(
    () => void queryClient.invalidateQueries({ queryKey: broadcastKeys.list }),
    [queryClient],
  );
  const live = useBroadcastLive({ onChange });
  const list = useInfiniteQuery({
    queryKey: broadcastKeys.list,
    queryFn: ({ pageParam }) => broadcastsApi.list(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    refetchInterval: (query) =>
      query.state.data?.pages.some((p) => p.broadcasts.some((b) => isActive(b.status))) ? live.pollMs : false,
  });
  const broadcasts = useMemo(() => list.data?.pages.flatMap((p) => p.broadcasts) ?? [], [list.data]);
  if (linked) return <Navigate to={`/broadcasts/${encodeURIComponent(linked)}`} replace />;

  const create = admin ? (
    <Link to="/broadcasts/new" data-testid="broadcasts-new" className={buttonClasses("primary")}>
      <Plus className="size-4" aria-hidden />
      {t("broadcasts.new")}
    </Link>
  ) : null;

  let body;
  if (list.isPending) body = <PageSpinner label={t("common.loading")} />;
  else if (list.isError) body = <FormError message={describe(list.error)} />;
  else if (broadcasts.length === 0)
    body = (
      <EmptyState icon={Megaphone} title={t("broadcasts.emptyTitle")} description={t("broadcasts.emptyBody")}>
        {create}
      </EmptyState>
    );
  else
    body = (
      <Card className="overflow-x-auto">
        <table className="w-full text-sm" data-testid="broadcasts-table">
          <thead className="border-b border-zinc-100 text-left text-xs font-medium text-zinc-500">
            <tr>
              <th className="px-5 py-2.5">{t("broadcasts.col.name")}</th>
              <th className="px-3 py-2.5">{t("broadcasts.col.status")}</th>
              <th className="px-3 py-2.5 text-right">{t("broadcasts.col.audience")}</th>
              <th className="w-48 px-3 py-2.5">{t("broadcasts.col.progress")}</th>
              <th className="px-3 py-2.5">{t("broadcasts.col.when")}</th>
              <th className="px-5 py-2.5 text-right">{t("common.actions")}</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100">
            {broadcasts.map((b) => (
              <Row key={b.id} broadcast={b} />
            ))}
          </tbody>
        </table>
        {list.hasNextPage ? (
          <div className="flex justify-center border-t border-zinc-100 p-3">
            <Button size="sm" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
              {t("broadcasts.loadMore")}
            </Button>
          </div>
        ) : null}
      </Card>
    );

  return (
    <div>
      <PageHeader
        title={t("nav.broadcasts")}
        description={t("areas.broadcasts.subtitle")}
        actions={broadcasts.length > 0 ? create : null}
      />
      {body}
    </div>
  );
}

function Row({ broadcast: b }: { broadcast: Broadcast }) {
  const { t } = useTranslation();
  const audience = b.total_recipients > 0 ? b.total_recipients - b.counts.skipped : null;
  return (
    <tr data-testid="broadcast-row" data-id={b.id} className="hover:bg-zinc-50">
      <td className="max-w-xs truncate px-5 py-3 font-medium text-zinc-900">
        <Link to={`/broadcasts/${b.id}`} className="hover:underline">
          {b.title || t("broadcasts.untitled")}
        </Link>
      </td>
      <td className="px-3 py-3">
        <Badge tone={statusTone(b.status)} dot data-testid="broadcast-status">
          {t(`broadcasts.status.${b.status}`, b.status)}
        </Badge>
      </td>
      <td className="px-3 py-3 text-right tabular-nums text-zinc-700">
        {audience === null ? "—" : audience.toLocaleString()}
        {b.counts.skipped > 0 ? (
          <span className="ml-1 text-xs text-zinc-400">{t("broadcasts.skippedShort", { count: b.counts.skipped })}</span>
        ) : null}
      </td>
      <td className="px-3 py-3">
        {b.status === "draft" ? <span className="text-xs text-zinc-400">—</span> : <ProgressBar value={percent(b.progress)} compact />}
      </td>
      <td className="px-3 py-3 text-xs text-zinc-600">
        {b.scheduled_at && b.status === "scheduled"
          ? t("broadcasts.scheduledFor", { at: formatDateTime(b.scheduled_at) })
          : formatDateTime(b.created_at)}
      </td>
      <td className="px-5 py-3 text-right">
        <Link to={`/broadcasts/${b.id}`} className={buttonClasses("secondary", "sm")} data-testid="broadcast-open">
          {b.status === "draft" ? t("broadcasts.openDraft") : t("broadcasts.open")}
        </Link>
      </td>
    </tr>
  );
}
