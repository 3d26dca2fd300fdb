/** The workspace's tags with how many contacts carry each: rename, recolor, delete. */
import { useEffect, useRef, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Check, Pencil, Tags, Trash2, X } from "lucide-react";
import type { ContactTag } from "../../../api/types";
import { Button } from "../../../components/Button";
import { Card, CardHeader } from "../../../components/Card";
import { ConfirmDialog } from "../../../components/Dialog";
import { Input } from "../../../components/Field";
import { FormError } from "../../../components/FormError";
import { Spinner } from "../../../components/Spinner";
import { useToast } from "../../../components/Toast";
import { useErrorMessage } from "../../../lib/errors";
import { contactKeys, tagsApi } from "../../contacts/api";

const DEFAULT_COLOR = "#a1a1aa";

export function TagsCard() {
  const { t } = useTranslation();
  const toast = useToast();
  const describe = useErrorMessage();
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: contactKeys.tags, queryFn: tagsApi.list });
  const [deleting, setDeleting] = useState<ContactTag | null>(null);
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: contactKeys.tags });
    // Contacts show tag names: a rename or delete changes the lists too.
    void queryClient.invalidateQueries({ queryKey: contactKeys.all });
  };

  const remove = useMutation({
    mutationFn: (tag: ContactTag) => tagsApi.remove(tag.id),
    onSuccess: (_data, tag) => {
      setDeleting(null);
      toast.success(t("contactSettings.tags.deleted", { name: tag.name }));
      refresh();
    },
    onError: (error) => {
      setDeleting(null);
      toast.error(describe(error));
    },
  });

  return (
    <Card>
      <CardHeader title={t("contactSettings.tags.title")} description={t("contactSettings.tags.description")} />
      {list.isPending ? (
        <div className="flex justify-center py-8 text-zinc-400"><Spinner label={t("common.loading")} /></div>
      ) : list.isError ? (
        <div className="p-5"><FormError message={describe(list.error)} /></div>
      ) : list.data.tags.length === 0 ? (
        <div className="flex items-center gap-3 px-5 py-6 text-sm text-zinc-500" data-testid="tags-empty">
          <Tags className="size-5 text-zinc-300" aria-hidden />
          {t("contactSettings.tags.empty")}
        </div>
      ) : (
        <ul className="divide-y divide-zinc-100" data-testid="tags-list">
          {list.data.tags.map((tag) => (
            <TagRow key={tag.id} tag={tag} onChanged={refresh} onDelete={() => setDeleting(tag)} />
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={deleting !== null}
        title={t("contactSettings.tags.deleteTitle")}
        description={t("contactSettings.tags.deleteBody", { name: deleting?.name ?? "", count: deleting?.contact_count ?? 0 })}
        confirmLabel={t("common.delete")}
        loading={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
        onCancel={() => setDeleting(null)}
      />
    </Card>
  );
}

function TagRow({ tag, onChanged, onDelete }: { tag: ContactTag; onChanged: () => void; onDelete: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const describe = useErrorMessage();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(tag.name);
  const update = useMutation({
    mutationFn: (body: { name?: string; color?: string | null }) => tagsApi.update(tag.id, body),
    onSuccess: (_saved, body) => {
      setEditing(false);
      if (body.name) toast.success(t("contactSettings.tags.renamed", { name: body.name }));
      onChanged();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate({ name: name.trim() });
  };
  return (
    <li className="flex flex-wrap items-center gap-3 px-5 py-3" data-testid="tag-row" data-name={tag.name}>
      <ColorInput
        value={tag.color ?? DEFAULT_COLOR}
        label={t("contactSettings.tags.colorFor", { name: tag.name })}
        onCommit={(color) => update.mutate({ color })}
      />
      {editing ? (
        <form className="flex flex-1 items-center gap-2" onSubmit={submit} onKeyDown={(e) => { if (e.key === "Escape") setEditing(false); }}>
          <Input
            data-testid="tag-name-input"
            aria-label={t("contactSettings.tags.name")}
            autoFocus
            className="h-8"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <Button size="sm" type="submit" variant="primary" loading={update.isPending} data-testid="tag-name-save" aria-label={t("common.save")} icon={<Check className="size-4" aria-hidden />} />
          <Button size="sm" variant="ghost" onClick={() => setEditing(false)} aria-label={t("common.cancel")} icon={<X className="size-4" aria-hidden />} />
        </form>
      ) : (
        <span className="min-w-0 flex-1 truncate text-sm font-medium text-zinc-900" data-testid="tag-name">{tag.name}</span>
      )}
      <span className="text-xs text-zinc-500 tabular-nums" data-testid="tag-count">
        {t("contactSettings.tags.count", { count: tag.contact_count })}
      </span>
      {!editing ? (
        <div className="flex gap-1">
          <Button size="sm" variant="ghost" data-testid="tag-rename" aria-label={t("contactSettings.tags.renameFor", { name: tag.name })} icon={<Pencil className="size-4" aria-hidden />} onClick={() => { setName(tag.name); setEditing(true); }} />
          <Button size="sm" variant="ghost" className="text-red-700 hover:bg-red-50" data-testid="tag-delete" aria-label={t("contactSettings.tags.deleteFor", { name: tag.name })} icon={<Trash2 className="size-4" aria-hidden />} onClick={onDelete} />
        </div>
      ) : null}
      {update.isError ? <div className="w-full"><FormError message={describe(update.error)} /></div> : null}
    </li>
  );
}

/**
 * A color swatch that saves once the picker is closed: React's onChange fires on every drag of
 * the hue, the native `change` event only when the user has chosen.
 */
function ColorInput({ value, label, onCommit }: { value: string; label: string; onCommit: (color: string) => void }) {
  const ref = useRef<HTMLInputElement>(null);
  const [shown, setShown] = useState(value);
  const commit = useRef(onCommit);
  commit.current = onCommit;
  useEffect(() => setShown(value), [value]);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const onChange = () => commit.current(el.value);
    el.addEventListener("change", onChange);
    return () => el.removeEventListener("change", onChange);
  }, []);
  return (
    <input
      ref={ref}
      type="color"
      data-testid="tag-color"
      aria-label={label}
      className="size-7 shrink-0 cursor-pointer rounded border border-zinc-200 bg-white p-0.5"
      value={shown}
      onChange={(e) => setShown(e.target.value)}
    />
  );
}
