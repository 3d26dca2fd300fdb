/**
 * Settings → Canned responses: the saved replies agents insert with `/shortcut` in the inbox
 * composer (docs/inbox.md §2). Everyone sees the list; owners and admins add, edit and delete.
 *
 * It shares the composer's query (inboxKeys.canned), so every change shows up there at once.
 */
import { forwardRef, useCallback, useMemo, useState, type FormEvent, type InputHTMLAttributes } from "react";
import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { MessageSquareText, Pencil, Plus, Search, Trash2, X } from "lucide-react";
import { ApiError, isApiError } from "../../../api/client";
import type { CannedResponse, CannedResponseList, CannedResponseRequest } from "../../../api/types";
import { Badge } from "../../../components/Badge";
import { Button } from "../../../components/Button";
import { Card, CardHeader } from "../../../components/Card";
import { ConfirmDialog } from "../../../components/Dialog";
import { EmptyState } from "../../../components/EmptyState";
import { Field, Input, Textarea } from "../../../components/Field";
import { FormError } from "../../../components/FormError";
import { PageSpinner } from "../../../components/Spinner";
import { useToast } from "../../../components/Toast";
import { useErrorMessage, useFormErrors } from "../../../lib/errors";
import { cx } from "../../../lib/format";
import { canManage, useSession } from "../../auth/session";
import { inboxApi, inboxKeys } from "../../inbox/api";
import { ReadOnlyNotice } from "../SettingsLayout";

/** WhatsApp's text body limit, which the server applies to canned responses too. */
export const CANNED_TEXT_MAX = 4096;

/** Characters as the server counts them (code points, so an emoji is one). */
const length = (text: string) => [...text].length;

const byShortcut = (a: CannedResponse, b: CannedResponse) => a.shortcut.localeCompare(b.shortcut);

/** Puts a saved response in the shared cache at once, then re-fetches the list to be sure. */
function storeSaved(queryClient: QueryClient, saved: CannedResponse) {
  queryClient.setQueryData<CannedResponseList>(inboxKeys.canned, (current) =>
    current
      ? { canned_responses: [...current.canned_responses.filter((r) => r.id !== saved.id), saved].sort(byShortcut) }
      : current,
  );
  void queryClient.invalidateQueries({ queryKey: inboxKeys.canned });
}

/** A 409 (shortcut already used) carries no `fields`: show its message on the shortcut field. */
function onShortcutField(error: unknown): unknown {
  if (isApiError(error) && error.status === 409 && Object.keys(error.fields).length === 0 && error.message) {
    return new ApiError(error.status, error.message, { shortcut: error.message });
  }
  return error;
}

/**
 * useFormErrors, plus: a 409 lands on the shortcut field, and the banner only shows an error
 * that no field explains (so it does not pop up when the user starts fixing a field).
 */
function useCannedFormErrors() {
  const errors = useFormErrors();
  const { fromError: setFrom } = errors;
  const [onFields, setOnFields] = useState(false);
  const fromError = useCallback(
    (error: unknown) => {
      const mapped = onShortcutField(error);
      setOnFields(isApiError(mapped) && Object.keys(mapped.fields).length > 0);
      setFrom(mapped);
    },
    [setFrom],
  );
  return { ...errors, fromError, banner: onFields ? null : errors.message };
}

type CannedFormErrors = ReturnType<typeof useCannedFormErrors>;

