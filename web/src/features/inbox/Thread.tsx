/** The middle pane: header, the WhatsApp-like thread, typing indicator and composer. */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ArrowDown, Bot, CheckCircle2, PanelRightClose, PanelRightOpen, RotateCcw, UserRound } from "lucide-react";
import type { ConversationDetail, Id, InboxMessage, UserRef } from "../../api/types";
import { Badge } from "../../components/Badge";
import { Button } from "../../components/Button";
import { FormError } from "../../components/FormError";
import { Spinner } from "../../components/Spinner";
import { useToast } from "../../components/Toast";
import { useErrorMessage } from "../../lib/errors";
import { formatDate, initials } from "../../lib/format";
import { inboxApi, inboxKeys } from "./api";
import { Composer } from "./Composer";
import { useConversationUpdate } from "./ContactPanel";
import { MessageItem } from "./MessageItem";
import { useThread } from "./queries";
import { appendMessage, dayName, findQuoted, groupByDay, reactionsFor, splitReactions, threadMessages, type ThreadData } from "./thread";

const NEAR_BOTTOM_PX = 80;
const NEAR_TOP_PX = 120;

function DaySeparator({ date }: { date: Date }) {
  const { t } = useTranslation();
  const name = dayName(date);
  return (
    <div className="flex justify-center py-2" data-testid="day-separator">
      <span className="rounded-md bg-white/90 px-2.5 py-0.5 text-[11px] font-medium text-zinc-600 shadow-sm">
        {name ? t(`inbox.thread.${name}`) : formatDate(date.toISOString())}
      </span>
    </div>
  );
}

export function ModeBadge({ mode }: { mode: ConversationDetail["mode"] }) {
  const { t } = useTranslation();
  return (
    <Badge tone={mode === "human" ? "amber" : "blue"} data-testid="conversation-mode" data-mode={mode}>
      {mode === "human" ? <UserRound className="size-3" aria-hidden /> : <Bot className="size-3" aria-hidden />}
      {t(`inbox.mode.${mode}`)}
    </Badge>
  );
}

export function TypingIndicator({ users }: { users: UserRef[] }) {
  const { t } = useTranslation();
  if (users.length === 0) return null;
  const label =
    users.length === 1
      ? t("inbox.thread.typingOne", { name: users[0].name })
      : t("inbox.thread.typingMany", { names: users.map((u) => u.name).join(", ") });
  return (
    <p data-testid="typing-indicator" className="flex items-center gap-1.5 px-4 py-1 text-xs text-zinc-500 italic">
      <span className="flex gap-0.5" aria-hidden>
        <span className="size-1 animate-bounce rounded-full bg-zinc-400 [animation-delay:-0.2s]" />
        <span className="size-1 animate-bounce rounded-full bg-zinc-400 [animation-delay:-0.1s]" />
        <span className="size-1 animate-bounce rounded-full bg-zinc-400" />
      </span>
      {label}
    </p>
  );
}

export interface ThreadProps {
  contactId: Id;
  pollInterval: number | false;
  typing: UserRef[];
  notifyTyping: () => void;
  stopTyping: () => void;
  panelOpen: boolean;
  onTogglePanel: () => void;
}

