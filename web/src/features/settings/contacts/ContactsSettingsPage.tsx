/**
 * Settings → Contacts: the default phone country, the opt-out / opt-in keywords, the typed
 * custom attributes and the tags. Everyone reads; owners and admins change the settings and the
 * attribute definitions (the server's rule), and any member may rename, recolor or delete tags.
 */
import { useMemo, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import type { ContactSettings } from "../../../api/types";
import { Button } from "../../../components/Button";
import { Card, CardHeader } from "../../../components/Card";
import { ChipInput } from "../../../components/ChipInput";
import { Field, Select } from "../../../components/Field";
import { FormError } from "../../../components/FormError";
import { Spinner } from "../../../components/Spinner";
import { useToast } from "../../../components/Toast";
import { useErrorMessage } from "../../../lib/errors";
import { canManage, useSession } from "../../auth/session";
import { contactKeys, contactsApi } from "../../contacts/api";
import { useContactFormErrors } from "../../contacts/formErrors";
import { ReadOnlyNotice } from "../SettingsLayout";
import { AttributeDefinitionsCard } from "./AttributeDefinitionsCard";
import { PHONE_REGIONS, regionName } from "./regions";
import { TagsCard } from "./TagsCard";

const sameWord = (a: string, b: string) => a.toLocaleLowerCase() === b.toLocaleLowerCase();

export function ContactsSettingsPage() {
  const { t } = useTranslation();
  const admin = canManage(useSession().role);
  return (
    <div className="space-y-6">
      {admin ? null : <ReadOnlyNotice>{t("contactSettings.readOnly")}</ReadOnlyNotice>}
      <GeneralCard admin={admin} />
      <AttributeDefinitionsCard admin={admin} />
      <TagsCard />
    </div>
  );
}

function GeneralCard({ admin }: { admin: boolean }) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const settings = useQuery({ queryKey: contactKeys.settings, queryFn: contactsApi.settings });
  return (
    <Card>
      <CardHeader title={t("contactSettings.general.title")} description={t("contactSettings.general.description")} />
      {settings.isPending ? (
        <div className="flex justify-center py-8 text-zinc-400"><Spinner label={t("common.loading")} /></div>
      ) : settings.isError ? (
        <div className="p-5"><FormError message={describe(settings.error)} /></div>
      ) : (
        <GeneralForm key={JSON.stringify(settings.data)} saved={settings.data} admin={admin} />
      )}
    </Card>
  );
}

function GeneralForm({ saved, admin }: { saved: ContactSettings; admin: boolean }) {
  const { t, i18n } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const errors = useContactFormErrors();
  const [value, setValue] = useState<ContactSettings>(saved);
  const language = i18n.resolvedLanguage ?? "en";
  const countries = useMemo(
    () =>
      PHONE_REGIONS.map((code) => ({ code, name: regionName(code, language) })).sort((a, b) =>
        a.name.localeCompare(b.name, language),
      ),
    [language],
  );
  const dirty = JSON.stringify(value) !== JSON.stringify(saved);

  const save = useMutation({
    mutationFn: (body: ContactSettings) => contactsApi.saveSettings(body),
    onSuccess: (stored) => {
      queryClient.setQueryData(contactKeys.settings, stored);
      toast.success(t("contactSettings.general.saved"));
    },
    onError: errors.fromError,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    errors.reset();
    save.mutate(value);
  };

  const keywordsField = (key: "opt_out_keywords" | "opt_in_keywords") => (
    <Field
      name={key}
      label={t(`contactSettings.general.${key === "opt_out_keywords" ? "optOut" : "optIn"}`)}
      hint={t(`contactSettings.general.${key === "opt_out_keywords" ? "optOutHint" : "optInHint"}`)}
      error={errors.fields[key]}
    >
      <ChipInput
        testId={`settings-${key === "opt_out_keywords" ? "opt-out" : "opt-in"}-keywords`}
        label={t(`contactSettings.general.${key === "opt_out_keywords" ? "optOut" : "optIn"}`)}
        placeholder={t("contactSettings.general.keywordPlaceholder")}
        values={value[key]}
        same={sameWord}
        disabled={!admin}
        removeLabel={(word) => t("contactSettings.general.removeKeyword", { word })}
        onChange={(next) => {
          setValue({ ...value, [key]: next });
          errors.clearField(key);
        }}
      />
    </Field>
  );

  return (
    <form onSubmit={submit} noValidate className="space-y-5 px-5 py-5" data-testid="contact-settings-form">
      <FormError message={errors.banner} />
      <Field
        name="default_country"
        label={t("contactSettings.general.country")}
        hint={t("contactSettings.general.countryHint")}
        error={errors.fields.default_country}
      >
        <Select
          data-testid="settings-default-country"
          className="max-w-md"
          disabled={!admin}
          value={value.default_country ?? ""}
          onChange={(e) => {
            setValue({ ...value, default_country: e.target.value || null });
            errors.clearField("default_country");
          }}
        >
          <option value="">{t("contactSettings.general.noCountry")}</option>
          {countries.map((c) => (
            <option key={c.code} value={c.code}>
              {c.name} ({c.code})
            </option>
          ))}
        </Select>
      </Field>
      {keywordsField("opt_out_keywords")}
      {keywordsField("opt_in_keywords")}
      {admin ? (
        <div className="flex justify-end gap-2">
          {dirty ? (
            <Button onClick={() => { setValue(saved); errors.reset(); }}>{t("common.cancel")}</Button>
          ) : null}
          <Button type="submit" variant="primary" disabled={!dirty} loading={save.isPending} data-testid="contact-settings-save">
            {t("common.save")}
          </Button>
        </div>
      ) : null}
    </form>
  );
}
