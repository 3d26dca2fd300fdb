import { useSearchParams } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ChevronRight, Plus, Smartphone } from "lucide-react";
import { queryKeys, whatsappApi } from "../../../api/endpoints";
import { Button } from "../../../components/Button";
import { EmptyState } from "../../../components/EmptyState";
import { FormError } from "../../../components/FormError";
import { PageSpinner } from "../../../components/Spinner";
import { useErrorMessage } from "../../../lib/errors";
import { cx } from "../../../lib/format";
import { canManage, useSession } from "../../auth/session";
import { ReadOnlyNotice } from "../SettingsLayout";
import { StatusBadge } from "./StatusBadge";
import { WhatsAppAccountForm } from "./WhatsAppAccountForm";

const NEW = "new";

export function WhatsAppSettingsPage() {
  const { t } = useTranslation();
  const session = useSession();
  const readOnly = !canManage(session.role);
  const describe = useErrorMessage();
  const [params, setParams] = useSearchParams();
  const accounts = useQuery({ queryKey: queryKeys.whatsappAccounts, queryFn: whatsappApi.list });

  const select = (value: string | null) =>
    setParams(value ? { account: value } : {}, { replace: true });

  if (accounts.isPending) return <PageSpinner label={t("common.loading")} />;
  if (accounts.isError) return <FormError message={describe(accounts.error)} />;

  const list = accounts.data;
  const requested = params.get("account");
  const creating = requested === NEW && !readOnly;
  const selected = creating
    ? null
    : (list.find((a) => String(a.id) === requested) ?? list[0] ?? null);

  return (
    <section>
      <div className="mb-4 flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2 className="text-base font-semibold text-zinc-900">{t("whatsapp.title")}</h2>
          <p className="mt-0.5 text-sm text-zinc-500">{t("whatsapp.description")}</p>
        </div>
        {readOnly ? null : (
          <Button
            variant="primary"
            data-testid="wa-add"
            icon={<Plus className="size-4" aria-hidden />}
            onClick={() => select(NEW)}
            disabled={creating}
          >
            {t("whatsapp.add")}
          </Button>
        )}
      </div>

      {readOnly ? <ReadOnlyNotice>{t("settings.readOnly")}</ReadOnlyNotice> : null}

      {list.length === 0 && !creating ? (
        <EmptyState
          icon={Smartphone}
          title={t("whatsapp.emptyTitle")}
          description={readOnly ? t("whatsapp.emptyBodyReadOnly") : t("whatsapp.emptyBody")}
        />
      ) : null}

      {list.length > 0 ? (
        <ul className="mb-5 grid gap-3 sm:grid-cols-2" aria-label={t("whatsapp.title")}>
          {list.map((account) => {
            const active = !creating && selected && String(selected.id) === String(account.id);
            return (
              <li key={account.id}>
                <button
                  type="button"
                  data-testid="wa-account-card"
                  aria-current={active ? "true" : undefined}
                  onClick={() => select(String(account.id))}
                  className={cx(
                    "flex w-full items-center gap-3 rounded-xl border bg-white px-4 py-3 text-left shadow-xs transition-colors",
                    active ? "border-brand-600 ring-1 ring-brand-600" : "border-zinc-200 hover:border-zinc-300",
                  )}
                >
                  <span className="flex size-9 shrink-0 items-center justify-center rounded-lg bg-zinc-100 text-zinc-600">
                    <Smartphone className="size-4" aria-hidden />
                  </span>
                  <span className="min-w-0 flex-1">
                    <span className="block truncate text-sm font-medium text-zinc-900">
                      {account.name || t("whatsapp.untitled")}
                    </span>
                    <span className="block truncate text-xs text-zinc-500">
                      {account.displayPhoneNumber || account.phoneNumberId || "—"}
                    </span>
                  </span>
                  <StatusBadge status={account.status} />
                  <ChevronRight className="size-4 shrink-0 text-zinc-300" aria-hidden />
                </button>
              </li>
            );
          })}
        </ul>
      ) : null}

      {creating || selected ? (
        <WhatsAppAccountForm
          key={creating ? NEW : String(selected!.id)}
          account={creating ? null : selected}
          readOnly={readOnly}
          onCreated={(account) => select(String(account.id))}
          onDeleted={() => select(null)}
          onCancelNew={() => select(null)}
        />
      ) : null}
    </section>
  );
}
