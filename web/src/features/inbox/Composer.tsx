/**
 * The reply box: text (Enter sends, Shift+Enter new line), emoji, attachments, templates,
 * `/shortcut` canned responses, private notes, and the 24-hour window.
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Clock, Lock, Paperclip, SendHorizontal } from "lucide-react";
import type { CannedResponse, ConversationSummary, Id, InboxMessage, SendMessageRequest, TemplateSend } from "../../api/types";
import { Spinner } from "../../components/Spinner";
import { useErrorMessage } from "../../lib/errors";
import { cx } from "../../lib/format";
import { errorCode, inboxApi, inboxKeys } from "./api";
import { cannedQuery, insertCanned, matchCanned } from "./canned";
import { EmojiPicker } from "./EmojiPicker";
import { TemplatePicker } from "../templates/TemplatePicker";
import { formatDuration, windowLeftMs } from "./time";

/** Unsent drafts per conversation, kept while the dashboard is open. */
const drafts = new Map<Id, string>();

export function clearComposerDrafts(): void {
  drafts.clear();
}

export interface ComposerProps {
  contactId: Id;
  conversation: Pick<ConversationSummary, "window_open" | "window_expires_at">;
  /** A message or note was accepted by the API. */
  onMessage: (message: InboxMessage) => void;
  /** The API said the window is closed: re-read the conversation. */
  onWindowClosed: () => void;
  onTyping: () => void;
  onStopTyping: () => void;
}

function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(id);
  }, [intervalMs]);
  return now;
}

