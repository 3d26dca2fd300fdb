import { useMemo, useState, type DragEvent } from "react";
import { useTranslation } from "react-i18next";
import { PanelLeftClose, PanelLeftOpen, Search } from "lucide-react";
import { cx } from "../../lib/format";
import { GROUP_STYLES, GROUPS, NODE_SPECS, PALETTE } from "./catalog";
import type { NodeType } from "./types";

/** MIME type of a palette drag (the node type is the payload). */
export const DND_MIME = "application/x-finnegans-node";

function fold(value: string): string {
  return value
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();
}

export function Palette({
  collapsed,
  onToggle,
  onAdd,
}: {
  collapsed: boolean;
  onToggle: () => void;
  onAdd: (type: NodeType) => void;
}) {
  const { t } = useTranslation();
  const [query, setQuery] = useState("");

  const groups = useMemo(() => {
    const q = fold(query.trim());
    return GROUPS.map((group) => ({
      group,
      types: PALETTE[group].filter(
        (type) =>
          !q ||
          fold(t(`flows.nodes.${type}.label`)).includes(q) ||
          fold(t(`flows.nodes.${type}.description`)).includes(q) ||
          type.includes(q),
      ),
    })).filter((g) => g.types.length > 0);
  }, [query, t]);

  const onDragStart = (event: DragEvent, type: NodeType) => {
    event.dataTransfer.setData(DND_MIME, type);
    event.dataTransfer.setData("text/plain", type);
    event.dataTransfer.effectAllowed = "move";
  };

  if (collapsed) {
    return (
      <aside
        data-testid="palette"
        data-collapsed="true"
        aria-label={t("flows.palette.title")}
        className="flex w-14 shrink-0 flex-col items-center gap-1 overflow-y-auto border-r border-zinc-200 bg-white py-2"
      >
        <button
          type="button"
          onClick={onToggle}
          title={t("flows.palette.expand")}
          aria-label={t("flows.palette.expand")}
          data-testid="palette-toggle"
          className="mb-1 flex size-8 items-center justify-center rounded-lg text-zinc-500 hover:bg-zinc-100"
        >
          <PanelLeftOpen className="size-4" aria-hidden />
        </button>
        {GROUPS.map((group) => (
          <div key={group} className="flex flex-col items-center gap-1 border-t border-zinc-100 py-1.5 first-of-type:border-t-0">
            {PALETTE[group].map((type) => {
              const Icon = NODE_SPECS[type].icon;
              return (
                <button
                  key={type}
                  type="button"
                  draggable
                  data-testid={`palette-${type}`}
                  onDragStart={(e) => onDragStart(e, type)}
                  onClick={() => onAdd(type)}
                  title={t(`flows.nodes.${type}.label`)}
                  aria-label={t(`flows.nodes.${type}.label`)}
                  className={cx(
                    "flex size-8 cursor-grab items-center justify-center rounded-lg ring-1 ring-inset hover:brightness-95 active:cursor-grabbing",
                    GROUP_STYLES[group].tile,
                  )}
                >
                  <Icon className="size-4" aria-hidden />
                </button>
              );
            })}
          </div>
        ))}
      </aside>
    );
  }

  return (
    <aside
      data-testid="palette"
      aria-label={t("flows.palette.title")}
      className="flex w-60 shrink-0 flex-col border-r border-zinc-200 bg-white"
    >
      <div className="flex items-center justify-between gap-2 px-3 pt-3">
        <h2 className="text-xs font-semibold tracking-wide text-zinc-500 uppercase">{t("flows.palette.title")}</h2>
        <button
          type="button"
          onClick={onToggle}
          title={t("flows.palette.collapse")}
          aria-label={t("flows.palette.collapse")}
          data-testid="palette-toggle"
          className="flex size-7 items-center justify-center rounded-lg text-zinc-400 hover:bg-zinc-100 hover:text-zinc-700"
        >
          <PanelLeftClose className="size-4" aria-hidden />
        </button>
      </div>
      <div className="px-3 pt-2 pb-2">
        <div className="relative">
          <Search className="pointer-events-none absolute top-1/2 left-2.5 size-3.5 -translate-y-1/2 text-zinc-400" aria-hidden />
          <input
            type="search"
            data-testid="palette-search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder={t("flows.palette.search")}
            aria-label={t("flows.palette.search")}
            className="h-8 w-full rounded-lg border border-zinc-200 bg-zinc-50 pr-2 pl-8 text-xs placeholder:text-zinc-400 focus:border-brand-600 focus:bg-white focus:ring-2 focus:ring-brand-600/30 focus:outline-none"
          />
        </div>
      </div>
      <div className="min-h-0 flex-1 space-y-3 overflow-y-auto px-2 pb-3">
        {groups.length === 0 ? <p className="px-2 py-4 text-center text-xs text-zinc-500">{t("flows.palette.noResults")}</p> : null}
        {groups.map(({ group, types }) => (
          <section key={group} aria-label={t(`flows.groups.${group}`)}>
            <h3 className="px-2 pb-1 text-[11px] font-semibold tracking-wide text-zinc-400 uppercase">{t(`flows.groups.${group}`)}</h3>
            <ul className="space-y-0.5">
              {types.map((type) => {
                const Icon = NODE_SPECS[type].icon;
                return (
                  <li key={type}>
                    <button
                      type="button"
                      draggable
                      data-testid={`palette-${type}`}
                      onDragStart={(e) => onDragStart(e, type)}
                      onClick={() => onAdd(type)}
                      title={t("flows.palette.hint")}
                      className="group flex w-full cursor-grab items-center gap-2.5 rounded-lg px-2 py-1.5 text-left hover:bg-zinc-100 active:cursor-grabbing"
                    >
                      <span
                        className={cx(
                          "flex size-7 shrink-0 items-center justify-center rounded-lg ring-1 ring-inset",
                          GROUP_STYLES[group].tile,
                        )}
                      >
                        <Icon className="size-4" aria-hidden />
                      </span>
                      <span className="min-w-0">
                        <span className="block truncate text-[13px] font-medium text-zinc-800">{t(`flows.nodes.${type}.label`)}</span>
                        <span className="block truncate text-[11px] text-zinc-500">{t(`flows.nodes.${type}.short`)}</span>
                      </span>
                    </button>
                  </li>
                );
              })}
            </ul>
          </section>
        ))}
      </div>
      <p className="border-t border-zinc-100 px-3 py-2 text-[11px] text-zinc-500">{t("flows.palette.hint")}</p>
    </aside>
  );
}