export function Thread({ contactId, pollInterval, typing, notifyTyping, stopTyping, panelOpen, onTogglePanel }: ThreadProps) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const toast = useToast();
  const queryClient = useQueryClient();
  const thread = useThread(contactId, pollInterval);
  const applyAnswer = useConversationUpdate(contactId);
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const restore = useRef<{ height: number; top: number } | null>(null);
  const [unseen, setUnseen] = useState(0);

  const messages = useMemo(() => threadMessages(thread.data), [thread.data]);
  const { visible, reactions } = useMemo(() => splitReactions(messages), [messages]);
  const items = useMemo(() => groupByDay(visible), [visible]);
  const conversation = thread.data?.pages[0]?.conversation ?? null;
  const lookup = useCallback((ref: string) => findQuoted(messages, ref), [messages]);

  const status = useMutation({
    mutationFn: (next: "open" | "resolved") => inboxApi.update(contactId, { status: next }),
    onSuccess: (answer) => applyAnswer(answer),
    onError: (error) => toast.error(describe(error)),
  });

  const scrollToBottom = useCallback((smooth = false) => {
    const el = scroller.current;
    if (!el) return;
    if (smooth && typeof el.scrollTo === "function") el.scrollTo({ top: el.scrollHeight, behavior: "smooth" });
    else el.scrollTop = el.scrollHeight;
    atBottom.current = true;
    setUnseen(0);
  }, []);

  // A newly opened conversation starts at its latest message.
  const loaded = thread.data !== undefined;
  useLayoutEffect(() => {
    if (loaded) scrollToBottom();
  }, [contactId, loaded, scrollToBottom]);

  // Older pages keep the reader where they were.
  const firstId = visible[0]?.id;
  useLayoutEffect(() => {
    const el = scroller.current;
    const saved = restore.current;
    if (!el || !saved) return;
    el.scrollTop = saved.top + (el.scrollHeight - saved.height);
    restore.current = null;
  }, [firstId]);

  // New messages: follow them when at the bottom (or when we wrote them); else count them.
  const last = visible[visible.length - 1];
  const lastId = last?.id;
  const prevLast = useRef<string | undefined>(undefined);
  useLayoutEffect(() => {
    const before = prevLast.current;
    prevLast.current = lastId;
    if (!before || !lastId || before === lastId) return;
    const mine = last && last.direction !== "inbound" && last.sent_by !== null;
    if (atBottom.current || mine) scrollToBottom();
    else {
      const index = visible.findIndex((m) => m.id === before);
      setUnseen((n) => n + Math.max(1, visible.length - 1 - index));
    }
  }, [lastId]);

  // The composer growing (an error, a longer draft) shrinks the thread: keep the bottom in view.
  useEffect(() => {
    const el = scroller.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => {
      if (atBottom.current) el.scrollTop = el.scrollHeight;
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [loaded]);

  useEffect(() => {
    setUnseen(0);
    prevLast.current = undefined;
    atBottom.current = true;
  }, [contactId]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
    if (atBottom.current && unseen) setUnseen(0);
    if (el.scrollTop < NEAR_TOP_PX && thread.hasNextPage && !thread.isFetchingNextPage) {
      restore.current = { height: el.scrollHeight, top: el.scrollTop };
      void thread.fetchNextPage();
    }
  };

  const onMessage = (message: InboxMessage) => {
    queryClient.setQueryData<ThreadData>(inboxKeys.thread(contactId), (data) => appendMessage(data, message));
    void queryClient.invalidateQueries({ queryKey: inboxKeys.lists });
    void queryClient.invalidateQueries({ queryKey: inboxKeys.counts });
  };

  if (thread.isPending) {
    return (
      <div className="flex h-full items-center justify-center bg-[#efeae2] text-zinc-400">
        <Spinner className="size-6" label={t("common.loading")} />
      </div>
    );
  }
  if (thread.isError || !conversation) {
    return (
      <div className="p-6">
        <FormError message={describe(thread.error)} />
      </div>
    );
  }

  const name = conversation.contact_name || conversation.contact?.name || conversation.contact_phone || "?";

  return (
    <div className="flex h-full min-h-0 flex-col">
      <header className="flex h-14 shrink-0 items-center gap-3 border-b border-zinc-200 bg-white px-4">
        <span className="flex size-9 shrink-0 items-center justify-center rounded-full bg-brand-100 text-xs font-semibold text-brand-800">
          {initials(name)}
        </span>
        <div className="min-w-0 flex-1">
          <p className="truncate text-sm font-semibold text-zinc-900" data-testid="thread-title">
            {name}
          </p>
          <p className="truncate text-xs text-zinc-500">{conversation.contact_phone}</p>
        </div>
        <ModeBadge mode={conversation.mode} />
        {conversation.status === "resolved" ? (
          <Button
            size="sm"
            data-testid="thread-reopen"
            loading={status.isPending}
            icon={<RotateCcw className="size-3.5" aria-hidden />}
            onClick={() => status.mutate("open")}
          >
            {t("inbox.panel.reopen")}
          </Button>
        ) : (
          <Button
            size="sm"
            data-testid="thread-resolve"
            loading={status.isPending}
            icon={<CheckCircle2 className="size-3.5" aria-hidden />}
            onClick={() => status.mutate("resolved")}
          >
            {t("inbox.panel.resolve")}
          </Button>
        )}
        <button
          type="button"
          data-testid="panel-toggle"
          onClick={onTogglePanel}
          aria-pressed={panelOpen}
          title={panelOpen ? t("inbox.panel.close") : t("inbox.panel.open")}
          aria-label={panelOpen ? t("inbox.panel.close") : t("inbox.panel.open")}
          className="rounded-lg p-1.5 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800"
        >
          {panelOpen ? <PanelRightClose className="size-5" aria-hidden /> : <PanelRightOpen className="size-5" aria-hidden />}
        </button>
      </header>

      <div className="relative min-h-0 flex-1">
        <div
          ref={scroller}
          onScroll={onScroll}
          // Images and videos grow the thread when they load: stay at the bottom if we were.
          onLoadCapture={() => {
            if (atBottom.current) scrollToBottom();
          }}
          onLoadedMetadataCapture={() => {
            if (atBottom.current) scrollToBottom();
          }}
          data-testid="inbox-thread"
          data-contact-id={contactId}
          className="h-full space-y-1.5 overflow-y-auto bg-[#efeae2] px-4 py-3 sm:px-8"
        >
          {thread.isFetchingNextPage ? (
            <div className="flex justify-center py-2 text-zinc-400">
              <Spinner className="size-4" label={t("inbox.thread.loadingOlder")} />
            </div>
          ) : thread.hasNextPage ? (
            <div className="flex justify-center py-1">
              <button
                type="button"
                data-testid="load-older"
                onClick={() => {
                  const el = scroller.current;
                  if (el) restore.current = { height: el.scrollHeight, top: el.scrollTop };
                  void thread.fetchNextPage();
                }}
                className="rounded-full bg-white/90 px-3 py-1 text-xs text-zinc-600 shadow-sm hover:bg-white"
              >
                {t("inbox.thread.loadOlder")}
              </button>
            </div>
          ) : (
            <p className="mx-auto mb-2 w-fit max-w-full rounded-md bg-[#fff5c4] px-2.5 py-1 text-center text-[11px] text-zinc-700 shadow-sm">
              {t("inbox.thread.start")}
            </p>
          )}
          {items.length === 0 ? (
            <p className="py-6 text-center text-sm text-zinc-500">{t("inbox.thread.empty")}</p>
          ) : (
            items.map((item) =>
              item.kind === "day" ? (
                <DaySeparator key={item.key} date={item.date} />
              ) : (
                <MessageItem
                  key={item.key}
                  message={item.message}
                  reactions={reactionsFor(reactions, item.message)}
                  findQuoted={lookup}
                />
              ),
            )
          )}
        </div>
        {unseen > 0 ? (
          <button
            type="button"
            data-testid="new-messages-pill"
            onClick={() => scrollToBottom(true)}
            className="absolute bottom-3 left-1/2 flex -translate-x-1/2 items-center gap-1.5 rounded-full bg-brand-600 px-3 py-1.5 text-xs font-medium text-white shadow-lg hover:bg-brand-700"
          >
            <ArrowDown className="size-3.5" aria-hidden />
            {t("inbox.thread.newMessages", { count: unseen })}
          </button>
        ) : null}
      </div>

      <div className="bg-[#efeae2]">
        <TypingIndicator users={typing} />
      </div>
      <Composer
        key={contactId}
        contactId={contactId}
        conversation={conversation}
        onMessage={onMessage}
        onWindowClosed={() => {
          void queryClient.invalidateQueries({ queryKey: inboxKeys.thread(contactId) });
          void queryClient.invalidateQueries({ queryKey: inboxKeys.lists });
        }}
        onTyping={notifyTyping}
        onStopTyping={stopTyping}
      />
    </div>
  );
}
