/**
 * /contacts: every contact of the workspace in a virtualised table, with search, filters,
 * saved segments, sort, a live total, and bulk actions on a selection or on all matching.
 */
import { useCallback, useMemo, useState } from "react";
import { Link } from "react-router";
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Download, Plus, Upload, Users } from "lucide-react";
import type { Segment, SegmentRules } from "../../api/types";
import { Button, buttonClasses } from "../../components/Button";
import { Card, PageHeader } from "../../components/Card";
import { ConfirmDialog } from "../../components/Dialog";
import { EmptyState } from "../../components/EmptyState";
import { FormError } from "../../components/FormError";
import { PageSpinner } from "../../components/Spinner";
import { useToast } from "../../components/Toast";
import { useErrorMessage } from "../../lib/errors";
import { useDebounced } from "../../lib/useDebounced";
import { canManage, useSession } from "../auth/session";
import { contactKeys, contactsApi, exportUrl, segmentsApi, tagsApi } from "./api";
import { BulkBar } from "./BulkBar";
import { ContactsTable, NO_SELECTION, type Selection } from "./ContactsTable";
import { ContactsToolbar } from "./ContactsToolbar";
import { hasFilters, NO_FILTERS, parseSort, segmentRules, type ContactFilters, type SortChoice } from "./filters";
import { NewContactDialog } from "./NewContactDialog";
import { SaveSegmentDialog } from "./SaveSegmentDialog";

export const SEARCH_DEBOUNCE_MS = 300;

