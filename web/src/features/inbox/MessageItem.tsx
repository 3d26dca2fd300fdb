/** One message of the thread: a WhatsApp-like bubble, a private note, ticks, quote, reactions. */
import { memo } from "react";
import { useTranslation } from "react-i18next";
import { Bot, Check, CheckCheck, Clock3, Lock, Reply } from "lucide-react";
import type { InboxMessage } from "../../api/types";
import { cx } from "../../lib/format";
import { useWhatsAppContent } from "../simulator/MessageBubble";
import { at, str } from "../simulator/payload";
import { clockTime } from "./time";
import {
  contextId,
  failureTitle,
  kindOf,
  previewText,
  rawWhatsApp,
  tickState,
  type Reaction,
} from "./thread";
import { WhatsAppText } from "./whatsappText";

const renderText = (text: string) => <WhatsAppText text={text} />;

export function Ticks({ message }: { message: InboxMessage }) {
  const { t } = useTranslation();
  const tick = tickState(message);
  if (!tick) return null;
  if (tick === "failed") {
    const reason = failureTitle(message.error);
    const label = reason ? t("inbox.ticks.failedReason", { reason }) : t("inbox.ticks.failed");
    return (
      <span
        data-testid="message-ticks"
        data-tick={tick}
        title={label}
        aria-label={label}
        role="img"
        className="inline-flex size-4 items-center justify-center rounded-full bg-red-600 text-[10px] font-bold text-white"
      >
        !
      </span>
    );
  }
  const label = t(`inbox.ticks.${tick}`);
  const icon =
    tick === "pending" ? (
      <Clock3 className="size-3.5" aria-hidden />
    ) : tick === "sent" ? (
      <Check className="size-4" aria-hidden />
    ) : (
      <CheckCheck className={cx("size-4", tick === "read" ? "text-sky-500" : null)} aria-hidden />
    );
  return (
    <span
      data-testid="message-ticks"
      data-tick={tick}
      title={label}
      aria-label={label}
      role="img"
      className="inline-flex items-center text-zinc-400"
    >
      {icon}
    </span>
  );
}

function Quote({
  quoted,
  fallback,
  fromCustomer,
}: {
  quoted: InboxMessage | null;
  fallback: string | null;
  fromCustomer: boolean;
}) {
  const { t } = useTranslation();
  const author = quoted
    ? quoted.direction === "inbound"
      ? t("inbox.thread.customer")
      : (quoted.sent_by?.name ?? t("inbox.thread.bot"))
    : null;
  return (
    <div
      data-testid="message-quote"
      className={cx(
        "mb-1 rounded-md border-l-4 px-2 py-1 text-xs",
        fromCustomer ? "border-violet-400 bg-zinc-100" : "border-emerald-500 bg-black/5",
      )}
    >
      {quoted ? (
        <>
          <span className="block font-semibold text-zinc-700">{author}</span>
          <span className="line-clamp-2 text-zinc-600">{previewText(quoted)}</span>
        </>
      ) : fallback ? (
        <span className="line-clamp-2 text-zinc-600">{fallback}</span>
      ) : (
        <span className="flex items-center gap-1 text-zinc-500 italic">
          <Reply className="size-3" aria-hidden />
          {t("inbox.thread.quotedUnavailable")}
        </span>
      )}
    </div>
  );
}

function NoteBubble({ message }: { message: InboxMessage }) {
  const { t } = useTranslation();
  return (
    <div className="flex justify-end">
      <div
        data-testid="message"
        data-message-id={message.id}
        data-direction="note"
        data-status={message.status ?? ""}
        className="max-w-[75%] min-w-0 rounded-lg border border-amber-300 bg-amber-50 px-3 pt-1.5 pb-1 text-[14px] leading-snug text-zinc-900 shadow-sm"
      >
        <p className="mb-0.5 flex items-center gap-1 text-[11px] font-semibold text-amber-800">
          <Lock className="size-3" aria-hidden />
          {t("inbox.thread.noteLabel")}
        </p>
        <p className="whitespace-pre-wrap break-words">{renderText(message.text ?? "")}</p>
        <span className="mt-0.5 flex items-center justify-end gap-1 text-[11px] text-amber-700/80">
          <span data-testid="message-author">{message.sent_by?.name ?? t("inbox.thread.agent")}</span>
          <span aria-hidden>·</span>
          <time dateTime={message.created_at}>{clockTime(message.created_at)}</time>
        </span>
      </div>
    </div>
  );
}

