/** Relative times and the 24-hour window countdown. */
import i18n from "../../i18n";

function lang(): string {
  return i18n.resolvedLanguage ?? "en";
}

/** "10:42" today, "Mon" this week, "12/03/26" before: like WhatsApp's chat list. */
export function listTime(value: string | null | undefined, now: Date = new Date()): string {
  if (!value) return "";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return "";
  const diff = now.getTime() - date.getTime();
  if (diff < 60_000 && diff > -60_000) return i18n.t("inbox.time.now");
  if (date.toDateString() === now.toDateString()) {
    return new Intl.DateTimeFormat(lang(), { hour: "2-digit", minute: "2-digit" }).format(date);
  }
  if (diff < 6 * 86_400_000) return new Intl.DateTimeFormat(lang(), { weekday: "short" }).format(date);
  return new Intl.DateTimeFormat(lang(), { dateStyle: "short" }).format(date);
}

export function clockTime(value: string | null | undefined): string {
  if (!value) return "";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat(lang(), { hour: "2-digit", minute: "2-digit" }).format(date);
}

/** Milliseconds left in the window (0 when closed or unknown). */
export function windowLeftMs(expiresAt: string | null | undefined, now: number = Date.now()): number {
  if (!expiresAt) return 0;
  const end = Date.parse(expiresAt);
  return Number.isNaN(end) ? 0 : Math.max(0, end - now);
}

/** "23 h 5 min", "12 min", "< 1 min". */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return i18n.t("inbox.time.underMinute");
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return i18n.t("inbox.time.minutes", { m: rest });
  return i18n.t("inbox.time.hoursMinutes", { h: hours, m: rest });
}
