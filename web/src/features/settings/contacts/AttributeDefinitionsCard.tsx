/** The typed custom attributes of the workspace: list, add (key, label, type), rename, delete. */
import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Check, Pencil, Plus, Trash2, X } from "lucide-react";
import type { AttributeDefinition, AttributeType } from "../../../api/types";
import { Badge } from "../../../components/Badge";
import { Button } from "../../../components/Button";
import { Card, CardHeader } from "../../../components/Card";
import { ConfirmDialog } from "../../../components/Dialog";
import { Field, Input, Select } from "../../../components/Field";
import { FormError } from "../../../components/FormError";
import { Spinner } from "../../../components/Spinner";
import { useToast } from "../../../components/Toast";
import { useErrorMessage } from "../../../lib/errors";
import { attributesApi, contactKeys } from "../../contacts/api";
import { useContactFormErrors } from "../../contacts/formErrors";

const TYPES: AttributeType[] = ["text", "number", "date", "boolean"];

export function AttributeDefinitionsCard({ admin }: { admin: boolean }) {
  const { t } = useTranslation();
  const toast = useToast();
  const describe = useErrorMessage();
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: contactKeys.attributes, queryFn: attributesApi.list });
  const [deleting, setDeleting] = useState<AttributeDefinition | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: contactKeys.attributes });

  const remove = useMutation({
    mutationFn: (definition: AttributeDefinition) => attributesApi.remove(definition.id),
    onSuccess: (_data, definition) => {
      setDeleting(null);
      toast.success(t("contactSettings.attributes.deleted", { label: definition.label }));
      void refresh();
    },
    onError: (error) => {
      setDeleting(null);
      toast.error(describe(error));
    },
  });

  return (
    <Card>
      <CardHeader title={t("contactSettings.attributes.title")} description={t("contactSettings.attributes.description")} />
      {admin ? <CreateAttributeForm onCreated={() => void refresh()} /> : null}
      {list.isPending ? (
        <div className="flex justify-center py-8 text-zinc-400"><Spinner label={t("common.loading")} /></div>
      ) : list.isError ? (
        <div className="p-5"><FormError message={describe(list.error)} /></div>
      ) : list.data.attributes.length === 0 ? (
        <p className="px-5 py-6 text-sm text-zinc-500" data-testid="attributes-empty">{t("contactSettings.attributes.empty")}</p>
      ) : (
        <ul className="divide-y divide-zinc-100" data-testid="attribute-definitions">
          {list.data.attributes.map((definition) => (
            <DefinitionRow key={definition.id} definition={definition} admin={admin} onDelete={() => setDeleting(definition)} />
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={deleting !== null}
        title={t("contactSettings.attributes.deleteTitle")}
        description={t("contactSettings.attributes.deleteBody", { key: deleting?.key ?? "" })}
        confirmLabel={t("common.delete")}
        loading={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
        onCancel={() => setDeleting(null)}
      />
    </Card>
  );
}

function CreateAttributeForm({ onCreated }: { onCreated: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const errors = useContactFormErrors();
  const [key, setKey] = useState("");
  const [label, setLabel] = useState("");
  const [type, setType] = useState<AttributeType>("text");
  const create = useMutation({
    mutationFn: () => attributesApi.create({ key: key.trim(), label: label.trim() || null, type }),
    onSuccess: (definition) => {
      toast.success(t("contactSettings.attributes.created", { label: definition.label }));
      setKey("");
      setLabel("");
      setType("text");
      onCreated();
    },
    onError: errors.fromError,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    errors.reset();
    create.mutate();
  };
  return (
    <form onSubmit={submit} noValidate className="space-y-3 border-b border-zinc-100 px-5 py-4" data-testid="attribute-create-form">
      <FormError message={errors.banner} />
      <div className="grid gap-3 sm:grid-cols-[1fr_1fr_9rem_auto] sm:items-start">
        <Field name="key" label={t("contactSettings.attributes.key")} hint={t("contactSettings.attributes.keyHint")} error={errors.fields.key}>
          <Input data-testid="attribute-new-key" className="font-mono" autoComplete="off" value={key} onChange={(e) => { setKey(e.target.value); errors.clearField("key"); }} />
        </Field>
        <Field name="label" label={t("contactSettings.attributes.label")} error={errors.fields.label}>
          <Input data-testid="attribute-new-label" autoComplete="off" value={label} onChange={(e) => { setLabel(e.target.value); errors.clearField("label"); }} />
        </Field>
        <Field name="type" label={t("contactSettings.attributes.type")} error={errors.fields.type}>
          <Select data-testid="attribute-new-type" value={type} onChange={(e) => setType(e.target.value as AttributeType)}>
            {TYPES.map((option) => (
              <option key={option} value={option}>{t(`contacts.attributes.types.${option}`)}</option>
            ))}
          </Select>
        </Field>
        <Button type="submit" variant="primary" className="sm:mt-6" loading={create.isPending} data-testid="attribute-create" icon={<Plus className="size-4" aria-hidden />}>
          {t("contactSettings.attributes.add")}
        </Button>
      </div>
    </form>
  );
}

function DefinitionRow({ definition, admin, onDelete }: { definition: AttributeDefinition; admin: boolean; onDelete: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const errors = useContactFormErrors();
  const [editing, setEditing] = useState(false);
  const [label, setLabel] = useState(definition.label);
  const rename = useMutation({
    mutationFn: () => attributesApi.update(definition.id, { label: label.trim() }),
    onSuccess: (saved) => {
      setEditing(false);
      toast.success(t("contactSettings.attributes.renamed", { label: saved.label }));
      void queryClient.invalidateQueries({ queryKey: contactKeys.attributes });
    },
    onError: errors.fromError,
  });
  return (
    <li className="flex flex-wrap items-center gap-3 px-5 py-3" data-testid="attribute-definition" data-key={definition.key}>
      <code className="w-40 truncate font-mono text-xs text-zinc-600">{definition.key}</code>
      {editing ? (
        <form
          className="flex flex-1 items-start gap-2"
          onSubmit={(e) => { e.preventDefault(); errors.reset(); rename.mutate(); }}
          onKeyDown={(e) => { if (e.key === "Escape") setEditing(false); }}
        >
          <Field name="label" label={<span className="sr-only">{t("contactSettings.attributes.label")}</span>} error={errors.fields.label ?? errors.banner ?? undefined} className="flex-1">
            <Input data-testid="attribute-label-input" autoFocus className="h-8" value={label} onChange={(e) => setLabel(e.target.value)} />
          </Field>
          <Button size="sm" type="submit" variant="primary" loading={rename.isPending} data-testid="attribute-label-save" aria-label={t("common.save")} icon={<Check className="size-4" aria-hidden />} />
          <Button size="sm" variant="ghost" onClick={() => setEditing(false)} aria-label={t("common.cancel")} icon={<X className="size-4" aria-hidden />} />
        </form>
      ) : (
        <span className="min-w-0 flex-1 truncate text-sm font-medium text-zinc-900" data-testid="attribute-label">{definition.label}</span>
      )}
      <Badge tone="blue" data-testid="attribute-type">{t(`contacts.attributes.types.${definition.type}`)}</Badge>
      {admin && !editing ? (
        <div className="flex gap-1">
          <Button size="sm" variant="ghost" data-testid="attribute-rename" aria-label={t("contactSettings.attributes.renameFor", { key: definition.key })} icon={<Pencil className="size-4" aria-hidden />} onClick={() => { setLabel(definition.label); setEditing(true); }} />
          <Button size="sm" variant="ghost" className="text-red-700 hover:bg-red-50" data-testid="attribute-delete" aria-label={t("contactSettings.attributes.deleteFor", { key: definition.key })} icon={<Trash2 className="size-4" aria-hidden />} onClick={onDelete} />
        </div>
      ) : null}
    </li>
  );
}
