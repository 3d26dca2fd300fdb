/** /contacts/:contactId: one contact's details, tags, attributes, opt-out state and timeline. */
import { useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ArrowLeft, MessagesSquare, Trash2 } from "lucide-react";
import type { Contact, ContactUpdateRequest } from "../../api/types";
import { Badge } from "../../components/Badge";
import { Button, buttonClasses } from "../../components/Button";
import { Card, CardHeader } from "../../components/Card";
import { ChipInput } from "../../components/ChipInput";
import { ConfirmDialog } from "../../components/Dialog";
import { Field, Input, Textarea } from "../../components/Field";
import { FormError } from "../../components/FormError";
import { PageSpinner } from "../../components/Spinner";
import { useToast } from "../../components/Toast";
import { useErrorMessage } from "../../lib/errors";
import { cx, formatDateTime } from "../../lib/format";
import { attributesApi, contactKeys, contactsApi, tagsApi } from "./api";
import { AttributesForm } from "./AttributesForm";
import { ContactTimeline } from "./ContactTimeline";
import { useContactFormErrors } from "./formErrors";

export function ContactPage() {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const { contactId = "" } = useParams();
  const contact = useQuery({ queryKey: contactKeys.one(contactId), queryFn: () => contactsApi.get(contactId) });
  if (contact.isPending) return <PageSpinner label={t("common.loading")} />;
  if (contact.isError)
    return (
      <div className="space-y-4">
        <BackLink />
        <FormError message={describe(contact.error)} />
      </div>
    );
  return <ContactView contact={contact.data} />;
}

function BackLink() {
  const { t } = useTranslation();
  return (
    <Link to="/contacts" className="inline-flex items-center gap-1 text-sm text-zinc-500 hover:text-zinc-800" data-testid="contact-back">
      <ArrowLeft className="size-4" aria-hidden />
      {t("contacts.back")}
    </Link>
  );
}

/** PATCHes the contact and puts the answer in the cache; lists and the timeline re-fetch. */
function useUpdateContact(contact: Contact) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ContactUpdateRequest) => contactsApi.update(contact.id, body),
    onSuccess: (saved) => {
      queryClient.setQueryData(contactKeys.one(contact.id), saved);
      void queryClient.invalidateQueries({ queryKey: ["contacts", "list"] });
      void queryClient.invalidateQueries({ queryKey: ["contacts", "count"] });
      void queryClient.invalidateQueries({ queryKey: contactKeys.timeline(contact.id) });
      void queryClient.invalidateQueries({ queryKey: contactKeys.tags });
    },
  });
}

