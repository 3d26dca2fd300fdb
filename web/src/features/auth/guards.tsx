import { Navigate, Outlet, useLocation, useSearchParams } from "react-router";
import { useTranslation } from "react-i18next";
import { ServerCrash } from "lucide-react";
import { PageSpinner } from "../../components/Spinner";
import { Button } from "../../components/Button";
import { useErrorMessage } from "../../lib/errors";
import { safeNext, useMe } from "./session";

/** Renders the app only for a signed-in user; otherwise goes to /login?next=<here>. */
export function RequireAuth() {
  const { t } = useTranslation();
  const me = useMe();
  const location = useLocation();
  const describe = useErrorMessage();

  if (me.isPending) return <PageSpinner label={t("common.loading")} />;
  if (me.isError) {
    return (
      <div className="flex min-h-screen flex-col items-center justify-center gap-4 p-6 text-center">
        <ServerCrash className="size-8 text-zinc-400" aria-hidden />
        <div>
          <h1 className="text-base font-semibold">{t("errors.serverUnavailableTitle")}</h1>
          <p className="mt-1 text-sm text-zinc-500">{describe(me.error)}</p>
        </div>
        <Button variant="primary" loading={me.isFetching} onClick={() => void me.refetch()}>
          {t("common.retry")}
        </Button>
      </div>
    );
  }
  if (!me.data) {
    const here = location.pathname + location.search + location.hash;
    const to = here === "/" ? "/login" : `/login?next=${encodeURIComponent(here)}`;
    return <Navigate to={to} replace />;
  }
  return <Outlet />;
}

/** Login/register: a signed-in user is sent on to the app. */
export function GuestOnly() {
  const { t } = useTranslation();
  const me = useMe();
  const [params] = useSearchParams();
  if (me.isPending) return <PageSpinner label={t("common.loading")} />;
  if (me.data) return <Navigate to={safeNext(params.get("next"))} replace />;
  return <Outlet />;
}
