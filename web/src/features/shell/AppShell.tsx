import { useCallback, useEffect, useState } from "react";
import { NavLink, Outlet, useLocation } from "react-router";
import { useTranslation } from "react-i18next";
import {
  BookOpen,
  Inbox,
  LayoutDashboard,
  Megaphone,
  Menu,
  Settings,
  Smartphone,
  Users,
  Workflow,
  X,
  type LucideIcon,
} from "lucide-react";
import { Logo } from "../../components/Logo";
import { LanguageSwitcher } from "../../components/LanguageSwitcher";
import { cx } from "../../lib/format";
import { useSession } from "../auth/session";
import { useQuery } from "@tanstack/react-query";
import { inboxApi, inboxKeys } from "../inbox/api";
import { UserMenu } from "./UserMenu";
import { CommandPalette, SearchButton, useCommandPaletteShortcut } from "../search/CommandPalette";

type NavKey = "overview" | "flows" | "inbox" | "simulator" | "contacts" | "broadcasts" | "settings";

const NAV: Array<{ key: NavKey; to: string; icon: LucideIcon; end?: boolean }> = [
  { key: "overview", to: "/", icon: LayoutDashboard, end: true },
  { key: "flows", to: "/flows", icon: Workflow },
  { key: "inbox", to: "/inbox", icon: Inbox },
  { key: "simulator", to: "/simulator", icon: Smartphone },
  { key: "contacts", to: "/contacts", icon: Users },
  { key: "broadcasts", to: "/broadcasts", icon: Megaphone },
  { key: "settings", to: "/settings", icon: Settings },
];

export function AppShell() {
  const { t } = useTranslation();
  const session = useSession();
  const location = useLocation();
  const [drawerOpen, setDrawerOpen] = useState(false);
  const [searchOpen, setSearchOpen] = useState(false);
  const openSearch = useCallback(() => setSearchOpen(true), []);
  const closeSearch = useCallback(() => setSearchOpen(false), []);
  useCommandPaletteShortcut(openSearch);
  // The inbox uses the whole content area (three panes, its own scrolling).
  const fullBleed = location.pathname === "/inbox" || location.pathname.startsWith("/inbox/");

  useEffect(() => setDrawerOpen(false), [location.pathname]);

  // Unread conversations on the Inbox item (the inbox itself keeps this query fresh).
  const inboxCounts = useQuery({
    queryKey: inboxKeys.counts,
    queryFn: inboxApi.counts,
    refetchInterval: 30_000,
    staleTime: 10_000,
    retry: false,
  });
  const unread = inboxCounts.data?.unread ?? 0;

  useEffect(() => {
    if (!drawerOpen) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") setDrawerOpen(false);
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [drawerOpen]);

  return (
    <div data-testid="app-shell" className="min-h-screen lg:flex">
      <a
        href="#main"
        className="sr-only z-[70] rounded-lg bg-white px-3 py-2 shadow focus:not-sr-only focus:fixed focus:top-2 focus:left-2"
      >
        {t("shell.skipToContent")}
      </a>

      {drawerOpen ? (
        <div
          className="fixed inset-0 z-30 bg-zinc-900/30 lg:hidden"
          onClick={() => setDrawerOpen(false)}
          aria-hidden
        />
      ) : null}

      <aside
        id="sidebar"
        className={cx(
          "fixed inset-y-0 left-0 z-40 w-64 shrink-0 flex-col border-r border-zinc-200 bg-white",
          "lg:sticky lg:top-0 lg:z-auto lg:flex lg:h-screen lg:w-60",
          drawerOpen ? "flex shadow-xl" : "hidden",
        )}
      >
        <div className="flex h-14 items-center justify-between gap-2 px-4">
          <Logo />
          <button
            type="button"
            className="rounded-lg p-1.5 text-zinc-500 hover:bg-zinc-100 lg:hidden"
            onClick={() => setDrawerOpen(false)}
            aria-label={t("shell.closeMenu")}
          >
            <X className="size-5" aria-hidden />
          </button>
        </div>
        <div className="px-4 pb-3">
          <div className="truncate rounded-lg bg-zinc-50 px-2.5 py-1.5 text-xs text-zinc-600 ring-1 ring-zinc-200 ring-inset">
            <span className="text-zinc-400">{t("shell.workspace")}: </span>
            <span className="font-medium text-zinc-800">{session.workspace.name}</span>
          </div>
        </div>
        <nav aria-label={t("shell.mainNavigation")} className="flex-1 overflow-y-auto px-3">
          <ul className="space-y-0.5">
            {NAV.map(({ key, to, icon: Icon, end }) => (
              <li key={key}>
                <NavLink
                  to={to}
                  end={end}
                  data-testid={`nav-${key}`}
                  className={({ isActive }) =>
                    cx(
                      "group flex items-center gap-2.5 rounded-lg px-2.5 py-2 text-sm font-medium transition-colors",
                      isActive
                        ? "bg-brand-50 text-brand-800"
                        : "text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900",
                    )
                  }
                >
                  {({ isActive }) => (
                    <>
                      <Icon
                        className={cx(
                          "size-4",
                          isActive ? "text-brand-600" : "text-zinc-400 group-hover:text-zinc-600",
                        )}
                        aria-hidden
                      />
                      {t(`nav.${key}`)}
                      {key === "inbox" && unread > 0 ? (
                        <span
                          data-testid="nav-inbox-unread"
                          aria-label={t("inbox.navUnread", { count: unread })}
                          className="ml-auto flex h-5 min-w-5 items-center justify-center rounded-full bg-brand-600 px-1.5 text-[10px] font-bold text-white tabular-nums"
                        >
                          {unread > 99 ? "99+" : unread}
                        </span>
                      ) : null}
                    </>
                  )}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="border-t border-zinc-100 p-3">
          <a
            href="/docs"
            target="_blank"
            rel="noreferrer"
            className="flex items-center gap-2.5 rounded-lg px-2.5 py-2 text-sm text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800"
          >
            <BookOpen className="size-4" aria-hidden />
            {t("shell.apiReference")}
          </a>
        </div>
      </aside>

      <div className="flex min-w-0 flex-1 flex-col">
        <header className="sticky top-0 z-20 flex h-14 items-center gap-2 border-b border-zinc-200 bg-white/85 px-4 backdrop-blur sm:px-6">
          <button
            type="button"
            data-testid="nav-toggle"
            className="-ml-1.5 rounded-lg p-1.5 text-zinc-600 hover:bg-zinc-100 lg:hidden"
            onClick={() => setDrawerOpen(true)}
            aria-label={t("shell.openMenu")}
            aria-controls="sidebar"
            aria-expanded={drawerOpen}
          >
            <Menu className="size-5" aria-hidden />
          </button>
          <Logo className="lg:hidden" />
          <div className="flex-1" />
          <SearchButton onOpen={openSearch} />
          <LanguageSwitcher />
          <UserMenu />
        </header>
        <main
          id="main"
          className={
            fullBleed
              ? "h-[calc(100dvh-3.5rem)] w-full min-w-0 overflow-hidden"
              : "mx-auto w-full max-w-5xl flex-1 px-4 py-6 sm:px-8 sm:py-8"
          }
        >
          <Outlet />
        </main>
      </div>
      <CommandPalette open={searchOpen} onClose={closeSearch} />
    </div>
  );
}
