/**
 * What to do with the selected contacts: tag, untag, opt out or in, delete, export. The body
 * names either the chosen ids or, after "select all N matching", the page's filters, so the
 * server acts on every matching contact, loaded or not.
 */
import { useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { BellOff, BellRing, Download, Tag, TagsIcon, Trash2, X } from "lucide-react";
import type { BulkAction, BulkRequest, ContactTag } from "../../api/types";
import { Button, buttonClasses } from "../../components/Button";
import { ConfirmDialog, Dialog } from "../../components/Dialog";
import { Field, Input } from "../../components/Field";
import { FormError } from "../../components/FormError";
import { useToast } from "../../components/Toast";
import { useErrorMessage } from "../../lib/errors";
import { BULK_MAX_IDS, contactKeys, contactsApi, exportUrl } from "./api";
import type { Selection } from "./ContactsTable";
import { bulkFilter, chunk, type ContactFilters } from "./filters";

/** The request bodies for one action on a selection (ids split by the server's cap). */
export function bulkBodies(
  selection: Selection,
  filters: ContactFilters,
  action: BulkAction,
  tags: string[] = [],
): BulkRequest[] {
  const extra = action === "add_tags" || action === "remove_tags" ? { tags } : {};
  if (selection.all) return [{ action, filter: bulkFilter(filters), ...extra }];
  return chunk([...selection.ids], BULK_MAX_IDS).map((ids) => ({ action, ids, ...extra }));
}

interface Props {
  selection: Selection;
  /** How many contacts the selection stands for (the live total when all are selected). */
  count: number;
  filters: ContactFilters;
  tags: ContactTag[];
  canDelete: boolean;
  onDone: () => void;
}

type TagMode = "add_tags" | "remove_tags";

export function BulkBar({ selection, count, filters, tags, canDelete, onDone }: Props) {
  const { t } = useTranslation();
  const toast = useToast();
  const describe = useErrorMessage();
  const queryClient = useQueryClient();
  const [tagMode, setTagMode] = useState<TagMode | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);

  const run = useMutation({
    mutationFn: async ({ action, tags: names }: { action: BulkAction; tags?: string[] }) => {
      let matched = 0;
      for (const body of bulkBodies(selection, filters, action, names)) matched += (await contactsApi.bulk(body)).matched;
      return matched;
    },
    onSuccess: (matched, { action }) => {
      toast.success(t(`contacts.bulk.done.${action}`, { count: matched }));
      setTagMode(null);
      setConfirmDelete(false);
      onDone();
    },
    onError: (error) => {
      setConfirmDelete(false);
      toast.error(describe(error));
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: contactKeys.all });
      void queryClient.invalidateQueries({ queryKey: contactKeys.tags });
    },
  });

  return (
    <div
      data-testid="bulk-bar"
      className="flex flex-wrap items-center gap-2 border-b border-brand-100 bg-brand-50/70 px-4 py-2"
    >
      <span className="mr-1 text-sm font-medium text-brand-900" data-testid="bulk-count">
        {t("contacts.bulk.selected", { count })}
      </span>
      <Button size="sm" data-testid="bulk-add-tag" icon={<Tag className="size-3.5" aria-hidden />} onClick={() => setTagMode("add_tags")}>
        {t("contacts.bulk.addTag")}
      </Button>
      <Button size="sm" data-testid="bulk-remove-tag" icon={<TagsIcon className="size-3.5" aria-hidden />} onClick={() => setTagMode("remove_tags")}>
        {t("contacts.bulk.removeTag")}
      </Button>
      <Button
        size="sm"
        data-testid="bulk-opt-out"
        loading={run.isPending && run.variables?.action === "opt_out"}
        icon={<BellOff className="size-3.5" aria-hidden />}
        onClick={() => run.mutate({ action: "opt_out" })}
      >
        {t("contacts.bulk.optOut")}
      </Button>
      <Button
        size="sm"
        data-testid="bulk-opt-in"
        loading={run.isPending && run.variables?.action === "opt_in"}
        icon={<BellRing className="size-3.5" aria-hidden />}
        onClick={() => run.mutate({ action: "opt_in" })}
      >
        {t("contacts.bulk.optIn")}
      </Button>
      {selection.all ? (
        <a href={exportUrl(filters)} download data-testid="bulk-export" className={buttonClasses("secondary", "sm")}>
          <Download className="size-3.5" aria-hidden />
          {t("contacts.bulk.export")}
        </a>
      ) : null}
      {canDelete ? (
        <Button
          size="sm"
          variant="danger"
          data-testid="bulk-delete"
          icon={<Trash2 className="size-3.5" aria-hidden />}
          onClick={() => setConfirmDelete(true)}
        >
          {t("contacts.bulk.delete")}
        </Button>
      ) : null}
      <div className="flex-1" />
      <Button size="sm" variant="ghost" data-testid="bulk-clear" icon={<X className="size-3.5" aria-hidden />} onClick={onDone}>
        {t("contacts.bulk.clear")}
      </Button>

      <TagDialog
        key={tagMode ?? "closed"}
        mode={tagMode}
        count={count}
        tags={tags}
        loading={run.isPending}
        error={run.isError && tagMode ? describe(run.error) : null}
        onCancel={() => setTagMode(null)}
        onSubmit={(mode, name) => run.mutate({ action: mode, tags: [name] })}
      />
      <ConfirmDialog
        open={confirmDelete}
        title={t("contacts.bulk.deleteTitle", { count })}
        description={t("contacts.bulk.deleteBody", { count })}
        confirmLabel={t("contacts.bulk.deleteConfirm", { count })}
        loading={run.isPending}
        onConfirm={() => run.mutate({ action: "delete" })}
        onCancel={() => setConfirmDelete(false)}
      />
    </div>
  );
}

function TagDialog({
  mode,
  count,
  tags,
  loading,
  error,
  onCancel,
  onSubmit,
}: {
  mode: TagMode | null;
  count: number;
  tags: ContactTag[];
  loading: boolean;
  error: string | null;
  onCancel: () => void;
  onSubmit: (mode: TagMode, name: string) => void;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState("");
  const [missing, setMissing] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!mode) return;
    if (!name.trim()) {
      setMissing(true);
      return;
    }
    onSubmit(mode, name.trim());
  };
  const close = () => {
    setName("");
    setMissing(false);
    onCancel();
  };
  const formId = "bulk-tag-form";
  return (
    <Dialog
      open={mode !== null}
      onClose={close}
      testId="bulk-tag-dialog"
      title={mode === "remove_tags" ? t("contacts.bulk.removeTagTitle", { count }) : t("contacts.bulk.addTagTitle", { count })}
      footer={
        <>
          <Button onClick={close}>{t("common.cancel")}</Button>
          <Button type="submit" form={formId} variant="primary" loading={loading} data-testid="bulk-tag-submit">
            {mode === "remove_tags" ? t("contacts.bulk.removeTag") : t("contacts.bulk.addTag")}
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={submit} noValidate className="space-y-3">
        <FormError message={error} />
        <Field name="tags" label={t("contacts.fields.tag")} error={missing ? t("contacts.bulk.tagRequired") : undefined}>
          <Input
            data-testid="bulk-tag-name"
            list="bulk-tag-options"
            autoComplete="off"
            data-autofocus
            value={name}
            onChange={(e) => {
              setName(e.target.value);
              setMissing(false);
            }}
          />
        </Field>
        <datalist id="bulk-tag-options">
          {tags.map((tag) => (
            <option key={tag.id} value={tag.name} />
          ))}
        </datalist>
      </form>
    </Dialog>
  );
}