function mediaSrcFor(message: InboxMessage) {
  return (media: unknown): string | null => message.media_url ?? str(at(media, "link"));
}

function Bubble({
  message,
  reactions,
  quoted,
}: {
  message: InboxMessage;
  reactions: Reaction[];
  quoted: InboxMessage | null | undefined;
}) {
  const { t } = useTranslation();
  const inbound = message.direction === "inbound";
  const { kind, content, footer } = useWhatsAppContent(
    { direction: inbound ? "inbound" : "outbound", payload: rawWhatsApp(message), type: message.type },
    { mediaSrc: mediaSrcFor(message), renderText },
  );
  const author = inbound ? null : message.sent_by ? message.sent_by.name : t("inbox.thread.bot");
  const isSticker = kind === "sticker";
  return (
    <div className={cx("flex", inbound ? "justify-start" : "justify-end")}>
      <div className="flex max-w-[75%] min-w-0 flex-col">
        <div
          data-testid="message"
          data-message-id={message.id}
          data-direction={message.direction}
          data-status={message.status ?? ""}
          data-type={kind}
          className={cx(
            "relative rounded-lg px-2.5 pt-1.5 pb-1 text-[14px] leading-snug text-zinc-900 shadow-sm",
            inbound ? "rounded-tl-none bg-white" : "rounded-tr-none bg-[#d9fdd3]",
            isSticker ? "bg-transparent shadow-none" : null,
            reactions.length > 0 ? "mb-3" : null,
          )}
        >
          {author ? (
            <p
              data-testid="message-author"
              className={cx(
                "mb-0.5 flex items-center gap-1 text-[11px] font-semibold",
                message.sent_by ? "text-emerald-800" : "text-sky-700",
              )}
            >
              {message.sent_by ? null : <Bot className="size-3" aria-hidden />}
              {author}
            </p>
          ) : null}
          {quoted !== undefined ? (
            <Quote quoted={quoted} fallback={message.reply_to?.text ?? null} fromCustomer={inbound} />
          ) : null}
          {content}
          <span className="mt-0.5 flex items-center justify-end gap-1 text-[11px] text-zinc-500">
            <time dateTime={message.created_at}>{clockTime(message.created_at)}</time>
            <Ticks message={message} />
          </span>
          {reactions.length > 0 ? (
            <span
              data-testid="message-reactions"
              className={cx(
                "absolute -bottom-3 rounded-full bg-white px-1.5 py-0.5 text-xs shadow ring-1 ring-zinc-200",
                inbound ? "left-2" : "right-2",
              )}
              title={reactions
                .map((r) => t(r.from === "customer" ? "inbox.thread.reactionCustomer" : "inbox.thread.reactionBusiness", { emoji: r.emoji }))
                .join(", ")}
            >
              {reactions.map((r) => r.emoji).join(" ")}
            </span>
          ) : null}
        </div>
        {footer}
      </div>
    </div>
  );
}

/** `quoted`: undefined = not a reply; null = a reply to a message not loaded. */
export const MessageItem = memo(function MessageItem({
  message,
  reactions,
  findQuoted,
}: {
  message: InboxMessage;
  reactions: Reaction[];
  findQuoted: (ref: string) => InboxMessage | null;
}) {
  if (message.direction === "note") return <NoteBubble message={message} />;
  const ref = kindOf(message) === "reaction" ? null : contextId(message);
  const quoted = ref ? findQuoted(ref) : undefined;
  return <Bubble message={message} reactions={reactions} quoted={quoted} />;
});
