/** Settings → Audit log: who changed what in the workspace, newest first (owners and admins). */
import { useState } from "react";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { History, Lock } from "lucide-react";
import { auditApi, queryKeys } from "../../../api/endpoints";
import type { AuditEntry } from "../../../api/types";
import { Badge } from "../../../components/Badge";
import { Button } from "../../../components/Button";
import { Card, CardHeader } from "../../../components/Card";
import { EmptyState } from "../../../components/EmptyState";
import { Input } from "../../../components/Field";
import { PageSpinner } from "../../../components/Spinner";
import { useErrorMessage } from "../../../lib/errors";
import { formatDateTime } from "../../../lib/format";
import { canManage, useSession } from "../../auth/session";

/** A short, readable line for the entry's details (secrets never reach the audit log). */
export function describeDetails(details: Record<string, unknown>): string {
  return Object.entries(details)
    .filter(([, value]) => value !== null && value !== undefined && value !== "")
    .map(([key, value]) => `${key}: ${typeof value === "object" ? JSON.stringify(value) : String(value)}`)
    .join(" · ");
}

export function AuditLogSettingsPage() {
  const { t } = useTranslation();
  const session = useSession();
  const errorMessage = useErrorMessage();
  const [action, setAction] = useState("");
  const filter = action.trim();
  const pages = useInfiniteQuery({
    queryKey: queryKeys.audit(filter),
    queryFn: ({ pageParam }) => auditApi.page(pageParam, filter || undefined),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    enabled: canManage(session.role),
  });
  if (!canManage(session.role)) {
    return <EmptyState icon={Lock} title={t("audit.forbiddenTitle")} description={t("audit.forbiddenBody")} />;
  }
  const entries: AuditEntry[] = pages.data?.pages.flatMap((page) => page.entries) ?? [];
  return (
    <Card>
      <CardHeader title={t("audit.title")} description={t("audit.description")} />
      <div className="border-b border-zinc-100 px-5 py-3">
        <Input
          aria-label={t("audit.filter")}
          data-testid="audit-filter"
          placeholder={t("audit.filterPlaceholder")}
          value={action}
          onChange={(e) => setAction(e.target.value)}
          className="max-w-xs"
        />
      </div>
      {pages.isPending ? (
        <PageSpinner label={t("audit.title")} />
      ) : pages.isError ? (
        <p className="px-5 py-4 text-sm text-red-700">{errorMessage(pages.error)}</p>
      ) : entries.length === 0 ? (
        <EmptyState icon={History} title={t("audit.emptyTitle")} description={t("audit.emptyBody")} />
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm" data-testid="audit-table">
            <thead className="bg-zinc-50 text-xs font-medium uppercase tracking-wide text-zinc-500">
              <tr>
                <th className="px-5 py-2.5">{t("audit.when")}</th>
                <th className="px-5 py-2.5">{t("audit.who")}</th>
                <th className="px-5 py-2.5">{t("audit.action")}</th>
                <th className="px-5 py-2.5">{t("audit.details")}</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100">
              {entries.map((entry) => (
                <tr key={entry.id} data-testid="audit-row">
                  <td className="whitespace-nowrap px-5 py-2.5 text-zinc-500">{formatDateTime(entry.at)}</td>
                  <td className="px-5 py-2.5">
                    {entry.actor.kind === "api_key" ? (
                      <span className="inline-flex items-center gap-1.5">
                        <Badge tone="zinc">{t("audit.apiKey")}</Badge>
                        {entry.actor.name}
                      </span>
                    ) : entry.actor.kind === "user" ? (
                      (entry.actor.name ?? t("audit.deletedUser"))
                    ) : (
                      t("audit.system")
                    )}
                  </td>
                  <td className="px-5 py-2.5 font-mono text-xs text-zinc-800">{entry.action}</td>
                  <td className="max-w-md truncate px-5 py-2.5 text-zinc-600" title={describeDetails(entry.details)}>
                    {[entry.target_type, describeDetails(entry.details)].filter(Boolean).join(" — ")}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {pages.hasNextPage && (
            <div className="px-5 py-3">
              <Button onClick={() => void pages.fetchNextPage()} disabled={pages.isFetchingNextPage}>
                {t("audit.more")}
              </Button>
            </div>
          )}
        </div>
      )}
    </Card>
  );
}
