import { useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { useTranslation } from "react-i18next";
import { Button } from "../../components/Button";
import { ChipInput } from "../../components/ChipInput";
import { Dialog } from "../../components/Dialog";
import { Field, Input } from "../../components/Field";
import { FormError } from "../../components/FormError";
import { useToast } from "../../components/Toast";
import { contactKeys, contactsApi } from "./api";
import { useContactFormErrors } from "./formErrors";

/** "New contact": name, phone and tags; the server's 409/422 shows next to the field. */
export function NewContactDialog({ open, onClose, tagNames }: { open: boolean; onClose: () => void; tagNames: string[] }) {
  const { t } = useTranslation();
  const toast = useToast();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const errors = useContactFormErrors();
  const [name, setName] = useState("");
  const [phone, setPhone] = useState("");
  const [tags, setTags] = useState<string[]>([]);

  const close = () => {
    setName("");
    setPhone("");
    setTags([]);
    errors.reset();
    onClose();
  };

  const create = useMutation({
    mutationFn: () => contactsApi.create({ phone: phone.trim(), name: name.trim() || null, tags }),
    onSuccess: (contact) => {
      toast.success(t("contacts.create.done", { name: contact.name || contact.phone }));
      void queryClient.invalidateQueries({ queryKey: contactKeys.all });
      void queryClient.invalidateQueries({ queryKey: contactKeys.tags });
      close();
      void navigate(`/contacts/${encodeURIComponent(contact.id)}`);
    },
    onError: errors.fromError,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    errors.reset();
    create.mutate();
  };

  const formId = "new-contact-form";
  return (
    <Dialog
      open={open}
      onClose={close}
      testId="new-contact-dialog"
      title={t("contacts.create.title")}
      description={t("contacts.create.description")}
      footer={
        <>
          <Button onClick={close}>{t("common.cancel")}</Button>
          <Button type="submit" form={formId} variant="primary" loading={create.isPending} data-testid="new-contact-submit">
            {t("contacts.create.submit")}
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={submit} noValidate className="space-y-4">
        <FormError message={errors.banner} />
        <Field name="name" label={t("contacts.fields.name")} error={errors.fields.name}>
          <Input
            data-testid="new-contact-name"
            data-autofocus
            autoComplete="off"
            value={name}
            onChange={(e) => {
              setName(e.target.value);
              errors.clearField("name");
            }}
          />
        </Field>
        <Field name="phone" label={t("contacts.fields.phone")} hint={t("contacts.create.phoneHint")} error={errors.fields.phone}>
          <Input
            data-testid="new-contact-phone"
            type="tel"
            autoComplete="off"
            placeholder="+54 9 11 2233 4455"
            value={phone}
            onChange={(e) => {
              setPhone(e.target.value);
              errors.clearField("phone");
            }}
          />
        </Field>
        <Field name="tags" label={t("contacts.fields.tags")} error={errors.fields.tags}>
          <ChipInput
            testId="new-contact-tags"
            label={t("contacts.fields.tags")}
            placeholder={t("contacts.tags.placeholder")}
            values={tags}
            suggestions={tagNames}
            removeLabel={(tag) => t("contacts.tags.remove", { tag })}
            onChange={(next) => {
              setTags(next);
              errors.clearField("tags");
            }}
          />
        </Field>
      </form>
    </Dialog>
  );
}