export function Composer({ contactId, conversation, onMessage, onWindowClosed, onTyping, onStopTyping }: ComposerProps) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const [text, setTextState] = useState(() => drafts.get(contactId) ?? "");
  const [caret, setCaret] = useState(0);
  const [noteMode, setNoteMode] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [cannedIndex, setCannedIndex] = useState(0);
  const [cannedDismissed, setCannedDismissed] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const now = useNow(30_000);

  const setText = (value: string) => {
    setTextState(value);
    if (value) drafts.set(contactId, value);
    else drafts.delete(contactId);
  };

  const leftMs = windowLeftMs(conversation.window_expires_at, now);
  const windowOpen = conversation.window_open && (conversation.window_expires_at ? leftMs > 0 : true);

  const canned = useQuery({ queryKey: inboxKeys.canned, queryFn: inboxApi.cannedResponses, staleTime: 60_000 });
  const cq = cannedDismissed ? null : cannedQuery(text, caret);
  const matches = useMemo(
    () => (cq ? matchCanned(canned.data?.canned_responses ?? [], cq.query) : []),
    [cq, canned.data],
  );
  const cannedOpen = cq !== null && matches.length > 0;

  const onError = (err: unknown) => {
    setError(describe(err));
    if (errorCode(err) === "window_closed") onWindowClosed();
  };

  const send = useMutation({
    mutationFn: (body: SendMessageRequest) => inboxApi.send(contactId, body),
    onSuccess: ({ message }) => {
      setError(null);
      onMessage(message);
    },
    onError,
  });
  const note = useMutation({
    mutationFn: (body: string) => inboxApi.note(contactId, body),
    onSuccess: ({ message }) => {
      setError(null);
      onMessage(message);
    },
    onError,
  });
  const upload = useMutation({
    mutationFn: async (file: File) => {
      const media = await inboxApi.upload(contactId, file);
      const type = (["image", "video", "audio", "document", "sticker"] as const).find((k) => k === media.type) ?? "document";
      const caption = text.trim();
      const body: SendMessageRequest = {
        type,
        media_id: media.media_id,
        ...(caption && type !== "audio" && type !== "sticker" ? { caption } : {}),
        ...(type === "document" ? { filename: media.filename ?? file.name } : {}),
      };
      return { result: await inboxApi.send(contactId, body), usedCaption: "caption" in body };
    },
    onSuccess: ({ result, usedCaption }) => {
      setError(null);
      if (usedCaption) setText("");
      onMessage(result.message);
    },
    onError,
  });
  const busy = send.isPending || note.isPending || upload.isPending;

  const submit = () => {
    const body = text.trim();
    if (!body || busy) return;
    onStopTyping();
    const done = { onSuccess: () => setText("") };
    if (noteMode) note.mutate(body, done);
    else send.mutate({ type: "text", text: body }, done);
  };

  const sendTemplate = (template: TemplateSend) => send.mutate({ type: "template", template });

  const pickCanned = (response: CannedResponse) => {
    if (!cq) return;
    const next = insertCanned(text, caret, cq, response);
    setText(next.text);
    setCaret(next.caret);
    requestAnimationFrame(() => {
      input.current?.focus();
      input.current?.setSelectionRange(next.caret, next.caret);
    });
  };

  const insertAtCaret = (value: string) => {
    const el = input.current;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    const next = text.slice(0, start) + value + text.slice(end);
    setText(next);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + value.length, start + value.length);
    });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.nativeEvent.isComposing) return;
    if (cannedOpen) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const delta = event.key === "ArrowDown" ? 1 : -1;
        setCannedIndex((i) => (i + delta + matches.length) % matches.length);
        return;
      }
      if ((event.key === "Tab" || event.key === "Enter") && !event.shiftKey) {
        event.preventDefault();
        pickCanned(matches[Math.min(cannedIndex, matches.length - 1)]);
        return;
      }
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        setCannedDismissed(true);
        return;
      }
    }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey || !event.shiftKey)) {
      event.preventDefault();
      submit();
    }
  };

  const freeTextAllowed = windowOpen || noteMode;

  return (
    <div className="border-t border-zinc-200 bg-white px-3 pt-2 pb-3">
      <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
        <div role="tablist" aria-label={t("inbox.composer.modeLabel")} className="flex rounded-lg bg-zinc-100 p-0.5">
          <button
            type="button"
            role="tab"
            aria-selected={!noteMode}
            onClick={() => setNoteMode(false)}
            className={cx(
              "rounded-md px-2.5 py-1 text-xs font-medium transition-colors",
              !noteMode ? "bg-white text-zinc-900 shadow-sm" : "text-zinc-500 hover:text-zinc-800",
            )}
          >
            {t("inbox.composer.reply")}
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={noteMode}
            data-testid="composer-note-toggle"
            data-active={noteMode ? "true" : "false"}
            onClick={() => setNoteMode(true)}
            className={cx(
              "flex items-center gap-1 rounded-md px-2.5 py-1 text-xs font-medium transition-colors",
              noteMode ? "bg-amber-100 text-amber-900 shadow-sm" : "text-zinc-500 hover:text-zinc-800",
            )}
          >
            <Lock className="size-3" aria-hidden />
            {t("inbox.composer.note")}
          </button>
        </div>
        <p
          data-testid="composer-window"
          data-open={windowOpen ? "true" : "false"}
          className={cx("flex items-center gap-1 text-xs", windowOpen ? "text-emerald-700" : "text-amber-700")}
          title={t("inbox.composer.windowHelp")}
        >
          <Clock className="size-3.5" aria-hidden />
          {windowOpen
            ? conversation.window_expires_at
              ? t("inbox.composer.windowLeft", { time: formatDuration(leftMs) })
              : t("inbox.composer.windowOpen")
            : t("inbox.composer.windowClosedShort")}
        </p>
      </div>

      {error ? (
        <p data-testid="composer-error" role="alert" className="mb-2 rounded-lg bg-red-50 px-3 py-2 text-xs text-red-700 ring-1 ring-red-200 ring-inset">
          {error}
        </p>
      ) : null}

      {freeTextAllowed ? (
        <div
          className={cx(
            "relative flex items-end gap-1 rounded-xl border px-1.5 py-1.5 shadow-xs focus-within:ring-2",
            noteMode
              ? "border-amber-300 bg-amber-50 focus-within:ring-amber-400/40"
              : "border-zinc-300 bg-white focus-within:border-brand-600 focus-within:ring-brand-600/30",
          )}
        >
          {cannedOpen ? (
            <ul
              role="listbox"
              data-testid="canned-popover"
              aria-label={t("inbox.composer.canned")}
              className="absolute bottom-full left-0 z-30 mb-2 max-h-64 w-full max-w-md overflow-y-auto rounded-xl border border-zinc-200 bg-white p-1 shadow-lg"
            >
              {matches.map((r, i) => (
                <li
                  key={r.id}
                  role="option"
                  aria-selected={i === cannedIndex}
                  data-testid="canned-option"
                  onMouseDown={(e) => {
                    e.preventDefault();
                    pickCanned(r);
                  }}
                  onMouseEnter={() => setCannedIndex(i)}
                  className={cx("cursor-pointer rounded-lg px-2.5 py-1.5", i === cannedIndex ? "bg-brand-50" : null)}
                >
                  <span className="font-mono text-xs font-semibold text-brand-800">/{r.shortcut}</span>
                  <span className="block truncate text-xs text-zinc-600">{r.text}</span>
                </li>
              ))}
            </ul>
          ) : null}
          {!noteMode ? (
            <>
              <EmojiPicker onPick={insertAtCaret} disabled={busy} />
              <button
                type="button"
                data-testid="composer-attach"
                disabled={busy}
                onClick={() => fileInput.current?.click()}
                title={t("inbox.composer.attach")}
                aria-label={t("inbox.composer.attach")}
                className="rounded-lg p-2 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800 disabled:opacity-50"
              >
                {upload.isPending ? <Spinner className="size-5" /> : <Paperclip className="size-5" aria-hidden />}
              </button>
              <input
                ref={fileInput}
                type="file"
                className="hidden"
                data-testid="composer-file"
                onChange={(e) => {
                  const file = e.target.files?.[0];
                  e.target.value = "";
                  if (file) upload.mutate(file);
                }}
              />
              <TemplatePicker onSend={sendTemplate} sending={send.isPending} />
            </>
          ) : null}
          <textarea
            ref={input}
            data-testid="composer-input"
            value={text}
            rows={1}
            autoFocus
            onChange={(e) => {
              setText(e.target.value);
              setCaret(e.target.selectionStart);
              if (error) setError(null);
              setCannedDismissed(false);
              setCannedIndex(0);
              if (!noteMode && e.target.value) onTyping();
            }}
            onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
            onKeyDown={onKeyDown}
            onBlur={onStopTyping}
            placeholder={noteMode ? t("inbox.composer.notePlaceholder") : t("inbox.composer.placeholder")}
            aria-label={noteMode ? t("inbox.composer.notePlaceholder") : t("inbox.composer.placeholder")}
            className="max-h-40 min-h-9 flex-1 resize-none bg-transparent px-1.5 py-2 text-sm leading-5 text-zinc-900 placeholder:text-zinc-400 focus:outline-none"
            style={{ fieldSizing: "content" } as React.CSSProperties}
          />
          <button
            type="button"
            data-testid="composer-send"
            onClick={submit}
            disabled={busy || !text.trim()}
            title={noteMode ? t("inbox.composer.addNote") : t("inbox.composer.send")}
            aria-label={noteMode ? t("inbox.composer.addNote") : t("inbox.composer.send")}
            className={cx(
              "flex size-9 shrink-0 items-center justify-center rounded-lg text-white transition-colors disabled:opacity-40",
              noteMode ? "bg-amber-500 hover:bg-amber-600" : "bg-brand-600 hover:bg-brand-700",
            )}
          >
            {send.isPending || note.isPending ? <Spinner className="size-4" /> : <SendHorizontal className="size-4" aria-hidden />}
          </button>
        </div>
      ) : (
        <div
          data-testid="composer-closed"
          className="flex flex-wrap items-center justify-between gap-3 rounded-xl border border-amber-200 bg-amber-50 px-3 py-2.5"
        >
          <p className="min-w-0 flex-1 text-xs text-amber-900">{t("inbox.composer.windowClosed")}</p>
          <TemplatePicker onSend={sendTemplate} sending={send.isPending} prominent />
        </div>
      )}
      <p className="mt-1.5 text-[11px] text-zinc-400">
        {noteMode ? t("inbox.composer.noteHint") : t("inbox.composer.hint")}
      </p>
    </div>
  );
}
