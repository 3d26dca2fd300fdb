import { ChevronDown, LogOut } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Badge } from "../../components/Badge";
import { Spinner } from "../../components/Spinner";
import { initials } from "../../lib/format";
import { useLogout, useSession } from "../auth/session";
import { usePopover } from "../../lib/usePopover";

export function UserMenu() {
  const { t } = useTranslation();
  const session = useSession();
  const logout = useLogout();
  const { open, setOpen, root: rootRef, menuId } = usePopover();

  return (
    <div ref={rootRef} className="relative">
      <button
        type="button"
        data-testid="user-menu"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen((v) => !v)}
        className="flex h-9 items-center gap-2 rounded-lg pr-1.5 pl-1 text-left hover:bg-zinc-100"
      >
        <span className="flex size-7 items-center justify-center rounded-full bg-brand-600 text-xs font-semibold text-white">
          {initials(session.user.name)}
        </span>
        <span className="hidden max-w-40 truncate text-sm font-medium text-zinc-800 sm:block">
          {session.user.name}
        </span>
        <ChevronDown className="size-4 text-zinc-500" aria-hidden />
        <span className="sr-only">{t("shell.userMenu")}</span>
      </button>
      {open ? (
        <div
          id={menuId}
          role="menu"
          className="absolute right-0 z-50 mt-2 w-64 overflow-hidden rounded-xl border border-zinc-200 bg-white shadow-lg"
        >
          <div className="space-y-1 px-4 py-3">
            <p className="truncate text-sm font-semibold text-zinc-900" data-testid="user-menu-name">
              {session.user.name}
            </p>
            <p className="truncate text-xs text-zinc-500">{session.user.email}</p>
          </div>
          <div className="space-y-1.5 border-t border-zinc-100 px-4 py-3 text-xs">
            <div className="flex items-center justify-between gap-2">
              <span className="text-zinc-500">{t("shell.workspace")}</span>
              <span className="truncate font-medium text-zinc-800" data-testid="user-menu-workspace">
                {session.workspace.name}
              </span>
            </div>
            <div className="flex items-center justify-between gap-2">
              <span className="text-zinc-500">{t("shell.role")}</span>
              <Badge tone="green" data-testid="user-menu-role">
                {t(`roles.${session.role}`)}
              </Badge>
            </div>
          </div>
          <div className="border-t border-zinc-100 p-1.5">
            <button
              type="button"
              role="menuitem"
              data-testid="logout"
              disabled={logout.isPending}
              onClick={() => logout.mutate()}
              className="flex w-full items-center gap-2 rounded-lg px-2.5 py-2 text-sm text-zinc-700 hover:bg-zinc-100 disabled:opacity-60"
            >
              {logout.isPending ? <Spinner className="size-4" /> : <LogOut className="size-4" aria-hidden />}
              {t("shell.logout")}
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
