/**
 * Contacts → Import: upload a CSV → map its columns (a select per column, with sample values,
 * pre-filled with the server's suggestion) → a progress bar polling the import → the result,
 * with counts and the error report to download. Nothing is written before "Start import".
 */
import { useEffect, useRef, useState, type ChangeEvent, type DragEvent } from "react";
import { Link } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { CheckCircle2, Download, FileUp, TriangleAlert } from "lucide-react";
import { Button, buttonClasses } from "../../components/Button";
import { Card, CardHeader, PageHeader } from "../../components/Card";
import { Field, Input, Select } from "../../components/Field";
import { FormError } from "../../components/FormError";
import { useErrorMessage } from "../../lib/errors";
import { cx } from "../../lib/format";
import { contactKeys } from "./api";
import { FIELD_TARGETS, importKeys, importsApi, isFinished, type ContactImport, type UploadedImport } from "./importApi";

const POLL_MS = 1000;

export function ImportWizardPage() {
  const { t } = useTranslation();
  const [uploaded, setUploaded] = useState<UploadedImport | null>(null);
  const [startedId, setStartedId] = useState<string | null>(null);
  const reset = () => {
    setUploaded(null);
    setStartedId(null);
  };
  return (
    <div className="space-y-6">
      <PageHeader
        title={t("contactImport.title")}
        description={t("contactImport.subtitle")}
        actions={
          <Link to="/contacts" className={buttonClasses("secondary")}>
            {t("contactImport.backToContacts")}
          </Link>
        }
      />
      {startedId ? (
        <ImportProgress importId={startedId} onAnother={reset} />
      ) : uploaded ? (
        <MappingStep uploaded={uploaded} onStarted={setStartedId} onCancel={reset} />
      ) : (
        <UploadStep onUploaded={setUploaded} />
      )}
    </div>
  );
}

