/**
 * Contacts: a minimal list (search, "load more" by cursor) with the CSV import wizard and the
 * export of what the search selects. The full table (bulk actions, filters, contact page) is
 * still to come.
 */
import { useState } from "react";
import { Link } from "react-router";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Download, Search, Upload, Users } from "lucide-react";
import { Badge } from "../../components/Badge";
import { Button, buttonClasses } from "../../components/Button";
import { Card, PageHeader } from "../../components/Card";
import { EmptyState } from "../../components/EmptyState";
import { Input } from "../../components/Field";
import { FormError } from "../../components/FormError";
import { PageSpinner } from "../../components/Spinner";
import { useErrorMessage } from "../../lib/errors";
import { formatDateTime } from "../../lib/format";
import { contactKeys, contactsApi } from "./api";

const PAGE = 50;

export function ContactsPage() {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const [q, setQ] = useState("");
  const contacts = useInfiniteQuery({
    queryKey: contactKeys.list(q.trim()),
    queryFn: ({ pageParam }) => contactsApi.list({ q, cursor: pageParam, limit: PAGE }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
  });
  const rows = contacts.data?.pages.flatMap((page) => page.contacts) ?? [];
  return (
    <div>
      <PageHeader
        title={t("nav.contacts")}
        description={t("areas.contacts.subtitle")}
        actions={
          <>
            <a href={contactsApi.exportUrl(q)} className={buttonClasses("secondary")} data-testid="contacts-export" download>
              <Download className="size-4" aria-hidden />
              {t("contacts.export")}
            </a>
            <Link to="/contacts/import" className={buttonClasses("primary")} data-testid="contacts-import">
              <Upload className="size-4" aria-hidden />
              {t("contacts.importCsv")}
            </Link>
          </>
        }
      />
      <div className="relative mb-4 max-w-sm">
        <Search className="pointer-events-none absolute top-2.5 left-3 size-4 text-zinc-400" aria-hidden />
        <Input
          className="pl-9"
          value={q}
          onChange={(event) => setQ(event.target.value)}
          placeholder={t("contacts.search")}
          aria-label={t("contacts.search")}
          data-testid="contacts-search"
        />
      </div>
      {contacts.isPending ? (
        <PageSpinner label={t("common.loading")} />
      ) : contacts.error ? (
        <FormError message={describe(contacts.error)} />
      ) : rows.length === 0 ? (
        <EmptyState icon={Users} title={t("areas.contacts.emptyTitle")} description={t("contacts.emptyBody")}>
          <Link to="/contacts/import" className={buttonClasses("primary")}>
            {t("contacts.importCsv")}
          </Link>
        </EmptyState>
      ) : (
        <Card className="overflow-x-auto">
          <table className="min-w-full text-sm">
            <thead className="bg-zinc-50 text-left text-xs font-medium text-zinc-500 uppercase">
              <tr>
                <th className="px-4 py-2">{t("contacts.columns.name")}</th>
                <th className="px-4 py-2">{t("contacts.columns.phone")}</th>
                <th className="px-4 py-2">{t("contacts.columns.tags")}</th>
                <th className="px-4 py-2">{t("contacts.columns.lastActivity")}</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100">
              {rows.map((contact) => (
                <tr key={contact.id} data-testid="contact-row">
                  <td className="px-4 py-2 font-medium text-zinc-900">
                    {contact.name || t("contacts.noName")}
                    {contact.opted_out ? (
                      <Badge tone="red" className="ml-2">
                        {t("contacts.optedOut")}
                      </Badge>
                    ) : null}
                  </td>
                  <td className="px-4 py-2 font-mono text-zinc-700">{contact.phone}</td>
                  <td className="px-4 py-2">
                    <div className="flex flex-wrap gap-1">
                      {contact.tags.map((tag) => (
                        <Badge key={tag} tone="zinc">
                          {tag}
                        </Badge>
                      ))}
                    </div>
                  </td>
                  <td className="px-4 py-2 text-zinc-500">{formatDateTime(contact.last_activity_at) || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {contacts.hasNextPage ? (
            <div className="border-t border-zinc-100 p-3 text-center">
              <Button loading={contacts.isFetchingNextPage} onClick={() => void contacts.fetchNextPage()}>
                {t("contacts.loadMore")}
              </Button>
            </div>
          ) : null}
        </Card>
      )}
    </div>
  );
}
