/**
 * Wizard step 1: who gets the broadcast. Everyone, tags (any or all), a saved segment, picked
 * contacts, or an uploaded CSV list (uploaded at once: the server matches known numbers,
 * creates the others and reports the invalid rows).
 */
import { useRef, useState } from "react";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { FileUp, Search } from "lucide-react";
import { Button } from "../../components/Button";
import { Input, Select } from "../../components/Field";
import { FormError } from "../../components/FormError";
import { useErrorMessage } from "../../lib/errors";
import { cx } from "../../lib/format";
import { useDebounced } from "../../lib/useDebounced";
import { contactKeys, contactsApi, segmentsApi, tagsApi } from "../contacts/api";
import { NO_FILTERS } from "../contacts/filters";
import { broadcastsApi } from "./api";
import { AUDIENCE_KINDS, type AudienceDraft } from "./model";

const SORT = { sort: "name", order: "asc" } as const;

export function AudienceStep({ draft, onChange }: { draft: AudienceDraft; onChange: (next: AudienceDraft) => void }) {
  const { t } = useTranslation();
  return (
    <div className="space-y-4">
      <div className="grid gap-2 sm:grid-cols-5" role="radiogroup" aria-label={t("broadcasts.step.audience")}>
        {AUDIENCE_KINDS.map((kind) => (
          <button
            key={kind}
            type="button"
            role="radio"
            aria-checked={draft.kind === kind}
            data-testid={`audience-kind-${kind}`}
            onClick={() => onChange({ ...draft, kind })}
            className={cx(
              "rounded-lg border px-3 py-2 text-left text-sm",
              draft.kind === kind ? "border-brand-600 bg-brand-50 text-brand-800 ring-1 ring-brand-600" : "border-zinc-200 hover:bg-zinc-50",
            )}
          >
            <span className="block font-medium">{t(`broadcasts.audience.kind.${kind}`)}</span>
            <span className="block text-xs text-zinc-500">{t(`broadcasts.audience.hint.${kind}`)}</span>
          </button>
        ))}
      </div>
      {draft.kind === "tags" ? <TagsChoice draft={draft} onChange={onChange} /> : null}
      {draft.kind === "segment" ? <SegmentChoice draft={draft} onChange={onChange} /> : null}
      {draft.kind === "contacts" ? <ContactsChoice draft={draft} onChange={onChange} /> : null}
      {draft.kind === "csv" ? <CsvChoice draft={draft} onChange={onChange} /> : null}
    </div>
  );
}

type ChoiceProps = { draft: AudienceDraft; onChange: (next: AudienceDraft) => void };

function TagsChoice({ draft, onChange }: ChoiceProps) {
  const { t } = useTranslation();
  // Fresh on every visit: an import or a list upload just now may have added tags.
  const tags = useQuery({ queryKey: contactKeys.tags, queryFn: tagsApi.list, refetchOnMount: "always" });
  const toggle = (name: string) =>
    onChange({ ...draft, tags: draft.tags.includes(name) ? draft.tags.filter((x) => x !== name) : [...draft.tags, name] });
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap gap-2" data-testid="audience-tags">
        {(tags.data?.tags ?? []).map((tag) => (
          <label key={tag.id} className="inline-flex items-center gap-1.5 rounded-full border border-zinc-200 px-2.5 py-1 text-sm">
            <input type="checkbox" checked={draft.tags.includes(tag.name)} onChange={() => toggle(tag.name)} data-testid="audience-tag" data-name={tag.name} />
            {tag.name}
            <span className="text-xs text-zinc-400">{tag.contact_count}</span>
          </label>
        ))}
        {tags.isSuccess && tags.data.tags.length === 0 ? <p className="text-sm text-zinc-500">{t("broadcasts.audience.noTags")}</p> : null}
      </div>
      {draft.tags.length > 1 ? (
        <Select aria-label={t("broadcasts.audience.match")} value={draft.match} onChange={(e) => onChange({ ...draft, match: e.target.value as "any" | "all" })} className="max-w-xs">
          <option value="any">{t("broadcasts.audience.matchAny")}</option>
          <option value="all">{t("broadcasts.audience.matchAll")}</option>
        </Select>
      ) : null}
    </div>
  );
}

function SegmentChoice({ draft, onChange }: ChoiceProps) {
  const { t } = useTranslation();
  const segments = useQuery({ queryKey: contactKeys.segments, queryFn: segmentsApi.list, refetchOnMount: "always" });
  return (
    <Select aria-label={t("broadcasts.audience.kind.segment")} data-testid="audience-segment" value={draft.segmentId} onChange={(e) => onChange({ ...draft, segmentId: e.target.value })} className="max-w-md">
      <option value="">{t("broadcasts.audience.chooseSegment")}</option>
      {(segments.data?.segments ?? []).map((s) => (
        <option key={s.id} value={s.id}>
          {s.name}
        </option>
      ))}
    </Select>
  );
}

