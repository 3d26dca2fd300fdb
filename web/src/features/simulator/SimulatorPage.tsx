import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from "react";
import { Link, useSearchParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ImagePlus, MapPin, Plus, SendHorizontal, Smartphone, UserRound, X } from "lucide-react";
import { queryKeys, sandboxApi, whatsappApi } from "../../api/endpoints";
import type {
  Id,
  SandboxCustomer,
  SandboxMessage,
  SandboxSendRequest,
  WhatsAppAccount,
} from "../../api/types";
import { Button, buttonClasses } from "../../components/Button";
import { PageHeader } from "../../components/Card";
import { EmptyState } from "../../components/EmptyState";
import { Input, Select } from "../../components/Field";
import { FormError } from "../../components/FormError";
import { PageSpinner, Spinner } from "../../components/Spinner";
import { useToast } from "../../components/Toast";
import { useErrorMessage } from "../../lib/errors";
import { cx, formatDate, initials } from "../../lib/format";
import { MessageBubble } from "./MessageBubble";
import { at, fileToBase64, listSections, messageKind, str } from "./payload";

/** How often the open conversation is refetched (until a socket pushes updates). */
export const POLL_INTERVAL_MS = 1500;
/** Largest image the simulated customer may send. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/** What the location button sends. */
export const SAMPLE_LOCATION = {
  latitude: -34.603722,
  longitude: -58.381592,
  name: "Obelisco de Buenos Aires",
  address: "Av. 9 de Julio s/n, C1043 Buenos Aires, Argentina",
} as const;

export function SimulatorPage() {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const [params, setParams] = useSearchParams();
  const accounts = useQuery({ queryKey: queryKeys.whatsappAccounts, queryFn: whatsappApi.list });

  const header = <PageHeader title={t("simulator.title")} description={t("simulator.subtitle")} />;

  if (accounts.isPending) return <PageSpinner label={t("common.loading")} />;
  if (accounts.isError)
    return (
      <div>
        {header}
        <FormError message={describe(accounts.error)} />
      </div>
    );

  const sandboxAccounts = accounts.data.filter((a) => a.sandbox);
  if (sandboxAccounts.length === 0) {
    return (
      <div>
        {header}
        <EmptyState
          icon={Smartphone}
          title={t("simulator.emptyTitle")}
          description={t("simulator.emptyBody")}
        >
          <Link
            to="/settings/whatsapp"
            data-testid="sim-open-settings"
            className={buttonClasses("primary")}
          >
            {t("simulator.openSettings")}
          </Link>
        </EmptyState>
      </div>
    );
  }

  const requested = params.get("account");
  const account = sandboxAccounts.find((a) => String(a.id) === requested) ?? sandboxAccounts[0];

  return (
    <div>
      {header}
      <AccountSimulator
        key={account.id}
        account={account}
        accounts={sandboxAccounts}
        customerId={params.get("customer")}
        onAccount={(id) => setParams({ account: id }, { replace: true })}
        onCustomer={(waId) => setParams({ account: String(account.id), customer: waId }, { replace: true })}
      />
    </div>
  );
}

function accountLabel(account: WhatsAppAccount, fallback: string): string {
  return account.name || account.displayPhoneNumber || fallback;
}

