import { useEffect, useRef } from "react";
import { NavLink, Outlet, useLocation } from "react-router";
import { useTranslation } from "react-i18next";
import { Contact, FileText, History, KeyRound, MessageSquareText, Smartphone, UsersRound, type LucideIcon } from "lucide-react";
import { PageHeader } from "../../components/Card";
import { cx } from "../../lib/format";

const TABS: Array<{
  key: "whatsapp" | "members" | "apiKeys" | "canned" | "templates" | "contacts" | "audit";
  to: string;
  icon: LucideIcon;
}> = [
  { key: "whatsapp", to: "/settings/whatsapp", icon: Smartphone },
  { key: "members", to: "/settings/members", icon: UsersRound },
  { key: "apiKeys", to: "/settings/api-keys", icon: KeyRound },
  { key: "canned", to: "/settings/canned-responses", icon: MessageSquareText },
  { key: "templates", to: "/settings/templates", icon: FileText },
  { key: "contacts", to: "/settings/contacts", icon: Contact },
  { key: "audit", to: "/settings/audit-log", icon: History },
];

export function SettingsLayout() {
  const { t } = useTranslation();
  const nav = useRef<HTMLElement>(null);
  const { pathname } = useLocation();
  // On narrow screens the tabs scroll sideways: keep the active one in view.
  useEffect(() => {
    const active = nav.current?.querySelector<HTMLElement>('[aria-current="page"]');
    active?.scrollIntoView?.({ block: "nearest", inline: "nearest" });
  }, [pathname]);
  return (
    <div>
      <PageHeader title={t("settings.title")} description={t("settings.subtitle")} />
      <nav ref={nav} aria-label={t("settings.title")} className="-mx-4 mb-6 overflow-x-auto border-b border-zinc-200 px-4 sm:mx-0 sm:px-0">
        <ul className="flex gap-1">
          {TABS.map(({ key, to, icon: Icon }) => (
            <li key={key}>
              <NavLink
                to={to}
                data-testid={`settings-tab-${key}`}
                className={({ isActive }) =>
                  cx(
                    "-mb-px flex items-center gap-2 border-b-2 px-3 py-2.5 text-sm font-medium whitespace-nowrap transition-colors",
                    isActive
                      ? "border-brand-600 text-zinc-900"
                      : "border-transparent text-zinc-500 hover:border-zinc-300 hover:text-zinc-800",
                  )
                }
              >
                <Icon className="size-4" aria-hidden />
                {t(`settings.tabs.${key}`)}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <Outlet />
    </div>
  );
}

export function ReadOnlyNotice({ children }: { children: React.ReactNode }) {
  return (
    <div
      data-testid="read-only-notice"
      className="mb-4 rounded-lg border border-amber-200 bg-amber-50 px-3 py-2.5 text-sm text-amber-900"
    >
      {children}
    </div>
  );
}
