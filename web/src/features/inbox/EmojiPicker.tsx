/** A small built-in grid of common emoji (no dependency). */
import { useTranslation } from "react-i18next";
import { Smile } from "lucide-react";
import { usePopover } from "../../lib/usePopover";

const EMOJI = [
  "😀", "😁", "😂", "🤣", "😊", "😍", "😘", "😉", "😎", "🤔", "😅", "😇",
  "🙂", "🙃", "😐", "😢", "😭", "😡", "😱", "🥳", "😴", "🤗", "🤝", "🙏",
  "👍", "👎", "👌", "✌️", "👏", "🙌", "💪", "👋", "❤️", "💚", "💙", "🔥",
  "⭐", "✨", "🎉", "🎁", "✅", "❌", "⚠️", "❓", "💬", "📞", "📦", "🚚",
  "💰", "💳", "🛒", "📅", "⏰", "📍", "🏠", "☕", "🍕", "🌮", "🌞", "🌧️",
];

export function EmojiPicker({ onPick, disabled }: { onPick: (emoji: string) => void; disabled?: boolean }) {
  const { t } = useTranslation();
  const { open, setOpen, root, menuId } = usePopover();
  return (
    <div ref={root} className="relative">
      <button
        type="button"
        data-testid="composer-emoji"
        disabled={disabled}
        onClick={() => setOpen(!open)}
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={menuId}
        title={t("inbox.composer.emoji")}
        aria-label={t("inbox.composer.emoji")}
        className="rounded-lg p-2 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800 disabled:opacity-50"
      >
        <Smile className="size-5" aria-hidden />
      </button>
      {open ? (
        <div
          id={menuId}
          role="dialog"
          aria-label={t("inbox.composer.emoji")}
          className="absolute bottom-full left-0 z-30 mb-2 grid w-72 grid-cols-8 gap-0.5 rounded-xl border border-zinc-200 bg-white p-2 shadow-lg"
        >
          {EMOJI.map((emoji) => (
            <button
              key={emoji}
              type="button"
              onClick={() => {
                onPick(emoji);
                setOpen(false);
              }}
              className="flex size-8 items-center justify-center rounded-md text-lg hover:bg-zinc-100"
            >
              {emoji}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
