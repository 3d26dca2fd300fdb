import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { AlertTriangle, KeyRound, Lock, Plus } from "lucide-react";
import { apiKeysApi, queryKeys } from "../../../api/endpoints";
import type { ApiKey, CreateApiKeyRequest, CreatedApiKey } from "../../../api/types";
import { Badge } from "../../../components/Badge";
import { Button } from "../../../components/Button";
import { Card, CardHeader } from "../../../components/Card";
import { CopyField } from "../../../components/CopyButton";
import { ConfirmDialog, Dialog } from "../../../components/Dialog";
import { Field, Input } from "../../../components/Field";
import { FormError } from "../../../components/FormError";
import { EmptyState } from "../../../components/EmptyState";
import { PageSpinner } from "../../../components/Spinner";
import { useToast } from "../../../components/Toast";
import { useErrorMessage, useFormErrors } from "../../../lib/errors";
import { formatDate, formatDateTime } from "../../../lib/format";
import { canManage, useSession } from "../../auth/session";

export function ApiKeysSettingsPage() {
  const { t } = useTranslation();
  const session = useSession();
  if (!canManage(session.role)) {
    return (
      <EmptyState icon={Lock} title={t("apiKeys.forbiddenTitle")} description={t("apiKeys.forbiddenBody")} />
    );
  }
  return (
    <div className="space-y-6">
      <CreateKeyForm />
      <KeysTable />
    </div>
  );
}

function CreateKeyForm() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const errors = useFormErrors();
  const [name, setName] = useState("");
  const [created, setCreated] = useState<CreatedApiKey | null>(null);

  const create = useMutation({
    mutationFn: (body: CreateApiKeyRequest) => apiKeysApi.create(body),
    onSuccess: (key) => {
      setCreated(key);
      setName("");
      void queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys });
    },
    onError: errors.fromError,
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    errors.reset();
    create.mutate({ name: name.trim() });
  };

  return (
    <Card>
      <CardHeader title={t("apiKeys.create.title")} description={t("apiKeys.create.description")} />
      <form onSubmit={onSubmit} noValidate className="space-y-4 px-5 py-5">
        <FormError message={errors.message} />
        <div className="grid gap-4 sm:grid-cols-[1fr_auto] sm:items-start">
          <Field name="name" label={t("apiKeys.fields.name")} hint={t("apiKeys.create.nameHint")} error={errors.fields.name}>
            <Input
              data-testid="apikey-name"
              autoComplete="off"
              placeholder={t("apiKeys.create.namePlaceholder")}
              value={name}
              onChange={(e) => {
                setName(e.target.value);
                errors.clearField("name");
              }}
            />
          </Field>
          <Button
            type="submit"
            variant="primary"
            className="sm:mt-6"
            data-testid="apikey-create"
            loading={create.isPending}
            icon={<Plus className="size-4" aria-hidden />}
          >
            {t("apiKeys.create.submit")}
          </Button>
        </div>
      </form>
      <Dialog
        open={created !== null}
        onClose={() => setCreated(null)}
        testId="apikey-dialog"
        title={t("apiKeys.created.title", { name: created?.name ?? "" })}
        description={t("apiKeys.created.description")}
        footer={
          <Button variant="primary" data-testid="apikey-dialog-close" onClick={() => setCreated(null)}>
            {t("apiKeys.created.done")}
          </Button>
        }
      >
        <div className="space-y-3">
          <CopyField
            value={created?.key ?? ""}
            testId="apikey-value"
            copyTestId="copy-apikey"
            label={t("apiKeys.created.copy")}
          />
          <div className="flex items-start gap-2 rounded-lg border border-amber-200 bg-amber-50 px-3 py-2.5 text-xs text-amber-900">
            <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden />
            <span>{t("apiKeys.created.warning")}</span>
          </div>
        </div>
      </Dialog>
    </Card>
  );
}

function KeysTable() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const toast = useToast();
  const describe = useErrorMessage();
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const keys = useQuery({ queryKey: queryKeys.apiKeys, queryFn: apiKeysApi.list });

  const revoke = useMutation({
    mutationFn: (id: string) => apiKeysApi.revoke(id),
    onSuccess: () => {
      setRevoking(null);
      toast.success(t("apiKeys.toast.revoked"));
      void queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys });
    },
    onError: (error) => {
      setRevoking(null);
      toast.error(describe(error));
    },
  });

  return (
    <Card>
      <CardHeader title={t("apiKeys.title")} description={t("apiKeys.description")} />
      {keys.isPending ? (
        <PageSpinner label={t("common.loading")} />
      ) : keys.isError ? (
        <div className="p-5">
          <FormError message={describe(keys.error)} />
        </div>
      ) : keys.data.length === 0 ? (
        <div className="p-5">
          <EmptyState
            icon={KeyRound}
            title={t("apiKeys.emptyTitle")}
            description={t("apiKeys.emptyBody")}
            className="border-none py-8"
          />
        </div>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm" data-testid="apikeys-table">
            <thead className="border-b border-zinc-100 text-xs text-zinc-500">
              <tr>
                <th scope="col" className="px-5 py-2.5 font-medium">{t("apiKeys.fields.name")}</th>
                <th scope="col" className="px-3 py-2.5 font-medium">{t("apiKeys.columns.key")}</th>
                <th scope="col" className="hidden px-3 py-2.5 font-medium md:table-cell">{t("apiKeys.columns.created")}</th>
                <th scope="col" className="hidden px-3 py-2.5 font-medium md:table-cell">{t("apiKeys.columns.lastUsed")}</th>
                <th scope="col" className="px-3 py-2.5 font-medium">{t("apiKeys.columns.status")}</th>
                <th scope="col" className="px-5 py-2.5 text-right font-medium">
                  <span className="sr-only">{t("common.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100">
              {keys.data.map((key) => (
                <tr key={key.id} data-testid="apikey-row" data-name={key.name}>
                  <td className="px-5 py-3 font-medium text-zinc-900">{key.name}</td>
                  <td className="px-3 py-3">
                    <code className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs text-zinc-700">
                      {key.prefix}…
                    </code>
                  </td>
                  <td className="hidden px-3 py-3 text-zinc-500 md:table-cell">{formatDate(key.createdAt)}</td>
                  <td className="hidden px-3 py-3 text-zinc-500 md:table-cell">
                    {key.lastUsedAt ? formatDateTime(key.lastUsedAt) : t("apiKeys.neverUsed")}
                  </td>
                  <td className="px-3 py-3">
                    {key.revokedAt ? (
                      <Badge tone="zinc" data-testid="apikey-status">{t("apiKeys.status.revoked")}</Badge>
                    ) : (
                      <Badge tone="green" dot data-testid="apikey-status">{t("apiKeys.status.active")}</Badge>
                    )}
                  </td>
                  <td className="px-5 py-3 text-right">
                    {key.revokedAt ? null : (
                      <Button size="sm" variant="danger" data-testid="apikey-revoke" onClick={() => setRevoking(key)}>
                        {t("apiKeys.revoke")}
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={revoking !== null}
        title={t("apiKeys.revokeTitle")}
        description={t("apiKeys.revokeBody", { name: revoking?.name ?? "" })}
        confirmLabel={t("apiKeys.revoke")}
        loading={revoke.isPending}
        onConfirm={() => revoking && revoke.mutate(String(revoking.id))}
        onCancel={() => setRevoking(null)}
      />
    </Card>
  );
}