function ContactsChoice({ draft, onChange }: ChoiceProps) {
  const { t } = useTranslation();
  const [search, setSearch] = useState("");
  const q = useDebounced(search, 300);
  const filters = { ...NO_FILTERS, q };
  const found = useQuery({
    queryKey: contactKeys.list(filters, SORT),
    queryFn: () => contactsApi.list(filters, SORT),
    placeholderData: keepPreviousData,
  });
  const toggle = (id: string) =>
    onChange({ ...draft, contactIds: draft.contactIds.includes(id) ? draft.contactIds.filter((x) => x !== id) : [...draft.contactIds, id] });
  return (
    <div className="space-y-2">
      <div className="relative max-w-md">
        <Search className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-zinc-400" aria-hidden />
        <Input type="search" className="pl-9" placeholder={t("broadcasts.audience.searchContacts")} value={search} onChange={(e) => setSearch(e.target.value)} data-testid="audience-contact-search" />
      </div>
      <p className="text-xs text-zinc-500">{t("broadcasts.audience.pickedCount", { count: draft.contactIds.length })}</p>
      <ul className="max-h-64 divide-y divide-zinc-100 overflow-y-auto rounded-lg border border-zinc-200">
        {(found.data?.contacts ?? []).map((c) => (
          <li key={c.id}>
            <label className="flex items-center gap-2 px-3 py-2 text-sm hover:bg-zinc-50">
              <input type="checkbox" checked={draft.contactIds.includes(c.id)} onChange={() => toggle(c.id)} data-testid="audience-contact" />
              <span className="font-medium text-zinc-900">{c.name || c.phone}</span>
              <span className="text-xs text-zinc-500">{c.name ? c.phone : null}</span>
              {c.opted_out ? <span className="ml-auto text-xs text-amber-700">{t("broadcasts.audience.optedOut")}</span> : null}
            </label>
          </li>
        ))}
      </ul>
    </div>
  );
}

function CsvChoice({ draft, onChange }: ChoiceProps) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const input = useRef<HTMLInputElement>(null);
  const queryClient = useQueryClient();
  const upload = useMutation({
    mutationFn: broadcastsApi.upload,
    onSuccess: (result) => {
      onChange({ ...draft, upload: result });
      // The list added contacts and a tag.
      void queryClient.invalidateQueries({ queryKey: contactKeys.all });
      void queryClient.invalidateQueries({ queryKey: contactKeys.tags });
    },
  });
  const result = draft.upload;
  return (
    <div className="space-y-3">
      <p className="text-sm text-zinc-600">{t("broadcasts.audience.csvHelp")}</p>
      <input
        ref={input}
        type="file"
        accept=".csv,text/csv,text/plain"
        className="sr-only"
        data-testid="audience-csv-file"
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) upload.mutate(file);
          e.target.value = "";
        }}
      />
      <Button icon={<FileUp className="size-4" aria-hidden />} loading={upload.isPending} onClick={() => input.current?.click()} data-testid="audience-csv-choose">
        {result ? t("broadcasts.audience.csvReplace") : t("broadcasts.audience.csvChoose")}
      </Button>
      {upload.isError ? <FormError message={describe(upload.error)} /> : null}
      {result && !result.file_name ? (
        // A saved draft keeps only the list's id.
        <p className="rounded-lg border border-zinc-200 bg-zinc-50 p-3 text-sm text-zinc-700" data-testid="audience-csv-result">
          {t("broadcasts.audience.csvSaved")}
        </p>
      ) : result ? (
        <div className="rounded-lg border border-zinc-200 bg-zinc-50 p-3 text-sm" data-testid="audience-csv-result">
          <p className="font-medium text-zinc-900">{result.file_name}</p>
          <p className="text-zinc-700">
            {t("broadcasts.audience.csvCounts", { numbers: result.numbers, matched: result.matched, created: result.created, invalid: result.invalid })}
          </p>
          <p className="text-xs text-zinc-500">{t("broadcasts.audience.csvTag", { tag: result.tag })}</p>
          {result.errors.length > 0 ? (
            <div className="mt-2">
              <ul className="space-y-0.5 text-xs text-red-700" data-testid="audience-csv-errors">
                {result.errors.slice(0, 5).map((e) => (
                  <li key={e.row}>{t("broadcasts.audience.csvRow", { row: e.row, phone: e.phone ?? "", reason: e.reason })}</li>
                ))}
              </ul>
              {result.errors_csv ? (
                <a href={result.errors_csv} download className="mt-1 inline-block text-xs font-medium text-brand-700 hover:underline">
                  {t("broadcasts.audience.csvErrorsLink", { count: result.invalid })}
                </a>
              ) : null}
            </div>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
