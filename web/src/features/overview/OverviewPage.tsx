import { Link } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { CheckCircle2, Circle, KeyRound, Rocket, Smartphone, UsersRound, type LucideIcon } from "lucide-react";
import { apiKeysApi, membersApi, queryKeys, whatsappApi } from "../../api/endpoints";
import { buttonClasses } from "../../components/Button";
import { Card } from "../../components/Card";
import { cx } from "../../lib/format";
import { canManage, useSession } from "../auth/session";
import { OverviewMetrics } from "./OverviewMetrics";

interface Step {
  key: "connectNumber" | "inviteTeam" | "createApiKey";
  to: string;
  icon: LucideIcon;
  done: boolean;
}

export function OverviewPage() {
  const { t } = useTranslation();
  const session = useSession();
  const manager = canManage(session.role);

  const accounts = useQuery({ queryKey: queryKeys.whatsappAccounts, queryFn: whatsappApi.list });
  const members = useQuery({ queryKey: queryKeys.members, queryFn: membersApi.list });
  const keys = useQuery({ queryKey: queryKeys.apiKeys, queryFn: apiKeysApi.list, enabled: manager });

  const steps: Step[] = [
    {
      key: "connectNumber",
      to: "/settings/whatsapp",
      icon: Smartphone,
      done: (accounts.data?.length ?? 0) > 0,
    },
    { key: "inviteTeam", to: "/settings/members", icon: UsersRound, done: (members.data?.length ?? 0) > 1 },
    {
      key: "createApiKey",
      to: "/settings/api-keys",
      icon: KeyRound,
      done: (keys.data ?? []).some((k) => !k.revokedAt),
    },
  ];
  const doneCount = steps.filter((s) => s.done).length;
  // The checklist stays on top until every step is done (or while we do not know yet).
  const loaded = accounts.isSuccess && members.isSuccess && (!manager || keys.isSuccess);
  const showChecklist = !loaded || doneCount < steps.length;

  return (
    <div>
      <div className="mb-6">
        <h1 className="text-xl font-semibold tracking-tight text-zinc-900">
          {t("overview.greeting", { name: session.user.name.split(" ")[0] })}
        </h1>
        <p className="mt-1 text-sm text-zinc-500">
          {t(showChecklist ? "overview.subtitle" : "overview.subtitleReady", { workspace: session.workspace.name })}
        </p>
      </div>

      {showChecklist ? (
        <Card data-testid="empty-state" className="mb-8 overflow-hidden">
          <div className="flex flex-wrap items-center gap-4 border-b border-zinc-100 px-5 py-5">
            <div className="flex size-11 items-center justify-center rounded-xl bg-brand-50 text-brand-700 ring-1 ring-brand-600/10">
              <Rocket className="size-5" aria-hidden />
            </div>
            <div className="min-w-0 flex-1">
              <h2 className="text-base font-semibold text-zinc-900">{t("overview.getStarted.title")}</h2>
              <p className="mt-0.5 text-sm text-zinc-500">{t("overview.getStarted.description")}</p>
            </div>
            <div className="w-full sm:w-40">
              <div className="mb-1 text-right text-xs font-medium text-zinc-500">
                {t("overview.getStarted.progress", { done: doneCount, total: steps.length })}
              </div>
              <div className="h-1.5 overflow-hidden rounded-full bg-zinc-100">
                <div
                  className="h-full rounded-full bg-brand-600"
                  style={{ width: `${(doneCount / steps.length) * 100}%` }}
                />
              </div>
            </div>
          </div>
          <ol className="divide-y divide-zinc-100">
            {steps.map(({ key, to, icon: Icon, done }) => (
              <li key={key} className="flex flex-col gap-3 px-5 py-4 sm:flex-row sm:items-center" data-testid={`checklist-${key}`}>
                <div className="flex min-w-0 flex-1 items-start gap-3">
                  {done ? (
                    <CheckCircle2 className="mt-0.5 size-5 shrink-0 text-brand-600" aria-label={t("overview.getStarted.done")} />
                  ) : (
                    <Circle className="mt-0.5 size-5 shrink-0 text-zinc-300" aria-hidden />
                  )}
                  <div className="min-w-0">
                    <p className={cx("flex items-center gap-2 text-sm font-medium", done ? "text-zinc-500 line-through decoration-zinc-300" : "text-zinc-900")}>
                      <Icon className="size-4 text-zinc-400" aria-hidden />
                      {t(`overview.steps.${key}.title`)}
                    </p>
                    <p className="mt-0.5 text-sm text-zinc-500">{t(`overview.steps.${key}.description`)}</p>
                  </div>
                </div>
                <Link to={to} className={buttonClasses(done ? "ghost" : "secondary", "sm", "self-start sm:self-auto")}>
                  {t(`overview.steps.${key}.action`)}
                </Link>
              </li>
            ))}
          </ol>
        </Card>
      ) : null}

      <OverviewMetrics />
    </div>
  );
}
