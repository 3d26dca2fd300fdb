import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Check, CheckCheck, Clock3, ExternalLink, FileText, List, MapPin, Mic, UserRound, Video } from "lucide-react";
import { sandboxApi } from "../../api/endpoints";
import type { Id, SandboxMessage, SandboxTemplateRendering } from "../../api/types";
import { cx } from "../../lib/format";
import i18n from "../../i18n";
import {
  arr,
  at,
  failureReason,
  interactiveHeaderText,
  isMediaKind,
  listSections,
  messageKind,
  replyButtons,
  str,
  type MediaKind,
} from "./payload";

export function formatTime(timestamp: number): string {
  const date = new Date(timestamp * 1000);
  if (Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat(i18n.resolvedLanguage ?? "en", { hour: "2-digit", minute: "2-digit" }).format(date);
}

export function Ticks({ message }: { message: SandboxMessage }) {
  const { t } = useTranslation();
  const status = message.status;
  let icon: ReactNode;
  let label: string;
  switch (status) {
    case "accepted":
      icon = <Clock3 className="size-3.5" aria-hidden />;
      label = t("simulator.ticks.accepted");
      break;
    case "sent":
      icon = <Check className="size-4" aria-hidden />;
      label = t("simulator.ticks.sent");
      break;
    case "delivered":
    case "received":
      icon = <CheckCheck className="size-4" aria-hidden />;
      label = t("simulator.ticks.delivered");
      break;
    case "read":
    case "played":
      icon = <CheckCheck className="size-4 text-sky-500" aria-hidden />;
      label = t("simulator.ticks.read");
      break;
    case "failed": {
      const reason = failureReason(message);
      label = reason ? t("simulator.ticks.failedReason", { reason }) : t("simulator.ticks.failed");
      icon = (
        <span className="flex size-4 items-center justify-center rounded-full bg-red-600 text-[10px] font-bold text-white">
          !
        </span>
      );
      break;
    }
    default:
      return null;
  }
  return (
    <span
      data-testid="sim-ticks"
      data-status={status}
      title={label}
      aria-label={label}
      role="img"
      className="inline-flex items-center text-zinc-400"
    >
      {icon}
    </span>
  );
}

function MediaContent({
  kind,
  media,
  mediaSrc,
  renderText,
}: {
  kind: MediaKind;
  media: unknown;
  mediaSrc: (media: unknown) => string | null;
  renderText: (text: string) => ReactNode;
}) {
  const { t } = useTranslation();
  const src = mediaSrc(media);
  const caption = str(at(media, "caption"));
  const filename = str(at(media, "filename"));
  const label = t(`simulator.message.${kind}`);
  let body: ReactNode;
  if (!src) {
    body = <span className="text-zinc-500 italic">{label}</span>;
  } else if (kind === "image" || kind === "sticker") {
    body = (
      <img
        src={src}
        alt={caption || label}
        data-testid="sim-image"
        className={cx("block rounded-md object-cover", kind === "sticker" ? "size-32" : "max-h-72 w-full")}
        loading="lazy"
      />
    );
  } else if (kind === "video") {
    body = (
      <span className="block">
        <span className="mb-1 flex items-center gap-1.5 text-zinc-500">
          <Video className="size-4" aria-hidden />
          {label}
        </span>
        <video src={src} controls className="block max-h-72 w-full rounded-md bg-black" />
      </span>
    );
  } else if (kind === "audio") {
    body = (
      <span className="block">
        <span className="mb-1 flex items-center gap-1.5 text-zinc-500">
          <Mic className="size-4" aria-hidden />
          {label}
        </span>
        <audio src={src} controls className="block w-56 max-w-full" />
      </span>
    );
  } else {
    body = (
      <a
        href={src}
        target="_blank"
        rel="noreferrer"
        download={filename || true}
        data-testid="wa-document"
        className="flex items-center gap-2 rounded-md bg-black/5 px-2.5 py-2 text-zinc-800 hover:bg-black/10"
      >
        <FileText className="size-5 shrink-0 text-zinc-500" aria-hidden />
        <span className="min-w-0 truncate">{filename || label}</span>
      </a>
    );
  }
  return (
    <>
      {body}
      {caption ? <p className="mt-1 whitespace-pre-wrap break-words">{renderText(caption)}</p> : null}
    </>
  );
}

function LocationContent({ location }: { location: unknown }) {
  const { t } = useTranslation();
  const lat = str(at(location, "latitude"));
  const lng = str(at(location, "longitude"));
  const name = str(at(location, "name"));
  const address = str(at(location, "address"));
  const href = lat && lng ? `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lng}#map=16/${lat}/${lng}` : null;
  return (
    <div className="flex items-start gap-2">
      <span className="flex size-10 shrink-0 items-center justify-center rounded-md bg-emerald-100 text-emerald-700">
        <MapPin className="size-5" aria-hidden />
      </span>
      <span className="min-w-0">
        <span className="block font-medium">{name || t("simulator.message.location")}</span>
        {address ? <span className="block text-xs text-zinc-600">{address}</span> : null}
        {href ? (
          <a href={href} target="_blank" rel="noreferrer" className="text-xs text-sky-700 hover:underline">
            {lat}, {lng}
          </a>
        ) : null}
      </span>
    </div>
  );
}

function Text({ children, className }: { children: ReactNode; className?: string }) {
  return <p className={cx("whitespace-pre-wrap break-words", className)}>{children}</p>;
}

function contactNames(contacts: unknown): string {
  return arr(contacts)
    .map((c) => str(at(c, "name", "formatted_name")) ?? str(at(c, "name", "first_name")) ?? "")
    .filter(Boolean)
    .join(", ");
}

function contactPhones(contacts: unknown): string[] {
  return arr(contacts).flatMap((c) =>
    arr(at(c, "phones")).map((phone) => str(at(phone, "phone")) ?? str(at(phone, "wa_id")) ?? ""),
  ).filter(Boolean);
}

interface BubbleActions {
  onReplyButton: (message: SandboxMessage, buttonId: string) => void;
  onOpenList: (message: SandboxMessage) => void;
  busy: boolean;
}

/** A WhatsApp message as raw JSON, whatever stored it (simulator or inbox). */
export interface WhatsAppView {
  /** "inbound" = written by the customer. */
  direction: "inbound" | "outbound";
  /** Meta's inbound message object, or the Graph API body that was sent. */
  payload: Record<string, unknown>;
  /** Fallback when the payload has no `type`. */
  type: string;
  /** How the emulator rendered a sent template, if known. */
  template?: SandboxTemplateRendering | null;
}

export interface WhatsAppContentOptions {
  /** URL of a media object's bytes (image, video, audio, document, sticker), if any. */
  mediaSrc: (media: unknown) => string | null;
  /** Formats message text (default: as is). */
  renderText?: (text: string) => ReactNode;
  /** Interactive actions (the simulator's customer can tap); read-only buttons without them. */
  onReplyButton?: (buttonId: string) => void;
  onOpenList?: () => void;
  busy?: boolean;
}

const plainText = (text: string): ReactNode => text;

/** The content of one bubble plus, for interactive messages, its buttons below. */
export function useWhatsAppContent(view: WhatsAppView, options: WhatsAppContentOptions) {
  const { t } = useTranslation();
  const p = view.payload;
  const kind = str(at(p, "type")) ?? view.type;
  const renderText = options.renderText ?? plainText;
  const message = view;
  const actions = options;
  let content: ReactNode;
  let footer: ReactNode = null;
  let interactiveType: string | null = null;

  if (kind === "text") {
    content = <Text>{renderText(str(at(p, "text", "body")) ?? str(at(p, "text")) ?? "")}</Text>;
  } else if (isMediaKind(kind)) {
    content = <MediaContent kind={kind} media={at(p, kind)} mediaSrc={options.mediaSrc} renderText={renderText} />;
  } else if (kind === "location") {
    content = <LocationContent location={at(p, "location")} />;
  } else if (kind === "contacts") {
    const phones = contactPhones(at(p, "contacts"));
    content = (
      <span className="flex items-center gap-2">
        <UserRound className="size-5 shrink-0 text-zinc-500" aria-hidden />
        <span className="min-w-0">
          <span className="block">{t("simulator.message.contacts", { names: contactNames(at(p, "contacts")) || "—" })}</span>
          {phones.length > 0 ? <span className="block text-xs text-zinc-600">{phones.join(", ")}</span> : null}
        </span>
      </span>
    );
  } else if (kind === "reaction") {
    content = <Text>{t("simulator.message.reaction", { emoji: str(at(p, "reaction", "emoji")) || "—" })}</Text>;
  } else if (kind === "button") {
    // Inbound tap on a template quick-reply button.
    content = <Text>{str(at(p, "button", "text")) ?? str(at(p, "button", "payload")) ?? ""}</Text>;
  } else if (kind === "template") {
    const rendering = message.template ?? null;
    const name = str(at(p, "template", "name")) ?? "";
    const body = rendering?.body ? rendering.body : null;
    const params = templateParameters(at(p, "template"));
    content = (
      <>
        {rendering?.header ? <p className="mb-1 font-semibold">{rendering.header}</p> : null}
        <Text className={body ? undefined : "text-zinc-600 italic"}>
          {body ? renderText(body) : t("simulator.message.template", { name })}
        </Text>
        {!body && params.length > 0 ? <p className="text-xs text-zinc-600">{params.join(" · ")}</p> : null}
        {rendering?.footer ? <p className="mt-1 text-xs text-zinc-500">{rendering.footer}</p> : null}
      </>
    );
    const buttons = (rendering?.buttons ?? []).filter((b) => b.text);
    if (buttons.length > 0) {
      footer = (
        <div className="mt-0.5 grid gap-0.5">
          {buttons.map((b, i) => (
            <span
              key={i}
              data-testid="sim-template-button"
              className="flex items-center justify-center gap-1.5 rounded-lg bg-white px-3 py-2 text-center text-sm font-medium text-sky-700 shadow-sm"
            >
              {str(b.type)?.toUpperCase() === "URL" ? <ExternalLink className="size-4" aria-hidden /> : null}
              {b.text}
            </span>
          ))}
        </div>
      );
    }
  } else if (kind === "interactive") {
    const interactive = at(p, "interactive");
    interactiveType = str(at(interactive, "type"));
    if (message.direction === "inbound") {
      if (interactiveType === "button_reply") {
        content = <Text>{str(at(interactive, "button_reply", "title")) ?? ""}</Text>;
      } else if (interactiveType === "list_reply") {
        const description = str(at(interactive, "list_reply", "description"));
        content = (
          <>
            <Text>{str(at(interactive, "list_reply", "title")) ?? ""}</Text>
            {description ? <p className="text-xs text-zinc-600">{description}</p> : null}
          </>
        );
      } else if (interactiveType === "nfm_reply") {
        content = <Text>{t("simulator.message.formReply")}</Text>;
      } else {
        content = (
          <Text className="text-zinc-600 italic">
            {t("simulator.message.interactive", { type: interactiveType ?? "?" })}
          </Text>
        );
      }
    } else {
      const header = interactiveHeaderText(interactive);
      const body = str(at(interactive, "body", "text"));
      const foot = str(at(interactive, "footer", "text"));
      content = (
        <>
          {header ? <p className="mb-1 font-semibold">{header}</p> : null}
          {body ? (
            <Text>{renderText(body)}</Text>
          ) : (
            <Text className="text-zinc-600 italic">
              {t("simulator.message.interactive", { type: interactiveType ?? "?" })}
            </Text>
          )}
          {foot ? <p className="mt-1 text-xs text-zinc-500">{foot}</p> : null}
        </>
      );
      const pill =
        "flex w-full items-center justify-center gap-1.5 rounded-lg bg-white px-3 py-2 text-center text-sm font-medium text-sky-700 shadow-sm";
      const onReplyButton = actions.onReplyButton;
      const onOpenList = actions.onOpenList;
      if (interactiveType === "button" && !onReplyButton) {
        footer = (
          <div className="mt-0.5 grid gap-0.5" data-testid="wa-buttons">
            {replyButtons(interactive).map((b) => (
              <span key={b.id} data-id={b.id} className={pill}>
                {b.title}
              </span>
            ))}
          </div>
        );
      } else if (interactiveType === "button" && onReplyButton) {
        footer = (
          <div className="mt-0.5 grid gap-0.5">
            {replyButtons(interactive).map((b) => (
              <button
                key={b.id}
                type="button"
                data-testid="sim-reply-button"
                data-id={b.id}
                disabled={actions.busy}
                onClick={() => onReplyButton(b.id)}
                className={cx(pill, "hover:bg-zinc-50 disabled:opacity-60")}
              >
                {b.title}
              </button>
            ))}
          </div>
        );
      } else if (interactiveType === "list" && !onOpenList) {
        footer = (
          <div className="mt-0.5 rounded-lg bg-white px-3 py-2 text-sm shadow-sm" data-testid="wa-list">
            <p className="mb-1 flex items-center gap-1.5 font-medium text-sky-700">
              <List className="size-4" aria-hidden />
              {str(at(interactive, "action", "button")) ?? t("simulator.list.title")}
            </p>
            {listSections(interactive).map((section, i) => (
              <div key={i} className="mt-1">
                {section.title ? <p className="text-[11px] font-semibold text-zinc-500 uppercase">{section.title}</p> : null}
                <ul className="divide-y divide-zinc-100">
                  {section.rows.map((row) => (
                    <li key={row.id} className="py-1">
                      <span className="block">{row.title}</span>
                      {row.description ? <span className="block text-xs text-zinc-500">{row.description}</span> : null}
                    </li>
                  ))}
                </ul>
              </div>
            ))}
          </div>
        );
      } else if (interactiveType === "list" && onOpenList) {
        footer = (
          <div className="mt-0.5">
            <button
              type="button"
              data-testid="sim-list-open"
              disabled={actions.busy}
              onClick={() => onOpenList()}
              className={cx(pill, "hover:bg-zinc-50 disabled:opacity-60")}
            >
              <List className="size-4" aria-hidden />
              {str(at(interactive, "action", "button")) ?? t("simulator.list.title")}
            </button>
          </div>
        );
      } else if (interactiveType === "cta_url") {
        const url = str(at(interactive, "action", "parameters", "url"));
        const text = str(at(interactive, "action", "parameters", "display_text")) ?? url ?? "";
        footer = (
          <div className="mt-0.5">
            <a
              href={url ?? undefined}
              target="_blank"
              rel="noreferrer"
              data-testid="sim-cta-url"
              className={cx(pill, "hover:bg-zinc-50")}
            >
              <ExternalLink className="size-4" aria-hidden />
              {text}
            </a>
          </div>
        );
      }
    }
  } else {
    content = <Text className="text-zinc-600 italic">{t("simulator.message.unsupported", { type: kind })}</Text>;
  }
  return { kind, content, footer, interactiveType };
}

/** "name=value" texts of a template's body parameters (what was filled in). */
function templateParameters(template: unknown): string[] {
  return arr(at(template, "components")).flatMap((component) =>
    arr(at(component, "parameters")).map((param) => str(at(param, "text")) ?? "").filter(Boolean),
  );
}

function useBubbleContent(message: SandboxMessage, accountId: Id, actions: BubbleActions) {
  return useWhatsAppContent(
    { direction: message.direction === "inbound" ? "inbound" : "outbound", payload: message.payload, type: messageKind(message), template: message.template },
    {
      mediaSrc: (media) => {
        const id = str(at(media, "id"));
        return id ? sandboxApi.mediaUrl(accountId, id) : str(at(media, "link"));
      },
      onReplyButton: (buttonId) => actions.onReplyButton(message, buttonId),
      onOpenList: () => actions.onOpenList(message),
      busy: actions.busy,
    },
  );
}

export function MessageBubble({
  message,
  accountId,
  reactions,
  ...actions
}: {
  message: SandboxMessage;
  accountId: Id;
  /** Emoji reactions attached to this message. */
  reactions?: string[];
} & BubbleActions) {
  const inbound = message.direction === "inbound";
  const { kind, content, footer, interactiveType } = useBubbleContent(message, accountId, actions);
  return (
    <div className={cx("flex", inbound ? "justify-end" : "justify-start")}>
      <div className="flex max-w-[85%] min-w-0 flex-col">
        <div
          data-testid="sim-message"
          data-direction={message.direction}
          data-type={kind}
          data-interactive-type={interactiveType ?? undefined}
          data-wamid={message.wamid}
          className={cx(
            "relative rounded-lg px-2.5 pt-1.5 pb-1 text-[14px] leading-snug text-zinc-900 shadow-sm",
            inbound ? "rounded-tr-none bg-[#d9fdd3]" : "rounded-tl-none bg-white",
            reactions && reactions.length > 0 ? "mb-3" : null,
          )}
        >
          {content}
          <span className="mt-0.5 flex items-center justify-end gap-1 text-[11px] text-zinc-500">
            <time dateTime={new Date(message.timestamp * 1000).toISOString()}>{formatTime(message.timestamp)}</time>
            <Ticks message={message} />
          </span>
          {reactions && reactions.length > 0 ? (
            <span
              data-testid="sim-reactions"
              className={cx(
                "absolute -bottom-3 rounded-full bg-white px-1.5 py-0.5 text-xs shadow ring-1 ring-zinc-200",
                inbound ? "right-2" : "left-2",
              )}
            >
              {reactions.join(" ")}
            </span>
          ) : null}
        </div>
        {footer}
      </div>
    </div>
  );
}