export function ContactsPage() {
  const { t } = useTranslation();
  const toast = useToast();
  const describe = useErrorMessage();
  const queryClient = useQueryClient();
  const admin = canManage(useSession().role);
  const [search, setSearch] = useState("");
  const q = useDebounced(search, SEARCH_DEBOUNCE_MS);
  const [baseFilters, setBaseFilters] = useState<ContactFilters>(NO_FILTERS);
  const [sortChoice, setSortChoice] = useState<SortChoice>("updated:desc");
  const [selection, setSelection] = useState<Selection>(NO_SELECTION);
  const [creating, setCreating] = useState(false);
  const [savingSegment, setSavingSegment] = useState(false);
  const [deletingSegment, setDeletingSegment] = useState<Segment | null>(null);

  const filters = useMemo(() => ({ ...baseFilters, q }), [baseFilters, q]);
  const sorting = useMemo(() => parseSort(sortChoice), [sortChoice]);

  const tags = useQuery({ queryKey: contactKeys.tags, queryFn: tagsApi.list });
  const segments = useQuery({ queryKey: contactKeys.segments, queryFn: segmentsApi.list });
  const count = useQuery({
    queryKey: contactKeys.count(filters),
    queryFn: () => contactsApi.count(filters),
    placeholderData: keepPreviousData,
  });
  const list = useInfiniteQuery({
    queryKey: contactKeys.list(filters, sorting),
    queryFn: ({ pageParam }) => contactsApi.list(filters, sorting, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    placeholderData: keepPreviousData,
  });

  const contacts = useMemo(() => list.data?.pages.flatMap((p) => p.contacts) ?? [], [list.data]);
  const colors = useMemo(() => new Map((tags.data?.tags ?? []).map((tag) => [tag.name, tag.color])), [tags.data]);
  const total = count.data?.count ?? null;

  // A new filter or sort is a new list: what was selected in the old one no longer applies.
  const changeFilters = (next: ContactFilters) => {
    setBaseFilters(next);
    setSelection(NO_SELECTION);
  };
  const changeSearch = (value: string) => {
    setSearch(value);
    setSelection(NO_SELECTION);
  };

  const toggle = (id: string) =>
    setSelection((current) => {
      // Unticking one row out of "all matching" leaves the other loaded rows selected.
      const ids = new Set(current.all ? contacts.map((c) => c.id) : current.ids);
      if (ids.has(id)) ids.delete(id);
      else ids.add(id);
      return { all: false, ids };
    });
  const toggleLoaded = () =>
    setSelection((current) =>
      current.all || (contacts.length > 0 && contacts.every((c) => current.ids.has(c.id)))
        ? NO_SELECTION
        : { all: false, ids: new Set(contacts.map((c) => c.id)) },
    );

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);

  const deleteSegment = useMutation({
    mutationFn: (segment: Segment) => segmentsApi.remove(segment.id),
    onSuccess: (_data, segment) => {
      toast.success(t("contacts.segments.deleted", { name: segment.name }));
      setDeletingSegment(null);
      changeFilters({ ...baseFilters, segment: "" });
      void queryClient.invalidateQueries({ queryKey: contactKeys.segments });
    },
    onError: (error) => {
      setDeletingSegment(null);
      toast.error(describe(error));
    },
  });

  const chosenSegment = segments.data?.segments.find((s) => s.id === filters.segment);
  const selectedCount = selection.all ? (total ?? 0) : selection.ids.size;
  const allLoadedSelected = !selection.all && contacts.length > 0 && selection.ids.size === contacts.length;
  const filtered = hasFilters(filters);
  const workspaceEmpty = !filtered && list.isSuccess && contacts.length === 0;

  const actions = (
    <>
      <Link to="/contacts/import" data-testid="contacts-import" className={buttonClasses("secondary")}>
        <Upload className="size-4" aria-hidden />
        {t("contacts.import")}
      </Link>
      {workspaceEmpty ? null : (
        <a href={exportUrl(filters)} download data-testid="contacts-export" className={buttonClasses("secondary")}>
          <Download className="size-4" aria-hidden />
          {t("contacts.export")}
        </a>
      )}
      <Button variant="primary" data-testid="contacts-new" icon={<Plus className="size-4" aria-hidden />} onClick={() => setCreating(true)}>
        {t("contacts.new")}
      </Button>
    </>
  );

  let body;
  if (list.isPending) body = <PageSpinner label={t("common.loading")} />;
  else if (list.isError) body = <div className="p-5"><FormError message={describe(list.error)} /></div>;
  else if (contacts.length === 0)
    body = (
      <p className="px-5 py-12 text-center text-sm text-zinc-500" data-testid="contacts-no-matches">
        {t("contacts.noMatches")}
      </p>
    );
  else
    body = (
      <ContactsTable
        contacts={contacts}
        colors={colors}
        selection={selection}
        onToggle={toggle}
        onToggleLoaded={toggleLoaded}
        hasNextPage={hasNextPage}
        fetchingNextPage={isFetchingNextPage}
        onLoadMore={loadMore}
      />
    );

  return (
    <div>
      <PageHeader
        title={t("nav.contacts")}
        description={
          total === null ? t("areas.contacts.subtitle") : (
            <span data-testid="contacts-total">{t(filtered ? "contacts.totalMatching" : "contacts.total", { count: total })}</span>
          )
        }
        actions={actions}
      />
      {workspaceEmpty ? (
        <EmptyState icon={Users} title={t("contacts.emptyTitle")} description={t("contacts.emptyBody")}>
          <Button variant="primary" icon={<Plus className="size-4" aria-hidden />} onClick={() => setCreating(true)}>
            {t("contacts.new")}
          </Button>
          <Link to="/contacts/import" className={buttonClasses("secondary")}>
            <Upload className="size-4" aria-hidden />
            {t("contacts.import")}
          </Link>
        </EmptyState>
      ) : (
        <Card className="overflow-hidden">
          <ContactsToolbar
            search={search}
            onSearch={changeSearch}
            filters={baseFilters}
            onFilters={changeFilters}
            sort={sortChoice}
            onSort={(next) => {
              setSortChoice(next);
              setSelection(NO_SELECTION);
            }}
            tags={tags.data?.tags ?? []}
            segments={segments.data?.segments ?? []}
            onSaveSegment={() => setSavingSegment(true)}
            onDeleteSegment={setDeletingSegment}
          />
          {selection.all || selection.ids.size > 0 ? (
            <BulkBar
              selection={selection}
              count={selectedCount}
              filters={filters}
              tags={tags.data?.tags ?? []}
              canDelete={admin}
              onDone={() => setSelection(NO_SELECTION)}
            />
          ) : null}
          {allLoadedSelected && total !== null && total > contacts.length ? (
            <div className="border-b border-zinc-100 bg-zinc-50 px-4 py-2 text-center text-xs text-zinc-600" data-testid="select-all-banner">
              {t("contacts.bulk.loadedSelected", { count: contacts.length })}{" "}
              <button
                type="button"
                data-testid="select-all-matching"
                className="font-medium text-brand-700 hover:underline"
                onClick={() => setSelection({ all: true, ids: new Set() })}
              >
                {t("contacts.bulk.selectAllMatching", { count: total })}
              </button>
            </div>
          ) : null}
          {body}
        </Card>
      )}
      <NewContactDialog open={creating} onClose={() => setCreating(false)} tagNames={(tags.data?.tags ?? []).map((tag) => tag.name)} />
      {savingSegment ? (
        <SaveSegmentDialog
          rules={segmentRules(filters, chosenSegment?.rules as SegmentRules | undefined)}
          searchLeftOut={Boolean(filters.q.trim())}
          onClose={() => setSavingSegment(false)}
          onSaved={(segment) => {
            setSavingSegment(false);
            // The new segment now stands for the filters it was made of.
            setSearch("");
            changeFilters({ ...NO_FILTERS, segment: segment.id });
          }}
        />
      ) : null}
      <ConfirmDialog
        open={deletingSegment !== null}
        title={t("contacts.segments.deleteTitle")}
        description={t("contacts.segments.deleteBody", { name: deletingSegment?.name ?? "" })}
        confirmLabel={t("common.delete")}
        loading={deleteSegment.isPending}
        onConfirm={() => deletingSegment && deleteSegment.mutate(deletingSegment)}
        onCancel={() => setDeletingSegment(null)}
      />
    </div>
  );
}
