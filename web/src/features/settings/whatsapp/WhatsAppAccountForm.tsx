import { useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { CheckCircle2, PlugZap, Save, Trash2, Wand2, XCircle } from "lucide-react";
import { queryKeys, whatsappApi } from "../../../api/endpoints";
import type { WhatsAppAccount, WhatsAppAccountWrite, WhatsAppTestResult } from "../../../api/types";
import { Button } from "../../../components/Button";
import { Card } from "../../../components/Card";
import { CopyField } from "../../../components/CopyButton";
import { ConfirmDialog } from "../../../components/Dialog";
import { Field, Input } from "../../../components/Field";
import { FormError } from "../../../components/FormError";
import { useToast } from "../../../components/Toast";
import { useErrorMessage, useFormErrors } from "../../../lib/errors";
import { cx, randomToken } from "../../../lib/format";
import { StatusBadge } from "./StatusBadge";

export const DEFAULT_SEND_BUDGET = 80;
export const MIN_SEND_BUDGET = 1;
export const MAX_SEND_BUDGET = 1000;

const SECRET_FIELDS = ["appSecret", "accessToken", "phonePin"] as const;
type SecretField = (typeof SECRET_FIELDS)[number];

export interface FormState {
  name: string;
  phoneNumberId: string;
  businessAccountId: string;
  displayPhoneNumber: string;
  verifyToken: string;
  appSecret: string;
  accessToken: string;
  phonePin: string;
  sendBudgetPerSecond: string;
  sandbox: boolean;
}

function initialState(account: WhatsAppAccount | null): FormState {
  return {
    name: account?.name ?? "",
    phoneNumberId: account?.phoneNumberId ?? "",
    businessAccountId: account?.businessAccountId ?? "",
    displayPhoneNumber: account?.displayPhoneNumber ?? "",
    verifyToken: account ? account.verifyToken : randomToken(),
    // Secrets are write-only: the inputs start empty and show the masked value as placeholder.
    appSecret: "",
    accessToken: "",
    phonePin: "",
    sendBudgetPerSecond: String(account?.sendBudgetPerSecond ?? DEFAULT_SEND_BUDGET),
    sandbox: account?.sandbox ?? false,
  };
}

/**
 * The request body: every plain field, and a secret only when the user typed a new one
 * (an omitted secret keeps the stored value on the server).
 */
export function buildAccountPayload(form: FormState): WhatsAppAccountWrite {
  const body: WhatsAppAccountWrite = {
    name: form.name.trim(),
    phoneNumberId: form.phoneNumberId.trim(),
    businessAccountId: form.businessAccountId.trim(),
    displayPhoneNumber: form.displayPhoneNumber.trim(),
    verifyToken: form.verifyToken.trim(),
    sendBudgetPerSecond: Number(form.sendBudgetPerSecond),
    sandbox: form.sandbox,
  };
  for (const key of SECRET_FIELDS) {
    const value = form[key].trim();
    if (value) body[key] = value;
  }
  return body;
}

interface Props {
  /** null for a new, unsaved account. */
  account: WhatsAppAccount | null;
  readOnly: boolean;
  onCreated: (account: WhatsAppAccount) => void;
  onDeleted: () => void;
  onCancelNew: () => void;
}

export function WhatsAppAccountForm({ account, readOnly, onCreated, onDeleted, onCancelNew }: Props) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const errors = useFormErrors();
  const describe = useErrorMessage();
  const [form, setForm] = useState<FormState>(() => initialState(account));
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [testResult, setTestResult] = useState<WhatsAppTestResult | null>(null);
  const [budgetError, setBudgetError] = useState<string | null>(null);

  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => {
    setForm((current) => ({ ...current, [key]: value }));
    errors.clearField(key);
  };

  const save = useMutation({
    mutationFn: (body: WhatsAppAccountWrite) =>
      account ? whatsappApi.update(account.id, body) : whatsappApi.create(body),
    onSuccess: (saved) => {
      queryClient.setQueryData<WhatsAppAccount[]>(queryKeys.whatsappAccounts, (list) => {
        if (!list) return [saved];
        return list.some((a) => String(a.id) === String(saved.id))
          ? list.map((a) => (String(a.id) === String(saved.id) ? saved : a))
          : [...list, saved];
      });
      void queryClient.invalidateQueries({ queryKey: queryKeys.whatsappAccounts });
      setForm((current) => ({ ...current, appSecret: "", accessToken: "", phonePin: "" }));
      toast.success(account ? t("whatsapp.toast.saved") : t("whatsapp.toast.created"));
      if (!account) onCreated(saved);
    },
    onError: errors.fromError,
  });

  const remove = useMutation({
    mutationFn: () => whatsappApi.remove(account!.id),
    onSuccess: () => {
      setConfirmDelete(false);
      queryClient.setQueryData<WhatsAppAccount[]>(queryKeys.whatsappAccounts, (list) =>
        list?.filter((a) => String(a.id) !== String(account!.id)),
      );
      void queryClient.invalidateQueries({ queryKey: queryKeys.whatsappAccounts });
      toast.success(t("whatsapp.toast.deleted"));
      onDeleted();
    },
    onError: (error) => {
      setConfirmDelete(false);
      toast.error(describe(error));
    },
  });

  const test = useMutation({
    mutationFn: () => whatsappApi.test(account!.id),
    onMutate: () => setTestResult(null),
    onSuccess: (result) => {
      setTestResult(result);
      void queryClient.invalidateQueries({ queryKey: queryKeys.whatsappAccounts });
    },
    onError: (error) =>
      setTestResult({ ok: false, status: account?.status ?? "incomplete", message: describe(error) }),
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (readOnly) return;
    errors.reset();
    const budget = Number(form.sendBudgetPerSecond);
    if (
      form.sendBudgetPerSecond.trim() === "" ||
      !Number.isInteger(budget) ||
      budget < MIN_SEND_BUDGET ||
      budget > MAX_SEND_BUDGET
    ) {
      setBudgetError(t("whatsapp.errors.sendBudget", { min: MIN_SEND_BUDGET, max: MAX_SEND_BUDGET }));
      return;
    }
    save.mutate(buildAccountPayload(form));
  };

  const secretPlaceholder = (key: SecretField) => {
    if (!account) return "";
    const has =
      key === "appSecret" ? account.hasAppSecret : key === "accessToken" ? account.hasAccessToken : account.hasPhonePin;
    return has ? t("whatsapp.secretSaved", { masked: account[key] || "••••••" }) : t("whatsapp.secretNotSet");
  };

  const secretField = (key: SecretField, testId: string, hint?: string) => (
    <Field name={key} label={t(`whatsapp.fields.${key}`)} hint={hint} error={errors.fields[key]}>
      <Input
        type="password"
        autoComplete="new-password"
        spellCheck={false}
        data-testid={testId}
        placeholder={secretPlaceholder(key)}
        value={form[key]}
        onChange={(e) => set(key, e.target.value)}
      />
    </Field>
  );

  return (
    <Card data-testid="wa-account-form">
      <div className="flex flex-wrap items-center justify-between gap-3 border-b border-zinc-100 px-5 py-4">
        <div className="min-w-0">
          <h3 className="truncate text-base font-semibold text-zinc-900">
            {account ? account.name || account.displayPhoneNumber || t("whatsapp.untitled") : t("whatsapp.newTitle")}
          </h3>
          <p className="mt-0.5 text-sm text-zinc-500">
            {account ? t("whatsapp.editDescription") : t("whatsapp.newDescription")}
          </p>
        </div>
        {account ? <StatusBadge status={account.status} testId="wa-status" /> : null}
        {account?.statusDetail && account.status !== "connected" ? (
          <p className="w-full text-xs text-zinc-500" data-testid="wa-status-detail">
            {account.statusDetail}
          </p>
        ) : null}
      </div>

      <form onSubmit={onSubmit} noValidate>
        <fieldset disabled={readOnly} className="space-y-6 px-5 py-5">
          <FormError message={errors.message} />

          <section className="space-y-4">
            <h4 className="text-xs font-semibold tracking-wide text-zinc-500 uppercase">{t("whatsapp.sections.number")}</h4>
            <div className="grid gap-4 sm:grid-cols-2">
              <Field name="name" label={t("whatsapp.fields.name")} hint={t("whatsapp.hints.name")} error={errors.fields.name}>
                <Input data-testid="wa-name" value={form.name} onChange={(e) => set("name", e.target.value)} />
              </Field>
              <Field
                name="displayPhoneNumber"
                label={t("whatsapp.fields.displayPhoneNumber")}
                hint={t("whatsapp.hints.displayPhoneNumber")}
                error={errors.fields.displayPhoneNumber}
              >
                <Input
                  type="tel"
                  data-testid="wa-display-phone"
                  placeholder="+1 555 010 2030"
                  value={form.displayPhoneNumber}
                  onChange={(e) => set("displayPhoneNumber", e.target.value)}
                />
              </Field>
              <Field
                name="phoneNumberId"
                label={t("whatsapp.fields.phoneNumberId")}
                hint={t("whatsapp.hints.phoneNumberId")}
                error={errors.fields.phoneNumberId}
              >
                <Input
                  inputMode="numeric"
                  spellCheck={false}
                  data-testid="wa-phone-number-id"
                  value={form.phoneNumberId}
                  onChange={(e) => set("phoneNumberId", e.target.value)}
                />
              </Field>
              <Field
                name="businessAccountId"
                label={t("whatsapp.fields.businessAccountId")}
                hint={t("whatsapp.hints.businessAccountId")}
                error={errors.fields.businessAccountId}
              >
                <Input
                  inputMode="numeric"
                  spellCheck={false}
                  data-testid="wa-waba-id"
                  value={form.businessAccountId}
                  onChange={(e) => set("businessAccountId", e.target.value)}
                />
              </Field>
            </div>
          </section>

          <section className="space-y-4">
            <h4 className="text-xs font-semibold tracking-wide text-zinc-500 uppercase">
              {t("whatsapp.sections.credentials")}
            </h4>
            <div className="grid gap-4 sm:grid-cols-2">
              {secretField("accessToken", "wa-access-token", t("whatsapp.hints.accessToken"))}
              {secretField("appSecret", "wa-app-secret", t("whatsapp.hints.appSecret"))}
              <Field
                name="verifyToken"
                label={t("whatsapp.fields.verifyToken")}
                hint={t("whatsapp.hints.verifyToken")}
                error={errors.fields.verifyToken}
                action={
                  readOnly ? null : (
                    <button
                      type="button"
                      data-testid="wa-generate-verify-token"
                      onClick={() => set("verifyToken", randomToken())}
                      className="inline-flex items-center gap-1 rounded text-xs font-medium text-brand-700 hover:underline"
                    >
                      <Wand2 className="size-3.5" aria-hidden />
                      {t("whatsapp.generate")}
                    </button>
                  )
                }
              >
                <Input
                  spellCheck={false}
                  autoComplete="off"
                  className="font-mono text-xs"
                  data-testid="wa-verify-token"
                  value={form.verifyToken}
                  onChange={(e) => set("verifyToken", e.target.value)}
                />
              </Field>
              {secretField("phonePin", "wa-phone-pin", t("whatsapp.hints.phonePin"))}
            </div>
          </section>

          <section className="space-y-4">
            <h4 className="text-xs font-semibold tracking-wide text-zinc-500 uppercase">{t("whatsapp.sections.sending")}</h4>
            <div className="grid gap-4 sm:grid-cols-2">
              <Field
                name="sendBudgetPerSecond"
                label={t("whatsapp.fields.sendBudgetPerSecond")}
                hint={t("whatsapp.hints.sendBudgetPerSecond", { min: MIN_SEND_BUDGET, max: MAX_SEND_BUDGET })}
                error={budgetError ?? errors.fields.sendBudgetPerSecond}
              >
                <Input
                  type="number"
                  min={MIN_SEND_BUDGET}
                  max={MAX_SEND_BUDGET}
                  step={1}
                  data-testid="wa-send-budget"
                  value={form.sendBudgetPerSecond}
                  onChange={(e) => {
                    set("sendBudgetPerSecond", e.target.value);
                    setBudgetError(null);
                  }}
                />
              </Field>
              <label className="flex cursor-pointer items-start gap-3 rounded-lg border border-zinc-200 px-3 py-3 sm:self-start">
                <input
                  type="checkbox"
                  role="switch"
                  className="switch mt-0.5"
                  data-testid="wa-sandbox"
                  name="sandbox"
                  checked={form.sandbox}
                  onChange={(e) => set("sandbox", e.target.checked)}
                />
                <span>
                  <span className="block text-sm font-medium text-zinc-800">{t("whatsapp.fields.sandbox")}</span>
                  <span className="mt-0.5 block text-xs text-zinc-500">{t("whatsapp.hints.sandbox")}</span>
                </span>
              </label>
            </div>
          </section>
        </fieldset>

        {readOnly ? null : (
          <div className="flex flex-col-reverse gap-2 border-t border-zinc-100 bg-zinc-50/60 px-5 py-3 sm:flex-row sm:items-center sm:justify-between">
            <div>
              {account ? (
                <Button
                  variant="danger"
                  data-testid="wa-delete"
                  icon={<Trash2 className="size-4" aria-hidden />}
                  onClick={() => setConfirmDelete(true)}
                >
                  {t("common.delete")}
                </Button>
              ) : (
                <Button variant="ghost" onClick={onCancelNew} data-testid="wa-cancel">
                  {t("common.cancel")}
                </Button>
              )}
            </div>
            <div className="flex flex-col-reverse gap-2 sm:flex-row">
              {account ? (
                <Button
                  data-testid="wa-test"
                  loading={test.isPending}
                  icon={<PlugZap className="size-4" aria-hidden />}
                  onClick={() => test.mutate()}
                >
                  {t("whatsapp.test")}
                </Button>
              ) : null}
              <Button
                type="submit"
                variant="primary"
                data-testid="wa-save"
                loading={save.isPending}
                icon={<Save className="size-4" aria-hidden />}
              >
                {account ? t("common.save") : t("whatsapp.create")}
              </Button>
            </div>
          </div>
        )}
      </form>

      {testResult ? (
        <div
          data-testid="wa-test-result"
          data-ok={testResult.ok}
          role="status"
          className={cx(
            "mx-5 mb-5 flex items-start gap-2 rounded-lg border px-3 py-2.5 text-sm",
            testResult.ok ? "border-brand-200 bg-brand-50 text-brand-800" : "border-red-200 bg-red-50 text-red-800",
          )}
        >
          {testResult.ok ? (
            <CheckCircle2 className="mt-0.5 size-4 shrink-0" aria-hidden />
          ) : (
            <XCircle className="mt-0.5 size-4 shrink-0" aria-hidden />
          )}
          <span className="min-w-0 break-words">
            <span className="font-medium">{testResult.ok ? t("whatsapp.testOk") : t("whatsapp.testFailed")}</span>
            {testResult.message ? ` ${testResult.message}` : null}
          </span>
        </div>
      ) : null}

      {account ? (
        <ConnectToMeta webhookUrl={account.webhookUrl} verifyToken={account.verifyToken} />
      ) : (
        <p className="border-t border-zinc-100 px-5 py-4 text-sm text-zinc-500">{t("whatsapp.meta.saveFirst")}</p>
      )}

      <ConfirmDialog
        open={confirmDelete}
        title={t("whatsapp.deleteTitle")}
        description={t("whatsapp.deleteBody", { name: account?.name || account?.displayPhoneNumber || "" })}
        confirmLabel={t("common.delete")}
        loading={remove.isPending}
        onConfirm={() => remove.mutate()}
        onCancel={() => setConfirmDelete(false)}
      />
    </Card>
  );
}

function ConnectToMeta({ webhookUrl, verifyToken }: { webhookUrl: string; verifyToken: string }) {
  const { t } = useTranslation();
  return (
    <section className="border-t border-zinc-100 bg-zinc-50/60 px-5 py-5" aria-labelledby="connect-meta-title">
      <h4 id="connect-meta-title" className="text-sm font-semibold text-zinc-900">
        {t("whatsapp.meta.title")}
      </h4>
      <p className="mt-0.5 text-sm text-zinc-500">{t("whatsapp.meta.description")}</p>
      <div className="mt-4 grid gap-4 lg:grid-cols-2">
        <div className="min-w-0 space-y-1.5">
          <p className="text-xs font-medium text-zinc-600">{t("whatsapp.meta.webhookUrl")}</p>
          <CopyField
            value={webhookUrl}
            testId="webhook-url"
            copyTestId="copy-webhook-url"
            label={t("whatsapp.meta.copyWebhookUrl")}
          />
        </div>
        <div className="min-w-0 space-y-1.5">
          <p className="text-xs font-medium text-zinc-600">{t("whatsapp.fields.verifyToken")}</p>
          <CopyField
            value={verifyToken}
            testId="verify-token-value"
            copyTestId="copy-verify-token"
            label={t("whatsapp.meta.copyVerifyToken")}
          />
        </div>
      </div>
      <ol className="mt-4 space-y-2 text-sm text-zinc-600">
        {(["step1", "step2", "step3"] as const).map((step, index) => (
          <li key={step} className="flex gap-2.5">
            <span className="flex size-5 shrink-0 items-center justify-center rounded-full bg-white text-xs font-semibold text-zinc-700 ring-1 ring-zinc-200">
              {index + 1}
            </span>
            <span>{t(`whatsapp.meta.${step}`)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