/** Client-side search over the shortcut (with or without its "/") and the text. */
export function filterCanned(responses: CannedResponse[], query: string): CannedResponse[] {
  const q = query.trim().toLowerCase();
  if (!q) return responses;
  const shortcutQuery = q.replace(/^\//, "");
  return responses.filter(
    (r) => r.shortcut.toLowerCase().includes(shortcutQuery) || r.text.toLowerCase().includes(q),
  );
}

export function CannedResponsesSettingsPage() {
  const { t } = useTranslation();
  const manager = canManage(useSession().role);
  return (
    <div className="space-y-6">
      {manager ? null : <ReadOnlyNotice>{t("canned.readOnly")}</ReadOnlyNotice>}
      {manager ? <CreateCannedForm /> : null}
      <CannedList manager={manager} />
    </div>
  );
}

/** A text input with a fixed "/" in front, in monospace. */
const ShortcutInput = forwardRef<HTMLInputElement, InputHTMLAttributes<HTMLInputElement>>(function ShortcutInput(
  { className, ...rest },
  ref,
) {
  return (
    <div className="relative">
      <span
        aria-hidden
        className="pointer-events-none absolute inset-y-0 left-3 flex items-center font-mono text-sm text-zinc-400"
      >
        /
      </span>
      <Input
        ref={ref}
        autoComplete="off"
        autoCapitalize="none"
        spellCheck={false}
        className={cx("pl-6 font-mono", className)}
        {...rest}
      />
    </div>
  );
});

interface CannedFieldsProps {
  value: CannedResponseRequest;
  onChange: (next: CannedResponseRequest) => void;
  errors: CannedFormErrors;
  /** Prefix of the inputs' data-testid: "<prefix>-shortcut", "<prefix>-text", "<prefix>-counter". */
  testId: string;
  autoFocus?: boolean;
}

/** Shortcut + text (with a character counter), the server's field errors under each. */
function CannedFields({ value, onChange, errors, testId, autoFocus }: CannedFieldsProps) {
  const { t } = useTranslation();
  const count = length(value.text);
  return (
    <div className="grid gap-4 sm:grid-cols-[14rem_1fr] sm:items-start">
      <Field
        name="shortcut"
        label={t("canned.fields.shortcut")}
        hint={t("canned.create.shortcutHint")}
        error={errors.fields.shortcut}
      >
        <ShortcutInput
          data-testid={`${testId}-shortcut`}
          placeholder={t("canned.create.shortcutPlaceholder")}
          autoFocus={autoFocus}
          value={value.shortcut}
          onChange={(e) => {
            onChange({ ...value, shortcut: e.target.value });
            errors.clearField("shortcut");
          }}
        />
      </Field>
      <Field
        name="text"
        label={t("canned.fields.text")}
        error={errors.fields.text}
        action={
          <span
            data-testid={`${testId}-counter`}
            aria-live="polite"
            className={cx("text-xs tabular-nums", count > CANNED_TEXT_MAX ? "font-medium text-red-600" : "text-zinc-400")}
          >
            {t("canned.counter", { count, max: CANNED_TEXT_MAX })}
          </span>
        }
      >
        <Textarea
          data-testid={`${testId}-text`}
          placeholder={t("canned.create.textPlaceholder")}
          rows={3}
          value={value.text}
          onChange={(e) => {
            onChange({ ...value, text: e.target.value });
            errors.clearField("text");
          }}
        />
      </Field>
    </div>
  );
}

const EMPTY: CannedResponseRequest = { shortcut: "", text: "" };

const toRequest = (value: CannedResponseRequest): CannedResponseRequest => ({
  shortcut: value.shortcut.trim(),
  text: value.text,
});

function CreateCannedForm() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const toast = useToast();
  const errors = useCannedFormErrors();
  const [value, setValue] = useState<CannedResponseRequest>(EMPTY);

  const create = useMutation({
    mutationFn: (body: CannedResponseRequest) => inboxApi.createCannedResponse(body),
    onSuccess: ({ canned_response: saved }) => {
      setValue(EMPTY);
      toast.success(t("canned.toast.created", { shortcut: saved.shortcut }));
      storeSaved(queryClient, saved);
    },
    onError: errors.fromError,
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    errors.reset();
    create.mutate(toRequest(value));
  };

  return (
    <Card>
      <CardHeader title={t("canned.create.title")} description={t("canned.create.description")} />
      <form onSubmit={onSubmit} noValidate className="space-y-4 px-5 py-5" data-testid="canned-create-form">
        <FormError message={errors.banner} />
        <CannedFields value={value} onChange={setValue} errors={errors} testId="canned-new" />
        <div className="flex justify-end">
          <Button
            type="submit"
            variant="primary"
            data-testid="canned-create"
            loading={create.isPending}
            icon={<Plus className="size-4" aria-hidden />}
          >
            {t("canned.create.submit")}
          </Button>
        </div>
      </form>
    </Card>
  );
}

function CannedList({ manager }: { manager: boolean }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const toast = useToast();
  const describe = useErrorMessage();
  const [query, setQuery] = useState("");
  const [editing, setEditing] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<CannedResponse | null>(null);
  const canned = useQuery({ queryKey: inboxKeys.canned, queryFn: inboxApi.cannedResponses });
  const all = canned.data?.canned_responses;
  const shown = useMemo(() => filterCanned(all ?? [], query), [all, query]);

  const remove = useMutation({
    mutationFn: (id: string) => inboxApi.deleteCannedResponse(id),
    onSuccess: (_, id) => {
      setDeleting(null);
      if (editing === id) setEditing(null);
      toast.success(t("canned.toast.deleted"));
      queryClient.setQueryData<CannedResponseList>(inboxKeys.canned, (current) =>
        current ? { canned_responses: current.canned_responses.filter((r) => r.id !== id) } : current,
      );
      void queryClient.invalidateQueries({ queryKey: inboxKeys.canned });
    },
    onError: (error) => {
      setDeleting(null);
      toast.error(describe(error));
      void queryClient.invalidateQueries({ queryKey: inboxKeys.canned });
    },
  });

  return (
    <Card>
      <CardHeader
        title={t("canned.title")}
        description={t("canned.description")}
        actions={all?.length ? <Badge data-testid="canned-count">{t("canned.count", { count: all.length })}</Badge> : null}
      />
      {canned.isPending ? (
        <PageSpinner label={t("common.loading")} />
      ) : canned.isError ? (
        <div className="p-5">
          <FormError message={describe(canned.error)} />
        </div>
      ) : canned.data.canned_responses.length === 0 ? (
        <div className="p-5">
          <EmptyState
            icon={MessageSquareText}
            title={t("canned.emptyTitle")}
            description={manager ? t("canned.emptyBody") : t("canned.emptyBodyReadOnly")}
            className="border-none py-8"
          />
        </div>
      ) : (
        <>
          <div className="border-b border-zinc-100 px-5 py-3">
            <div className="relative max-w-sm">
              <Search
                className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-zinc-400"
                aria-hidden
              />
              <Input
                type="search"
                data-testid="canned-search"
                aria-label={t("canned.searchLabel")}
                placeholder={t("canned.searchPlaceholder")}
                className="pl-9"
                value={query}
                onChange={(e) => setQuery(e.target.value)}
              />
            </div>
          </div>
          {shown.length === 0 ? (
            <div
              className="flex flex-wrap items-center gap-3 px-5 py-6 text-sm text-zinc-500"
              data-testid="canned-no-matches"
            >
              <Search className="size-5 text-zinc-300" aria-hidden />
              <span>{t("canned.noMatches", { query: query.trim() })}</span>
              <Button size="sm" variant="ghost" icon={<X className="size-4" aria-hidden />} onClick={() => setQuery("")}>
                {t("canned.clearSearch")}
              </Button>
            </div>
          ) : (
            <ul className="divide-y divide-zinc-100" data-testid="canned-list">
              {shown.map((response) =>
                editing === response.id ? (
                  <EditRow key={response.id} response={response} onDone={() => setEditing(null)} />
                ) : (
                  <li
                    key={response.id}
                    data-testid="canned-row"
                    data-shortcut={response.shortcut}
                    className="flex flex-col gap-2 px-5 py-3 sm:flex-row sm:items-start sm:gap-4"
                  >
                    <div className="shrink-0 sm:w-44">
                      <code
                        data-testid="canned-shortcut"
                        className="inline-block max-w-full truncate rounded bg-zinc-100 px-1.5 py-0.5 align-top font-mono text-xs font-semibold text-brand-800"
                      >
                        /{response.shortcut}
                      </code>
                    </div>
                    <p
                      data-testid="canned-text"
                      title={response.text}
                      className="line-clamp-3 min-w-0 flex-1 text-sm break-words whitespace-pre-wrap text-zinc-700"
                    >
                      {response.text}
                    </p>
                    {manager ? (
                      <div className="flex shrink-0 gap-1 sm:-my-1">
                        <Button
                          size="sm"
                          variant="ghost"
                          data-testid="canned-edit"
                          aria-label={t("canned.editFor", { shortcut: response.shortcut })}
                          icon={<Pencil className="size-4" aria-hidden />}
                          onClick={() => setEditing(response.id)}
                        >
                          <span className="hidden sm:inline">{t("canned.edit")}</span>
                        </Button>
                        <Button
                          size="sm"
                          variant="ghost"
                          data-testid="canned-delete"
                          aria-label={t("canned.deleteFor", { shortcut: response.shortcut })}
                          className="text-red-700 hover:bg-red-50"
                          icon={<Trash2 className="size-4" aria-hidden />}
                          onClick={() => setDeleting(response)}
                        >
                          <span className="hidden sm:inline">{t("canned.delete")}</span>
                        </Button>
                      </div>
                    ) : null}
                  </li>
                ),
              )}
            </ul>
          )}
        </>
      )}
      <ConfirmDialog
        open={deleting !== null}
        title={t("canned.deleteTitle")}
        description={t("canned.deleteBody", { shortcut: deleting?.shortcut ?? "" })}
        confirmLabel={t("canned.delete")}
        loading={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting.id)}
        onCancel={() => setDeleting(null)}
      />
    </Card>
  );
}

