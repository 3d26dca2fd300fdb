import type { ReactNode } from "react";
import { Logo } from "../../components/Logo";
import { LanguageSwitcher } from "../../components/LanguageSwitcher";

export function AuthLayout({
  title,
  subtitle,
  children,
  footer,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
}) {
  return (
    <div className="flex min-h-screen flex-col bg-zinc-50 bg-[radial-gradient(ellipse_at_top,var(--color-brand-50),transparent_60%)]">
      <header className="flex items-center justify-between px-5 py-4 sm:px-8">
        <Logo />
        <LanguageSwitcher />
      </header>
      <main className="flex flex-1 items-start justify-center px-4 pt-6 pb-16 sm:items-center sm:pt-0">
        <div className="w-full max-w-sm">
          <div className="mb-6 text-center">
            <h1 className="text-2xl font-semibold tracking-tight text-zinc-900">{title}</h1>
            {subtitle ? <p className="mt-2 text-sm text-zinc-500">{subtitle}</p> : null}
          </div>
          <div className="rounded-xl border border-zinc-200 bg-white p-6 shadow-sm">{children}</div>
          {footer ? <div className="mt-6 text-center text-sm text-zinc-500">{footer}</div> : null}
        </div>
      </main>
    </div>
  );
}
