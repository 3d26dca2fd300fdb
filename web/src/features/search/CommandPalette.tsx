import { useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import { createPortal } from "react-dom";
import { useNavigate } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Megaphone, MessageSquare, Search, User, Workflow, type LucideIcon } from "lucide-react";
import type { SearchHit, SearchResults } from "../../api/types";
import { Spinner } from "../../components/Spinner";
import { cx } from "../../lib/format";
import { MIN_QUERY, searchApi, searchKeys } from "./api";

const GROUPS: Array<{ key: "flows" | "contacts" | "conversations" | "broadcasts"; icon: LucideIcon }> = [
  { key: "flows", icon: Workflow },
  { key: "contacts", icon: User },
  { key: "conversations", icon: MessageSquare },
  { key: "broadcasts", icon: Megaphone },
];

const DEBOUNCE_MS = 200;

export function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

/** ⌘K / Ctrl+K from anywhere opens the palette; the top bar's button too. */
export function useCommandPaletteShortcut(open: () => void) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.metaKey || event.ctrlKey) && !event.altKey && event.key.toLowerCase() === "k") {
        event.preventDefault();
        open();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [open]);
}

export function SearchButton({ onOpen }: { onOpen: () => void }) {
  const { t } = useTranslation();
  const mac = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);
  return (
    <button
      type="button"
      data-testid="search-open"
      onClick={onOpen}
      className="flex items-center gap-2 rounded-lg border border-zinc-200 bg-white px-2.5 py-1.5 text-sm text-zinc-500 shadow-xs hover:border-zinc-300 hover:text-zinc-700"
      aria-keyshortcuts="Meta+K Control+K"
    >
      <Search className="size-4" aria-hidden />
      <span className="hidden sm:inline">{t("search.open")}</span>
      <kbd className="hidden rounded border border-zinc-200 bg-zinc-50 px-1.5 font-sans text-[11px] text-zinc-500 sm:inline">
        {mac ? "⌘K" : "Ctrl K"}
      </kbd>
    </button>
  );
}

function flatten(results: SearchResults | undefined): SearchHit[] {
  return results ? GROUPS.flatMap((g) => results[g.key]) : [];
}

export function CommandPalette({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const inputRef = useRef<HTMLInputElement>(null);
  const listId = useId();
  const [text, setText] = useState("");
  const [active, setActive] = useState(0);
  const q = useDebounced(text.trim(), DEBOUNCE_MS);
  const enabled = open && q.length >= MIN_QUERY;

  const search = useQuery({
    queryKey: searchKeys.search(q),
    queryFn: ({ signal }) => searchApi.search(q, signal),
    enabled,
    staleTime: 10_000,
  });
  // Results of the query typed now, not of a stale one still on screen.
  const results = enabled ? search.data : undefined;
  const hits = useMemo(() => flatten(results), [results]);

  useEffect(() => setActive(0), [results]);
  useEffect(() => {
    if (open) {
      setText("");
      requestAnimationFrame(() => inputRef.current?.focus());
    }
  }, [open]);

  const pick = useCallback(
    (hit: SearchHit) => {
      onClose();
      navigate(hit.path);
    },
    [navigate, onClose],
  );

  if (!open) return null;

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key === "Escape") {
      event.preventDefault();
      onClose();
    } else if (event.key === "ArrowDown" && hits.length) {
      event.preventDefault();
      setActive((i) => (i + 1) % hits.length);
    } else if (event.key === "ArrowUp" && hits.length) {
      event.preventDefault();
      setActive((i) => (i - 1 + hits.length) % hits.length);
    } else if (event.key === "Enter" && hits[active]) {
      event.preventDefault();
      pick(hits[active]);
    }
  };

  let index = -1;
  return createPortal(
    <div className="fixed inset-0 z-[80] flex items-start justify-center px-4 pt-[12vh]" onKeyDown={onKeyDown}>
      <div className="absolute inset-0 bg-zinc-900/40 backdrop-blur-[1px]" onClick={onClose} aria-hidden />
      <div
        role="dialog"
        aria-modal="true"
        aria-label={t("search.title")}
        data-testid="command-palette"
        className="relative w-full max-w-xl overflow-hidden rounded-xl bg-white shadow-2xl ring-1 ring-zinc-900/10"
      >
        <div className="flex items-center gap-3 border-b border-zinc-100 px-4">
          <Search className="size-4 shrink-0 text-zinc-400" aria-hidden />
          <input
            ref={inputRef}
            data-testid="search-input"
            role="combobox"
            aria-expanded={hits.length > 0}
            aria-controls={listId}
            aria-activedescendant={hits[active] ? `${listId}-${active}` : undefined}
            aria-autocomplete="list"
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder={t("search.placeholder")}
            className="h-12 min-w-0 flex-1 bg-transparent text-sm text-zinc-900 outline-none placeholder:text-zinc-400"
          />
          {enabled && search.isFetching ? <Spinner /> : null}
        </div>
        <div id={listId} role="listbox" className="max-h-[55vh] overflow-y-auto py-2">
          {q.length < MIN_QUERY ? (
            <p className="px-4 py-6 text-center text-sm text-zinc-500">{t("search.hint")}</p>
          ) : search.isError ? (
            <p className="px-4 py-6 text-center text-sm text-rose-700" role="alert">{t("search.error")}</p>
          ) : results && hits.length === 0 ? (
            <p className="px-4 py-6 text-center text-sm text-zinc-500" data-testid="search-empty">
              {t("search.empty", { query: q })}
            </p>
          ) : !results ? (
            <p className="px-4 py-6 text-center text-sm text-zinc-500">{t("search.loading")}</p>
          ) : (
            GROUPS.filter((g) => results[g.key].length > 0).map(({ key, icon: Icon }) => (
              <div key={key} role="group" aria-label={t(`search.groups.${key}`)} data-testid={`search-group-${key}`}>
                <p className="px-4 pt-2 pb-1 text-[11px] font-semibold tracking-wide text-zinc-400 uppercase">
                  {t(`search.groups.${key}`)}
                </p>
                {results[key].map((hit) => {
                  index += 1;
                  const i = index;
                  return (
                    <div
                      key={`${hit.kind}-${hit.id}`}
                      id={`${listId}-${i}`}
                      role="option"
                      aria-selected={i === active}
                      data-testid="search-result"
                      onMouseMove={() => setActive(i)}
                      onClick={() => pick(hit)}
                      className={cx(
                        "mx-2 flex cursor-pointer items-center gap-3 rounded-lg px-2.5 py-2",
                        i === active ? "bg-brand-50 text-brand-900" : "text-zinc-700",
                      )}
                    >
                      <Icon className={cx("size-4 shrink-0", i === active ? "text-brand-600" : "text-zinc-400")} aria-hidden />
                      <div className="min-w-0 flex-1">
                        <p className="truncate text-sm font-medium">{hit.label}</p>
                        {hit.secondary ? <p className="truncate text-xs text-zinc-500">{hit.secondary}</p> : null}
                      </div>
                    </div>
                  );
                })}
              </div>
            ))
          )}
        </div>
        <div className="flex gap-4 border-t border-zinc-100 bg-zinc-50 px-4 py-2 text-[11px] text-zinc-500">
          <span><kbd className="font-sans font-semibold">↑ ↓</kbd> {t("search.navigate")}</span>
          <span><kbd className="font-sans font-semibold">↵</kbd> {t("search.select")}</span>
          <span><kbd className="font-sans font-semibold">Esc</kbd> {t("search.close")}</span>
        </div>
      </div>
    </div>,
    document.body,
  );
}