/** A row turned into a form: change the shortcut and the text in place. */
function EditRow({ response, onDone }: { response: CannedResponse; onDone: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const toast = useToast();
  const errors = useCannedFormErrors();
  const [value, setValue] = useState<CannedResponseRequest>({ shortcut: response.shortcut, text: response.text });

  const update = useMutation({
    mutationFn: (body: CannedResponseRequest) => inboxApi.updateCannedResponse(response.id, body),
    onSuccess: ({ canned_response: saved }) => {
      toast.success(t("canned.toast.updated", { shortcut: saved.shortcut }));
      storeSaved(queryClient, saved);
      onDone();
    },
    onError: errors.fromError,
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    errors.reset();
    update.mutate(toRequest(value));
  };

  return (
    <li data-testid="canned-edit-row" data-shortcut={response.shortcut} className="bg-zinc-50/70 px-5 py-4">
      <form
        onSubmit={onSubmit}
        noValidate
        className="space-y-4"
        onKeyDown={(e) => {
          if (e.key === "Escape") onDone();
        }}
      >
        <FormError message={errors.banner} />
        <CannedFields value={value} onChange={setValue} errors={errors} testId="canned-edit" autoFocus />
        <div className="flex justify-end gap-2">
          <Button data-testid="canned-edit-cancel" onClick={onDone}>
            {t("common.cancel")}
          </Button>
          <Button type="submit" variant="primary" data-testid="canned-edit-save" loading={update.isPending}>
            {t("common.save")}
          </Button>
        </div>
      </form>
    </li>
  );
}