function ContactView({ contact }: { contact: Contact }) {
  const { t } = useTranslation();
  const toast = useToast();
  const describe = useErrorMessage();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [deleting, setDeleting] = useState(false);
  const update = useUpdateContact(contact);
  const definitions = useQuery({ queryKey: contactKeys.attributes, queryFn: attributesApi.list });
  const tags = useQuery({ queryKey: contactKeys.tags, queryFn: tagsApi.list });

  const remove = useMutation({
    mutationFn: () => contactsApi.remove(contact.id),
    onSuccess: () => {
      toast.success(t("contacts.deleted", { name: contact.name || contact.phone }));
      queryClient.removeQueries({ queryKey: contactKeys.one(contact.id) });
      void queryClient.invalidateQueries({ queryKey: contactKeys.all });
      void navigate("/contacts");
    },
    onError: (error) => {
      setDeleting(false);
      toast.error(describe(error));
    },
  });

  const saveTags = (next: string[]) =>
    update.mutate({ tags: next }, { onError: (error) => toast.error(describe(error)) });
  const toggleOptOut = () =>
    update.mutate(
      { opted_out: !contact.opted_out },
      {
        onSuccess: (saved) => toast.success(saved.opted_out ? t("contacts.opt.doneOut") : t("contacts.opt.doneIn")),
        onError: (error) => toast.error(describe(error)),
      },
    );

  return (
    <div className="space-y-6">
      <BackLink />
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <h1 className="flex flex-wrap items-center gap-2 text-xl font-semibold tracking-tight text-zinc-900" data-testid="contact-title">
            {contact.name || contact.phone || t("contacts.unnamed")}
            {contact.opted_out ? <Badge tone="red" dot>{t("contacts.optedOut")}</Badge> : null}
          </h1>
          <p className="mt-1 font-mono text-sm text-zinc-500">{contact.phone}</p>
        </div>
        <div className="flex gap-2">
          <Link to={`/inbox/${encodeURIComponent(contact.id)}`} className={buttonClasses("secondary")} data-testid="contact-open-inbox">
            <MessagesSquare className="size-4" aria-hidden />
            {t("contacts.openInbox")}
          </Link>
          <Button variant="danger" data-testid="contact-delete" icon={<Trash2 className="size-4" aria-hidden />} onClick={() => setDeleting(true)}>
            {t("common.delete")}
          </Button>
        </div>
      </div>

      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_18rem]">
        <div className="space-y-6">
          <DetailsCard contact={contact} />
          <Card>
            <CardHeader title={t("contacts.attributes.title")} description={t("contacts.attributes.description")} />
            <AttributesForm
              definitions={definitions.data?.attributes ?? []}
              stored={contact.attributes}
              saving={update.isPending && update.variables?.attributes !== undefined}
              onSave={(changes) => update.mutateAsync({ attributes: changes }).then(() => toast.success(t("contacts.savedToast")))}
            />
          </Card>
        </div>
        <div className="space-y-6">
          <Card>
            <CardHeader title={t("contacts.fields.tags")} />
            <div className="px-5 py-4">
              <ChipInput
                testId="contact-tags"
                label={t("contacts.tags.add")}
                placeholder={t("contacts.tags.placeholder")}
                values={contact.tags}
                suggestions={(tags.data?.tags ?? []).map((tag) => tag.name)}
                removeLabel={(tag) => t("contacts.tags.remove", { tag })}
                onChange={saveTags}
              />
            </div>
          </Card>
          <Card>
            <CardHeader title={t("contacts.opt.title")} />
            <div className="space-y-3 px-5 py-4">
              <label className="flex items-center justify-between gap-3 text-sm text-zinc-800">
                <span>{t("contacts.opt.receives")}</span>
                <button
                  type="button"
                  role="switch"
                  aria-checked={!contact.opted_out}
                  data-testid="contact-opt-toggle"
                  disabled={update.isPending}
                  onClick={toggleOptOut}
                  className={cx(
                    "relative inline-flex h-6 w-11 shrink-0 items-center rounded-full transition-colors disabled:opacity-60",
                    contact.opted_out ? "bg-zinc-300" : "bg-brand-600",
                  )}
                >
                  <span
                    aria-hidden
                    className={cx(
                      "inline-block size-5 rounded-full bg-white shadow transition-transform",
                      contact.opted_out ? "translate-x-0.5" : "translate-x-5.5",
                    )}
                  />
                </button>
              </label>
              <p className="text-xs text-zinc-500" data-testid="contact-opt-state">
                {contact.opted_out
                  ? t("contacts.opt.outSince", { at: formatDateTime(contact.opted_out_at) })
                  : t("contacts.opt.subscribed")}
              </p>
            </div>
          </Card>
          <Card>
            <dl className="space-y-2 px-5 py-4 text-xs">
              <div className="flex justify-between gap-2"><dt className="text-zinc-500">{t("contacts.table.lastActivity")}</dt><dd className="text-zinc-800">{contact.last_activity_at ? formatDateTime(contact.last_activity_at) : t("contacts.never")}</dd></div>
              <div className="flex justify-between gap-2"><dt className="text-zinc-500">{t("contacts.table.created")}</dt><dd className="text-zinc-800">{formatDateTime(contact.created_at)}</dd></div>
              <div className="flex justify-between gap-2"><dt className="text-zinc-500">{t("contacts.fields.waId")}</dt><dd className="font-mono text-zinc-800">{contact.wa_id ?? "—"}</dd></div>
            </dl>
          </Card>
        </div>
      </div>

      <ContactTimeline contactId={contact.id} />

      <ConfirmDialog
        open={deleting}
        title={t("contacts.deleteTitle")}
        description={t("contacts.deleteBody", { name: contact.name || contact.phone || "" })}
        confirmLabel={t("common.delete")}
        loading={remove.isPending}
        onConfirm={() => remove.mutate()}
        onCancel={() => setDeleting(false)}
      />
    </div>
  );
}

/** Name, phone and notes, saved together; the server's 409/422 shows on the field. */
function DetailsCard({ contact }: { contact: Contact }) {
  const { t } = useTranslation();
  const toast = useToast();
  const errors = useContactFormErrors();
  const update = useUpdateContact(contact);
  const [name, setName] = useState(contact.name ?? "");
  const [phone, setPhone] = useState(contact.phone ?? "");
  const [notes, setNotes] = useState(contact.notes ?? "");
  const dirty = name !== (contact.name ?? "") || phone !== (contact.phone ?? "") || notes !== (contact.notes ?? "");

  const submit = (event: FormEvent) => {
    event.preventDefault();
    errors.reset();
    const body: ContactUpdateRequest = { name: name.trim() || null, notes: notes || null };
    if (phone.trim() !== (contact.phone ?? "")) body.phone = phone.trim();
    update.mutate(body, {
      onSuccess: (saved) => {
        // The server normalises the number (E.164): show what it stored.
        setPhone(saved.phone ?? "");
        toast.success(t("contacts.savedToast"));
      },
      onError: errors.fromError,
    });
  };

  return (
    <Card>
      <CardHeader title={t("contacts.details")} />
      <form onSubmit={submit} noValidate className="space-y-4 px-5 py-4" data-testid="contact-details-form">
        <FormError message={errors.banner} />
        <div className="grid gap-4 sm:grid-cols-2">
          <Field name="name" label={t("contacts.fields.name")} error={errors.fields.name}>
            <Input data-testid="contact-name" value={name} onChange={(e) => { setName(e.target.value); errors.clearField("name"); }} />
          </Field>
          <Field name="phone" label={t("contacts.fields.phone")} error={errors.fields.phone}>
            <Input data-testid="contact-phone" type="tel" value={phone} onChange={(e) => { setPhone(e.target.value); errors.clearField("phone"); }} />
          </Field>
        </div>
        <Field name="notes" label={t("contacts.fields.notes")} error={errors.fields.notes}>
          <Textarea data-testid="contact-notes" rows={3} value={notes} onChange={(e) => { setNotes(e.target.value); errors.clearField("notes"); }} />
        </Field>
        <div className="flex justify-end">
          <Button type="submit" variant="primary" disabled={!dirty} loading={update.isPending} data-testid="contact-save">
            {t("common.save")}
          </Button>
        </div>
      </form>
    </Card>
  );
}
