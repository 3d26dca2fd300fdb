import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import type { Segment, SegmentRules } from "../../api/types";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { Field, Input } from "../../components/Field";
import { FormError } from "../../components/FormError";
import { useToast } from "../../components/Toast";
import { contactKeys, segmentsApi } from "./api";
import { useContactFormErrors } from "./formErrors";

/** "Save as segment": a name for the current filters' rules, with a live count of who matches. */
export function SaveSegmentDialog({
  rules,
  searchLeftOut,
  onClose,
  onSaved,
}: {
  rules: SegmentRules;
  /** The page has search text, which a segment cannot hold: say so. */
  searchLeftOut: boolean;
  onClose: () => void;
  onSaved: (segment: Segment) => void;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const errors = useContactFormErrors();
  const [name, setName] = useState("");
  const preview = useQuery({
    queryKey: ["segments", "preview", rules],
    queryFn: () => segmentsApi.preview(rules),
  });

  const save = useMutation({
    mutationFn: () => segmentsApi.create({ name: name.trim(), rules }),
    onSuccess: (segment) => {
      toast.success(t("contacts.segments.saved", { name: segment.name }));
      void queryClient.invalidateQueries({ queryKey: contactKeys.segments });
      onSaved(segment);
    },
    onError: errors.fromError,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    errors.reset();
    save.mutate();
  };
  const formId = "save-segment-form";
  return (
    <Dialog
      open
      onClose={onClose}
      testId="save-segment-dialog"
      title={t("contacts.segments.saveTitle")}
      description={t("contacts.segments.saveDescription")}
      footer={
        <>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button type="submit" form={formId} variant="primary" loading={save.isPending} data-testid="segment-save">
            {t("contacts.segments.save")}
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={submit} noValidate className="space-y-3">
        <FormError message={errors.banner ?? (errors.fields.rules ? errors.fields.rules : null)} />
        <Field name="name" label={t("contacts.segments.name")} error={errors.fields.name}>
          <Input
            data-testid="segment-name"
            data-autofocus
            autoComplete="off"
            value={name}
            onChange={(e) => {
              setName(e.target.value);
              errors.clearField("name");
            }}
          />
        </Field>
        <p className="text-sm text-zinc-600" data-testid="segment-preview" aria-live="polite">
          {preview.data ? t("contacts.segments.preview", { count: preview.data.count }) : t("common.loading")}
        </p>
        {searchLeftOut ? <p className="text-xs text-amber-700">{t("contacts.segments.searchLeftOut")}</p> : null}
      </form>
    </Dialog>
  );
}
