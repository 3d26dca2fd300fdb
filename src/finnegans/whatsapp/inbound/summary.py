"""One inbox line per message, whatever its type.

Text rules, in order: what the user typed (text body, media caption, order note, system body),
else what they tapped (button text, list/button title, reaction emoji), else a placeholder:
"[image]", "[video]", "[audio]", "[voice message]", "[document]" (or the file name),
"[sticker]", "[location]" (when no name/address), "[contact: Name]", "[form response]",
"[order: N items]", "[reaction removed]", "[unsupported: poll]". Placeholders are bracketed so
a UI can style them differently from user text.
"""

from __future__ import annotations

from finnegans.whatsapp.inbound.events import MediaRef, MessageSummary
from finnegans.whatsapp.inbound.messages import (
    AudioMessage,
    ButtonMessage,
    ContactsMessage,
    DocumentMessage,
    ImageMessage,
    InboundMessage,
    InteractiveMessage,
    LocationMessage,
    MediaMessage,
    OrderMessage,
    ReactionMessage,
    SystemMessage,
    TextMessage,
    UnsupportedMessage,
    VideoMessage,
)


def summarize(message: InboundMessage) -> MessageSummary:
    context = message.context
    reaction = message.reaction if isinstance(message, ReactionMessage) else None
    return MessageSummary(
        text=_text(message),
        media=_media(message),
        reply_to=context.id if context is not None else None,
        forwarded=context is not None and (context.forwarded or context.frequently_forwarded),
        reaction_target=reaction.message_id if reaction is not None else None,
        reaction_emoji=(reaction.emoji or None) if reaction is not None else None,
        referral=message.referral,
    )


def _media(message: InboundMessage) -> MediaRef | None:
    if not isinstance(message, MediaMessage):
        return None
    media = message.media
    if media.id is None:  # media Meta failed to fetch; see message.errors
        return None
    return MediaRef(
        kind=message.type,
        id=media.id,
        mime_type=media.mime_type,
        filename=media.filename,
        caption=media.caption,
        sha256=media.sha256,
        url=media.url,
        voice=bool(media.voice),
        animated=bool(media.animated),
    )


def _text(message: InboundMessage) -> str:
    if isinstance(message, TextMessage):
        return message.text.body
    if isinstance(message, MediaMessage):
        return _media_text(message)
    if isinstance(message, LocationMessage):
        place = message.location
        return place.name or place.address or "[location]"
    if isinstance(message, ContactsMessage):
        names = [
            c.name.formatted_name for c in message.contacts if c.name and c.name.formatted_name
        ]
        return f"[contact: {', '.join(names)}]" if names else "[contact]"
    if isinstance(message, InteractiveMessage):
        interactive = message.interactive
        if interactive.choice is not None:
            return interactive.choice.title
        if interactive.nfm_reply is not None:
            return "[form response]"
        return f"[interactive: {interactive.type}]"
    if isinstance(message, ButtonMessage):
        return message.button.text or message.button.payload or "[button]"
    if isinstance(message, ReactionMessage):
        return message.reaction.emoji or "[reaction removed]"
    if isinstance(message, OrderMessage):
        return message.order.text or f"[order: {len(message.order.product_items)} items]"
    if isinstance(message, SystemMessage):
        return message.system.body or f"[system: {message.system.type}]"
    return _unsupported_text(message)


def _unsupported_text(message: UnsupportedMessage) -> str:
    kind = message.unsupported.type if message.unsupported else None
    return f"[unsupported: {kind}]" if kind else "[unsupported message]"


def _media_text(message: MediaMessage) -> str:
    media = message.media
    if media.caption:
        return media.caption
    if isinstance(message, DocumentMessage):
        return media.filename or "[document]"
    if isinstance(message, AudioMessage):
        return "[voice message]" if media.voice else "[audio]"
    if isinstance(message, ImageMessage):
        return "[image]"
    if isinstance(message, VideoMessage):
        return "[video]"
    return "[sticker]"