function UploadStep({ onUploaded }: { onUploaded: (value: UploadedImport) => void }) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const upload = useMutation({ mutationFn: importsApi.upload, onSuccess: onUploaded });
  const pick = (file: File | undefined) => {
    if (file) upload.mutate(file);
  };
  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    pick(event.dataTransfer.files[0]);
  };
  return (
    <Card>
      <CardHeader title={t("contactImport.uploadTitle")} description={t("contactImport.uploadHint")} />
      <div className="space-y-4 p-5">
        <div
          data-testid="import-dropzone"
          onDragOver={(event) => {
            event.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
          className={cx(
            "flex flex-col items-center gap-3 rounded-xl border border-dashed px-6 py-10 text-center",
            dragging ? "border-brand-600 bg-brand-50" : "border-zinc-300 bg-zinc-50",
          )}
        >
          <FileUp className="size-8 text-zinc-400" aria-hidden />
          <p className="text-sm text-zinc-600">{t("contactImport.dropHere")}</p>
          <Button variant="primary" loading={upload.isPending} onClick={() => input.current?.click()}>
            {t("contactImport.chooseFile")}
          </Button>
          <input
            ref={input}
            type="file"
            accept=".csv,.txt,text/csv,text/plain"
            className="sr-only"
            data-testid="import-file"
            aria-label={t("contactImport.chooseFile")}
            onChange={(event: ChangeEvent<HTMLInputElement>) => {
              pick(event.target.files?.[0]);
              event.target.value = "";
            }}
          />
        </div>
        {upload.error ? <FormError message={describe(upload.error)} /> : null}
      </div>
    </Card>
  );
}

function MappingStep({
  uploaded,
  onStarted,
  onCancel,
}: {
  uploaded: UploadedImport;
  onStarted: (id: string) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const [mapping, setMapping] = useState<string[]>(uploaded.suggested_mapping);
  const [country, setCountry] = useState("");
  const [tags, setTags] = useState("");
  const [onDuplicate, setOnDuplicate] = useState<"merge" | "skip">("merge");
  const attributes = useQuery({ queryKey: contactKeys.attributes, queryFn: importsApi.attributes });
  const attributeTargets = [
    ...new Set([
      ...(attributes.data?.attributes ?? []).map((a) => `attribute:${a.key}`),
      ...uploaded.suggested_mapping.filter((m) => m.startsWith("attribute:")),
    ]),
  ];
  const start = useMutation({
    mutationFn: () =>
      importsApi.start(uploaded.id, {
        mapping,
        default_country: country.trim() ? country.trim().toUpperCase() : null,
        add_tags: tags
          .split(",")
          .map((tag) => tag.trim())
          .filter(Boolean),
        on_duplicate: onDuplicate,
      }),
    onSuccess: (started) => onStarted(started.id),
  });
  const phoneColumns = mapping.filter((m) => m === "phone").length;
  return (
    <Card>
      <CardHeader
        title={t("contactImport.mappingTitle", { file: uploaded.filename })}
        description={t("contactImport.mappingHint")}
      />
      <div className="overflow-x-auto">
        <table className="min-w-full text-sm" data-testid="import-mapping">
          <thead className="bg-zinc-50 text-left text-xs font-medium text-zinc-500 uppercase">
            <tr>
              <th className="px-5 py-2">{t("contactImport.column")}</th>
              <th className="px-5 py-2">{t("contactImport.samples")}</th>
              <th className="px-5 py-2">{t("contactImport.importAs")}</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100">
            {uploaded.columns.map((column) => (
              <tr key={column.index} data-testid="import-column">
                <td className="px-5 py-2 font-medium text-zinc-900">{column.header || `#${column.index + 1}`}</td>
                <td className="max-w-xs truncate px-5 py-2 text-zinc-500">
                  {column.samples.filter(Boolean).slice(0, 3).join(" · ")}
                </td>
                <td className="px-5 py-2">
                  <Select
                    aria-label={t("contactImport.importAsColumn", { column: column.header })}
                    data-testid={`import-target-${column.index}`}
                    value={mapping[column.index]}
                    onChange={(event) =>
                      setMapping((current) => current.map((m, i) => (i === column.index ? event.target.value : m)))
                    }
                  >
                    {FIELD_TARGETS.map((target) => (
                      <option key={target} value={target}>
                        {t(`contactImport.targets.${target}`)}
                      </option>
                    ))}
                    {attributeTargets.map((target) => (
                      <option key={target} value={target}>
                        {t("contactImport.targets.attribute", { key: target.slice("attribute:".length) })}
                      </option>
                    ))}
                  </Select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="grid gap-4 border-t border-zinc-100 p-5 sm:grid-cols-3">
        <Field name="default_country" label={t("contactImport.defaultCountry")} hint={t("contactImport.defaultCountryHint")}>
          <Input value={country} maxLength={2} onChange={(event) => setCountry(event.target.value)} placeholder="AR" />
        </Field>
        <Field name="add_tags" label={t("contactImport.addTags")} hint={t("contactImport.addTagsHint")}>
          <Input value={tags} onChange={(event) => setTags(event.target.value)} />
        </Field>
        <Field name="on_duplicate" label={t("contactImport.duplicates")}>
          <Select value={onDuplicate} onChange={(event) => setOnDuplicate(event.target.value as "merge" | "skip")}>
            <option value="merge">{t("contactImport.merge")}</option>
            <option value="skip">{t("contactImport.skip")}</option>
          </Select>
        </Field>
      </div>
      <div className="space-y-3 border-t border-zinc-100 p-5">
        {phoneColumns !== 1 ? (
          <p className="text-sm text-amber-700" data-testid="import-phone-warning">
            {t("contactImport.onePhone")}
          </p>
        ) : null}
        {start.error ? <FormError message={describe(start.error)} /> : null}
        <div className="flex gap-2">
          <Button
            variant="primary"
            data-testid="import-start"
            loading={start.isPending}
            disabled={phoneColumns !== 1}
            onClick={() => start.mutate()}
          >
            {t("contactImport.start")}
          </Button>
          <Button onClick={onCancel}>{t("contactImport.chooseAnother")}</Button>
        </div>
      </div>
    </Card>
  );
}

function ImportProgress({ importId, onAnother }: { importId: string; onAnother: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const progress = useQuery({
    queryKey: importKeys.import(importId),
    queryFn: () => importsApi.get(importId),
    refetchInterval: (query) => (isFinished(query.state.data?.status) ? false : POLL_MS),
    staleTime: 0,
  });
  const state = progress.data;
  const done = isFinished(state?.status);
  useEffect(() => {
    // The list shows the imported contacts when the user goes back to it.
    if (done) void queryClient.invalidateQueries({ queryKey: contactKeys.all });
  }, [done, queryClient]);
  const percent = state ? Math.round(state.progress) : 0;
  return (
    <Card data-testid="import-progress">
      <CardHeader
        title={done ? t(`contactImport.status.${state?.status ?? "completed"}`) : t("contactImport.running")}
        description={state?.filename}
      />
      <div className="space-y-4 p-5">
        <div
          role="progressbar"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
          aria-label={t("contactImport.progress")}
          className="h-2.5 overflow-hidden rounded-full bg-zinc-100"
        >
          <div
            className={cx("h-full rounded-full transition-all", state?.status === "failed" ? "bg-red-500" : "bg-brand-600")}
            style={{ width: `${percent}%` }}
          />
        </div>
        <p className="text-sm text-zinc-600" data-testid="import-percent">
          {t("contactImport.percent", { percent, rows: state?.rows_read ?? 0 })}
        </p>
        {state ? <Counts state={state} /> : null}
        {state?.error ? (
          <p className="flex items-center gap-2 text-sm text-red-700" data-testid="import-error">
            <TriangleAlert className="size-4" aria-hidden />
            {state.error}
          </p>
        ) : null}
        {done ? (
          <div className="flex flex-wrap gap-2">
            {state && state.failed > 0 ? (
              <a href={state.errors_url} className={buttonClasses("secondary")} data-testid="import-errors-link" download>
                <Download className="size-4" aria-hidden />
                {t("contactImport.downloadErrors", { count: state.failed })}
              </a>
            ) : null}
            <Link to="/contacts" className={buttonClasses("primary")}>
              <CheckCircle2 className="size-4" aria-hidden />
              {t("contactImport.seeContacts")}
            </Link>
            <Button onClick={onAnother}>{t("contactImport.another")}</Button>
          </div>
        ) : null}
      </div>
    </Card>
  );
}

function Counts({ state }: { state: ContactImport }) {
  const { t } = useTranslation();
  const items = [
    ["created", state.created],
    ["updated", state.updated],
    ["skipped", state.skipped],
    ["failed", state.failed],
  ] as const;
  return (
    <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
      {items.map(([key, value]) => (
        <div key={key} className="rounded-lg border border-zinc-200 px-3 py-2" data-testid={`import-count-${key}`}>
          <dt className="text-xs text-zinc-500">{t(`contactImport.counts.${key}`)}</dt>
          <dd className="text-lg font-semibold text-zinc-900">{value.toLocaleString()}</dd>
        </div>
      ))}
    </dl>
  );
}
