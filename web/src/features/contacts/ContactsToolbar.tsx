/** Search, filters, saved segments and sort of the Contacts page. */
import type { SelectHTMLAttributes } from "react";
import { useTranslation } from "react-i18next";
import { BookmarkPlus, Search, Trash2, X } from "lucide-react";
import type { ContactTag, Segment } from "../../api/types";
import { Button } from "../../components/Button";
import { Input } from "../../components/Field";
import {
  ACTIVE_DAY_CHOICES,
  hasFilters,
  NO_FILTERS,
  SORT_CHOICES,
  withActiveDays,
  type ContactFilters,
  type SortChoice,
} from "./filters";

interface Props {
  search: string;
  onSearch: (value: string) => void;
  filters: ContactFilters;
  onFilters: (next: ContactFilters) => void;
  sort: SortChoice;
  onSort: (next: SortChoice) => void;
  tags: ContactTag[];
  segments: Segment[];
  onSaveSegment: () => void;
  onDeleteSegment: (segment: Segment) => void;
}

/** A compact select for the filter row (the form Select is full-width). */
function FilterSelect(props: SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <select
      {...props}
      className="h-8 max-w-[14rem] rounded-lg border border-zinc-300 bg-white pr-7 pl-2.5 text-xs text-zinc-800 shadow-xs focus:border-brand-600 focus:ring-2 focus:ring-brand-600/30 focus:outline-none"
    />
  );
}

const SORT_LABELS = {
  "updated:desc": "contacts.sort.updatedDesc",
  "created:desc": "contacts.sort.createdDesc",
  "created:asc": "contacts.sort.createdAsc",
  "last_activity:desc": "contacts.sort.lastActivityDesc",
  "name:asc": "contacts.sort.nameAsc",
  "name:desc": "contacts.sort.nameDesc",
} as const satisfies Record<SortChoice, string>;

export function ContactsToolbar({
  search,
  onSearch,
  filters,
  onFilters,
  sort,
  onSort,
  tags,
  segments,
  onSaveSegment,
  onDeleteSegment,
}: Props) {
  const { t } = useTranslation();
  const chosenSegment = segments.find((s) => s.id === filters.segment) ?? null;
  const filtered = hasFilters({ ...filters, q: search });
  return (
    <div className="space-y-3 border-b border-zinc-100 px-4 py-3">
      <div className="flex flex-wrap items-center gap-2">
        <div className="relative min-w-[14rem] flex-1">
          <Search className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-zinc-400" aria-hidden />
          <Input
            type="search"
            data-testid="contacts-search"
            aria-label={t("contacts.search")}
            placeholder={t("contacts.search")}
            className="pl-9"
            value={search}
            onChange={(e) => onSearch(e.target.value)}
          />
        </div>
        <label className="flex items-center gap-2 text-xs text-zinc-500">
          {t("contacts.sort.label")}
          <FilterSelect
            data-testid="contacts-sort"
            value={sort}
            onChange={(e) => onSort(e.target.value as SortChoice)}
          >
            {SORT_CHOICES.map((choice) => (
              <option key={choice} value={choice}>
                {t(SORT_LABELS[choice])}
              </option>
            ))}
          </FilterSelect>
        </label>
        {filtered ? (
          <Button
            size="sm"
            variant="ghost"
            data-testid="contacts-clear-filters"
            icon={<X className="size-4" aria-hidden />}
            onClick={() => {
              onSearch("");
              onFilters(NO_FILTERS);
            }}
          >
            {t("contacts.filters.clear")}
          </Button>
        ) : null}
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <FilterSelect
          data-testid="contacts-filter-tag"
          aria-label={t("contacts.filters.tag")}
          value={filters.tag}
          onChange={(e) => onFilters({ ...filters, tag: e.target.value })}
        >
          <option value="">{t("contacts.filters.anyTag")}</option>
          {tags.map((tag) => (
            <option key={tag.id} value={tag.name}>
              {tag.name} ({tag.contact_count})
            </option>
          ))}
        </FilterSelect>
        <FilterSelect
          data-testid="contacts-filter-opted-out"
          aria-label={t("contacts.filters.optedOut")}
          value={filters.optedOut}
          onChange={(e) => onFilters({ ...filters, optedOut: e.target.value as ContactFilters["optedOut"] })}
        >
          <option value="">{t("contacts.filters.anyOptState")}</option>
          <option value="false">{t("contacts.filters.subscribedOnly")}</option>
          <option value="true">{t("contacts.filters.optedOutOnly")}</option>
        </FilterSelect>
        <FilterSelect
          data-testid="contacts-filter-active"
          aria-label={t("contacts.filters.active")}
          value={filters.activeDays ?? ""}
          onChange={(e) => onFilters(withActiveDays(filters, e.target.value ? Number(e.target.value) : null))}
        >
          <option value="">{t("contacts.filters.anyActivity")}</option>
          {ACTIVE_DAY_CHOICES.map((days) => (
            <option key={days} value={days}>
              {t("contacts.filters.activeWithin", { count: days })}
            </option>
          ))}
        </FilterSelect>
        <div className="flex items-center gap-1">
          <FilterSelect
            data-testid="contacts-filter-segment"
            aria-label={t("contacts.filters.segment")}
            value={filters.segment}
            onChange={(e) => onFilters({ ...filters, segment: e.target.value })}
          >
            <option value="">{t("contacts.filters.anySegment")}</option>
            {segments.map((segment) => (
              <option key={segment.id} value={segment.id}>
                {segment.name}
              </option>
            ))}
          </FilterSelect>
          {chosenSegment ? (
            <Button
              size="sm"
              variant="ghost"
              data-testid="segment-delete"
              aria-label={t("contacts.segments.deleteFor", { name: chosenSegment.name })}
              title={t("contacts.segments.deleteFor", { name: chosenSegment.name })}
              className="text-red-700 hover:bg-red-50"
              icon={<Trash2 className="size-4" aria-hidden />}
              onClick={() => onDeleteSegment(chosenSegment)}
            />
          ) : null}
        </div>
        <Button
          size="sm"
          data-testid="segment-save-open"
          disabled={!hasFilters({ ...filters, q: "" })}
          title={t("contacts.segments.saveHint")}
          icon={<BookmarkPlus className="size-4" aria-hidden />}
          onClick={onSaveSegment}
        >
          {t("contacts.segments.save")}
        </Button>
      </div>
    </div>
  );
}