function AccountSimulator({
  account,
  accounts,
  customerId,
  onAccount,
  onCustomer,
}: {
  account: WhatsAppAccount;
  accounts: WhatsAppAccount[];
  customerId: string | null;
  onAccount: (id: string) => void;
  onCustomer: (waId: string) => void;
}) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const queryClient = useQueryClient();
  const accountId = String(account.id);
  const customers = useQuery({
    queryKey: queryKeys.sandboxCustomers(accountId),
    queryFn: () => sandboxApi.customers(accountId),
  });
  const [name, setName] = useState("");
  const create = useMutation({
    mutationFn: (profileName: string) => sandboxApi.createCustomer(accountId, { profileName }),
    onSuccess: (created) => {
      // The server lists customers sorted by waId; add the new one in place (no refetch needed).
      queryClient.setQueryData<SandboxCustomer[]>(queryKeys.sandboxCustomers(accountId), (list = []) =>
        [...list.filter((c) => c.waId !== created.waId), created].sort((a, b) => a.waId.localeCompare(b.waId)),
      );
      setName("");
      onCustomer(created.waId);
    },
  });

  const list = customers.data ?? [];
  const customer = list.find((c) => c.waId === customerId) ?? list[0] ?? null;
  const business = accountLabel(account, t("simulator.businessFallback"));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const profileName = name.trim();
    if (profileName && !create.isPending) create.mutate(profileName);
  };

  return (
    <div className="grid gap-5 lg:grid-cols-[16rem_minmax(0,1fr)] lg:items-start">
      <aside className="space-y-4 rounded-xl border border-zinc-200 bg-white p-4 shadow-xs">
        {accounts.length > 1 ? (
          <div className="space-y-1.5">
            <label htmlFor="sim-account" className="block text-sm font-medium text-zinc-800">
              {t("simulator.account")}
            </label>
            <Select
              id="sim-account"
              data-testid="sim-account"
              value={accountId}
              onChange={(event) => onAccount(event.target.value)}
            >
              {accounts.map((a) => (
                <option key={a.id} value={String(a.id)}>
                  {accountLabel(a, t("simulator.businessFallback"))}
                  {a.displayPhoneNumber && a.name ? ` · ${a.displayPhoneNumber}` : ""}
                </option>
              ))}
            </Select>
          </div>
        ) : (
          <div data-testid="sim-account-name">
            <p className="text-xs font-medium text-zinc-500">{t("simulator.account")}</p>
            <p className="truncate text-sm font-medium text-zinc-900">{business}</p>
          </div>
        )}

        <form onSubmit={submit} className="space-y-1.5">
          <label htmlFor="sim-new-customer-name" className="block text-sm font-medium text-zinc-800">
            {t("simulator.newCustomer")}
          </label>
          <div className="flex gap-2">
            <Input
              id="sim-new-customer-name"
              data-testid="sim-new-customer-name"
              value={name}
              maxLength={80}
              placeholder={t("simulator.newCustomerPlaceholder")}
              onChange={(event) => setName(event.target.value)}
            />
            <Button
              type="submit"
              variant="primary"
              data-testid="sim-new-customer-submit"
              loading={create.isPending}
              disabled={!name.trim()}
              aria-label={t("simulator.create")}
              title={t("simulator.create")}
              icon={<Plus className="size-4" aria-hidden />}
            />
          </div>
          {create.isError ? <FormError message={describe(create.error)} /> : null}
        </form>

        <div>
          <h2 className="mb-2 text-xs font-semibold tracking-wide text-zinc-500 uppercase">
            {t("simulator.customers")}
          </h2>
          {customers.isPending ? (
            <div className="flex justify-center py-4 text-zinc-400">
              <Spinner label={t("common.loading")} />
            </div>
          ) : customers.isError ? (
            <FormError message={describe(customers.error)} />
          ) : list.length === 0 ? (
            <p data-testid="sim-no-customers" className="text-sm text-zinc-500">
              {t("simulator.noCustomers")}
            </p>
          ) : (
            <ul className="-mx-1 max-h-48 space-y-0.5 overflow-y-auto lg:max-h-[28rem]">
              {list.map((c) => {
                const active = customer?.waId === c.waId;
                return (
                  <li key={c.waId}>
                    <button
                      type="button"
                      data-testid="sim-customer"
                      data-wa-id={c.waId}
                      aria-current={active ? "true" : undefined}
                      onClick={() => onCustomer(c.waId)}
                      className={cx(
                        "flex w-full items-center gap-2.5 rounded-lg px-2 py-1.5 text-left transition-colors",
                        active ? "bg-brand-50 text-brand-800" : "hover:bg-zinc-100",
                      )}
                    >
                      <span className="flex size-8 shrink-0 items-center justify-center rounded-full bg-zinc-200 text-xs font-semibold text-zinc-600">
                        {c.profileName ? initials(c.profileName) : <UserRound className="size-4" aria-hidden />}
                      </span>
                      <span className="min-w-0">
                        <span className="block truncate text-sm font-medium">{c.profileName || c.waId}</span>
                        <span className="block truncate text-xs text-zinc-500">+{c.waId}</span>
                      </span>
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      </aside>

      <section aria-label={t("simulator.phone")}>
        <PhoneFrame business={business} subtitle={account.displayPhoneNumber || t("simulator.sandboxLabel")}>
          {customer ? (
            <Conversation key={customer.waId} accountId={accountId} customer={customer} />
          ) : (
            <div className="flex flex-1 items-center justify-center bg-[#efeae2] p-6 text-center">
              <p data-testid="sim-pick-customer" className="rounded-lg bg-white/90 px-3 py-2 text-sm text-zinc-600 shadow-sm">
                {t("simulator.pickCustomer")}
              </p>
            </div>
          )}
        </PhoneFrame>
      </section>
    </div>
  );
}

function PhoneFrame({ business, subtitle, children }: { business: string; subtitle: string; children: ReactNode }) {
  return (
    <div
      data-testid="sim-phone"
      className="mx-auto flex h-[70vh] max-h-[720px] min-h-[480px] w-full max-w-[400px] flex-col overflow-hidden rounded-[2rem] border-[6px] border-zinc-900 bg-zinc-900 shadow-xl"
    >
      <div className="flex items-center gap-2.5 bg-[#075e54] px-3 py-2.5 text-white">
        <span className="flex size-9 shrink-0 items-center justify-center rounded-full bg-white/20 text-sm font-semibold">
          {initials(business)}
        </span>
        <span className="min-w-0">
          <span data-testid="sim-business-name" className="block truncate text-[15px] font-semibold">
            {business}
          </span>
          <span className="block truncate text-xs text-white/75">{subtitle}</span>
        </span>
      </div>
      <div className="relative flex min-h-0 flex-1 flex-col">{children}</div>
    </div>
  );
}

function dayLabel(timestamp: number, t: (key: "simulator.today" | "simulator.yesterday") => string): string {
  const date = new Date(timestamp * 1000);
  const today = new Date();
  const yesterday = new Date();
  yesterday.setDate(today.getDate() - 1);
  if (date.toDateString() === today.toDateString()) return t("simulator.today");
  if (date.toDateString() === yesterday.toDateString()) return t("simulator.yesterday");
  return formatDate(date.toISOString());
}

/** Reaction messages whose target is in the list are shown as a badge on the target. */
function splitReactions(messages: SandboxMessage[]) {
  const ids = new Set(messages.map((m) => m.wamid));
  const byTarget = new Map<string, Map<string, string>>();
  const visible: SandboxMessage[] = [];
  for (const message of messages) {
    const target = messageKind(message) === "reaction" ? str(at(message.payload, "reaction", "message_id")) : null;
    if (target && ids.has(target)) {
      const emoji = str(at(message.payload, "reaction", "emoji")) ?? "";
      const perSender = byTarget.get(target) ?? new Map<string, string>();
      if (emoji) perSender.set(message.direction, emoji);
      else perSender.delete(message.direction);
      byTarget.set(target, perSender);
    } else {
      visible.push(message);
    }
  }
  const reactions = new Map<string, string[]>();
  for (const [target, perSender] of byTarget) {
    if (perSender.size > 0) reactions.set(target, [...perSender.values()]);
  }
  return { visible, reactions };
}

function Conversation({ accountId, customer }: { accountId: Id; customer: SandboxCustomer }) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const toast = useToast();
  const queryClient = useQueryClient();
  const key = queryKeys.sandboxMessages(accountId, customer.waId);
  const conversation = useQuery({
    queryKey: key,
    queryFn: () => sandboxApi.messages(accountId, customer.waId),
    refetchInterval: POLL_INTERVAL_MS,
    refetchIntervalInBackground: false,
  });
  const [text, setText] = useState("");
  const [openList, setOpenList] = useState<SandboxMessage | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const send = useMutation({
    mutationFn: (body: SandboxSendRequest) => sandboxApi.send(accountId, customer.waId, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: key }),
    onError: (error) => toast.error(describe(error)),
  });

  const messages = useMemo(
    () => [...(conversation.data?.messages ?? [])].sort((a, b) => a.timestamp - b.timestamp),
    [conversation.data],
  );
  const { visible, reactions } = useMemo(() => splitReactions(messages), [messages]);

  useEffect(() => {
    if (!openList) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") setOpenList(null);
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [openList]);

  const count = visible.length;
  const last = visible[count - 1]?.wamid;
  useEffect(() => {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [count, last]);

  const submitText = (event: FormEvent) => {
    event.preventDefault();
    const body = text.trim();
    if (!body || send.isPending) return;
    send.mutate({ type: "text", text: body }, { onSuccess: () => setText("") });
  };

  const onImage = async (file: File | undefined) => {
    if (fileInput.current) fileInput.current.value = "";
    if (!file) return;
    if (!file.type.startsWith("image/")) {
      toast.error(t("simulator.errors.imageType"));
      return;
    }
    if (file.size > MAX_IMAGE_BYTES) {
      toast.error(t("simulator.errors.imageSize", { max: MAX_IMAGE_BYTES / (1024 * 1024) }));
      return;
    }
    let dataBase64: string;
    try {
      dataBase64 = await fileToBase64(file);
    } catch {
      toast.error(t("simulator.errors.imageRead"));
      return;
    }
    const caption = text.trim();
    send.mutate(
      { type: "image", dataBase64, mimeType: file.type, ...(caption ? { caption } : {}) },
      { onSuccess: () => (caption ? setText("") : undefined) },
    );
  };

  const sections = openList ? listSections(at(openList.payload, "interactive")) : [];
  let lastDay = "";

  return (
    <>
      <div
        ref={scroller}
        data-testid="sim-chat"
        className="min-h-0 flex-1 space-y-1.5 overflow-y-auto bg-[#efeae2] px-3 py-3"
      >
        <p className="mx-auto mb-2 w-fit max-w-full rounded-md bg-[#fff5c4] px-2.5 py-1 text-center text-[11px] text-zinc-700 shadow-sm">
          {t("simulator.playingAs", { name: customer.profileName || `+${customer.waId}` })}
        </p>
        {conversation.isPending ? (
          <div className="flex justify-center py-6 text-zinc-400">
            <Spinner label={t("common.loading")} />
          </div>
        ) : conversation.isError && !conversation.data ? (
          <FormError message={describe(conversation.error)} />
        ) : visible.length === 0 ? (
          <p data-testid="sim-no-messages" className="py-6 text-center text-sm text-zinc-500">
            {t("simulator.noMessages")}
          </p>
        ) : (
          visible.map((message) => {
            const day = new Date(message.timestamp * 1000).toDateString();
            const separator =
              day !== lastDay ? (
                <div className="flex justify-center py-1" data-testid="sim-day">
                  <span className="rounded-md bg-white/90 px-2 py-0.5 text-[11px] text-zinc-600 shadow-sm">
                    {dayLabel(message.timestamp, t)}
                  </span>
                </div>
              ) : null;
            lastDay = day;
            return (
              <div key={message.wamid}>
                {separator}
                <MessageBubble
                  message={message}
                  accountId={accountId}
                  reactions={reactions.get(message.wamid)}
                  busy={send.isPending}
                  onReplyButton={(m, id) => send.mutate({ type: "button_reply", replyTo: m.wamid, id })}
                  onOpenList={setOpenList}
                />
              </div>
            );
          })
        )}
      </div>

      {conversation.data ? (
        <p
          data-testid="sim-window"
          data-open={conversation.data.windowOpen ? "true" : "false"}
          className={cx(
            "bg-[#f0f2f5] px-3 pt-1.5 text-center text-[11px]",
            conversation.data.windowOpen ? "text-emerald-700" : "text-amber-700",
          )}
        >
          {conversation.data.windowOpen ? t("simulator.windowOpen") : t("simulator.windowClosed")}
        </p>
      ) : null}

      <form onSubmit={submitText} className="flex items-center gap-1.5 bg-[#f0f2f5] px-2 py-2">
        <button
          type="button"
          data-testid="sim-send-location"
          onClick={() => send.mutate({ type: "location", ...SAMPLE_LOCATION })}
          disabled={send.isPending}
          title={t("simulator.composer.location")}
          aria-label={t("simulator.composer.location")}
          className="rounded-full p-2 text-zinc-500 hover:bg-black/5 disabled:opacity-50"
        >
          <MapPin className="size-5" aria-hidden />
        </button>
        <label
          title={t("simulator.composer.image")}
          className={cx(
            "cursor-pointer rounded-full p-2 text-zinc-500 hover:bg-black/5 focus-within:outline-2 focus-within:outline-brand-600",
            send.isPending && "pointer-events-none opacity-50",
          )}
        >
          <ImagePlus className="size-5" aria-hidden />
          <span className="sr-only">{t("simulator.composer.image")}</span>
          <input
            ref={fileInput}
            type="file"
            accept="image/*"
            data-testid="sim-attach-image"
            className="sr-only"
            disabled={send.isPending}
            onChange={(event) => void onImage(event.target.files?.[0])}
          />
        </label>
        <input
          data-testid="sim-input"
          value={text}
          onChange={(event) => setText(event.target.value)}
          placeholder={t("simulator.composer.placeholder")}
          aria-label={t("simulator.composer.placeholder")}
          autoComplete="off"
          className="h-10 min-w-0 flex-1 rounded-full border-0 bg-white px-4 text-sm text-zinc-900 shadow-xs placeholder:text-zinc-400 focus:ring-2 focus:ring-brand-600/30 focus:outline-none"
        />
        <button
          type="submit"
          data-testid="sim-send"
          disabled={!text.trim() || send.isPending}
          title={t("simulator.composer.send")}
          aria-label={t("simulator.composer.send")}
          className="flex size-10 shrink-0 items-center justify-center rounded-full bg-[#00a884] text-white hover:bg-[#008f72] disabled:opacity-50"
        >
          {send.isPending ? <Spinner className="size-4" /> : <SendHorizontal className="size-5" aria-hidden />}
        </button>
      </form>

      {openList ? (
        <div className="absolute inset-0 z-10 flex flex-col justify-end bg-black/30" data-testid="sim-list-sheet">
          <div
            role="dialog"
            aria-modal="true"
            aria-labelledby="sim-list-title"
            className="max-h-[75%] overflow-y-auto rounded-t-2xl bg-white pb-2 shadow-xl"
          >
            <div className="sticky top-0 flex items-center gap-2 border-b border-zinc-100 bg-white px-3 py-2.5">
              <button
                type="button"
                data-testid="sim-list-close"
                onClick={() => setOpenList(null)}
                aria-label={t("simulator.list.close")}
                className="rounded-full p-1 text-zinc-500 hover:bg-zinc-100"
              >
                <X className="size-5" aria-hidden />
              </button>
              <h3 id="sim-list-title" className="truncate text-[15px] font-semibold text-zinc-900">
                {str(at(openList.payload, "interactive", "action", "button")) ?? t("simulator.list.title")}
              </h3>
            </div>
            {sections.map((section, index) => (
              <div key={index} className="px-3 pt-2">
                {section.title ? (
                  <p className="px-1 pb-1 text-xs font-semibold text-emerald-700">{section.title}</p>
                ) : null}
                <ul>
                  {section.rows.map((row) => (
                    <li key={row.id}>
                      <button
                        type="button"
                        data-testid="sim-list-row"
                        data-id={row.id}
                        disabled={send.isPending}
                        onClick={() => {
                          const message = openList;
                          setOpenList(null);
                          send.mutate({ type: "list_reply", replyTo: message.wamid, id: row.id });
                        }}
                        className="block w-full rounded-lg px-1 py-2 text-left hover:bg-zinc-50 disabled:opacity-60"
                      >
                        <span className="block text-sm text-zinc-900">{row.title}</span>
                        {row.description ? (
                          <span className="block text-xs text-zinc-500">{row.description}</span>
                        ) : null}
                      </button>
                    </li>
                  ))}
                </ul>
              </div>
            ))}
          </div>
        </div>
      ) : null}
    </>
  );
}
