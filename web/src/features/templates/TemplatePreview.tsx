/** A template as the customer's WhatsApp shows it: one bubble, buttons underneath. */
import { useTranslation } from "react-i18next";
import { ExternalLink, FileText, Image, MapPin, Phone, Reply, Video } from "lucide-react";
import { WhatsAppText } from "../inbox/whatsappText";
import type { PreviewContent } from "./render";

const MEDIA_ICONS = { image: Image, video: Video, document: FileText, location: MapPin } as const;
type MediaKind = keyof typeof MEDIA_ICONS;
const isMedia = (value: string | null): value is MediaKind => !!value && value in MEDIA_ICONS;

export function TemplatePreview({ content }: { content: PreviewContent }) {
  const { t } = useTranslation();
  const media = isMedia(content.headerMedia) ? content.headerMedia : null;
  const MediaIcon = media ? MEDIA_ICONS[media] : null;
  return (
    <div data-testid="template-preview" className="rounded-lg bg-[#efeae2] p-3">
      <div className="max-w-full rounded-lg rounded-tl-none bg-white text-sm text-zinc-900 shadow-sm">
        <div className="space-y-1 px-2.5 pt-2 pb-1.5">
          {MediaIcon ? (
            <div
              data-testid="template-preview-media"
              className="flex h-24 flex-col items-center justify-center gap-1 rounded-md bg-zinc-100 text-xs text-zinc-500"
            >
              <MediaIcon className="size-6" aria-hidden />
              <span className="max-w-full truncate px-2">{content.headerMediaUrl ?? (media ? t(`templates.media.${media}`) : null)}</span>
            </div>
          ) : null}
          {content.header ? (
            <p data-testid="template-preview-header" className="font-semibold break-words">
              {content.header}
            </p>
          ) : null}
          <p data-testid="template-preview-body" className="break-words whitespace-pre-wrap">
            <WhatsAppText text={content.body} />
          </p>
          {content.footer ? (
            <p data-testid="template-preview-footer" className="text-xs text-zinc-500">
              {content.footer}
            </p>
          ) : null}
        </div>
        {content.buttons.length > 0 ? (
          <ul className="divide-y divide-zinc-100 border-t border-zinc-100">
            {content.buttons.map((button, i) => {
              const Icon = button.type === "URL" ? ExternalLink : button.type === "PHONE_NUMBER" ? Phone : Reply;
              return (
                <li
                  key={i}
                  data-testid="template-preview-button"
                  title={button.url ?? undefined}
                  className="flex items-center justify-center gap-1.5 px-2 py-1.5 text-sm font-medium text-sky-600"
                >
                  <Icon className="size-3.5" aria-hidden />
                  {button.text}
                </li>
              );
            })}
          </ul>
        ) : null}
      </div>
    </div>
  );
}
