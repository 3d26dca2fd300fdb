import { Languages } from "lucide-react";
import { useTranslation } from "react-i18next";
import { LANGUAGES, setLanguage, type Language } from "../i18n";
import { cx } from "../lib/format";

export function LanguageSwitcher({ className }: { className?: string }) {
  const { t, i18n } = useTranslation();
  const value = (LANGUAGES as readonly string[]).includes(i18n.resolvedLanguage ?? "")
    ? (i18n.resolvedLanguage as Language)
    : "en";
  return (
    <label className={cx("relative inline-flex items-center", className)}>
      <span className="sr-only">{t("language.label")}</span>
      <Languages className="pointer-events-none absolute left-2.5 size-4 text-zinc-500" aria-hidden />
      <select
        data-testid="lang-switcher"
        value={value}
        onChange={(event) => setLanguage(event.target.value as Language)}
        className="h-8 appearance-none rounded-lg border border-zinc-200 bg-white pr-3 pl-8 text-xs font-medium text-zinc-700 shadow-xs hover:bg-zinc-50 focus:outline-none focus:ring-2 focus:ring-brand-600/30"
      >
        {LANGUAGES.map((lng) => (
          <option key={lng} value={lng}>
            {t(`language.${lng}`)}
          </option>
        ))}
      </select>
    </label>
  );
}
