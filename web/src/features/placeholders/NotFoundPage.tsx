import { Link } from "react-router";
import { useTranslation } from "react-i18next";
import { Compass } from "lucide-react";
import { buttonClasses } from "../../components/Button";

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <div data-testid="not-found" className="flex flex-col items-center py-20 text-center">
      <div className="mb-4 flex size-12 items-center justify-center rounded-xl bg-zinc-100 text-zinc-500">
        <Compass className="size-6" aria-hidden />
      </div>
      <p className="text-sm font-semibold text-brand-700">404</p>
      <h1 className="mt-1 text-xl font-semibold tracking-tight text-zinc-900">{t("notFound.title")}</h1>
      <p className="mt-2 max-w-sm text-sm text-zinc-500">{t("notFound.body")}</p>
      <Link to="/" className={buttonClasses("primary", "md", "mt-6")}>
        {t("notFound.back")}
      </Link>
    </div>
  );
}
