"""Inbound user messages (`value.messages[]`), one model per `type`.

`InboundMessage` is a union discriminated on `type`; validate single messages with
`MESSAGE_ADAPTER` so that a malformed message never takes its siblings down.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from pydantic import BeforeValidator, Field, TypeAdapter, model_validator

from finnegans.whatsapp.inbound.common import UnixTime, WaError, WaModel

# --- parts shared by all message types -------------------------------------------------------


class ReferredProduct(WaModel):
    catalog_id: str | None = None
    product_retailer_id: str | None = None


class Context(WaModel):
    """Why the message exists: a reply/quote, a forward, or a "Message business" product tap."""

    from_: str | None = Field(default=None, alias="from")
    id: str | None = None  # wamid of the quoted (usually our own) message
    forwarded: bool = False
    frequently_forwarded: bool = False
    referred_product: ReferredProduct | None = None


class WelcomeMessage(WaModel):
    text: str | None = None


class Referral(WaModel):
    """Click-to-WhatsApp ad or post that started the chat (first message only)."""

    source_url: str | None = None
    source_id: str | None = None
    source_type: str | None = None
    body: str | None = None
    headline: str | None = None
    media_type: str | None = None
    image_url: str | None = None
    video_url: str | None = None
    thumbnail_url: str | None = None
    ctwa_clid: str | None = None
    welcome_message: WelcomeMessage | None = None


class Identity(WaModel):
    acknowledged: bool | None = None
    created_timestamp: UnixTime | None = None
    hash: str | None = None


class _MessageBase(WaModel):
    # Either id may be missing: BSUID-only users (2026) have no `from`, older traffic has no
    # `from_user_id`. At least one is needed to know who wrote.
    from_: str | None = Field(default=None, alias="from")
    from_user_id: str | None = None
    id: str
    timestamp: UnixTime
    context: Context | None = None
    referral: Referral | None = None
    identity: Identity | None = None
    errors: list[WaError] = Field(default_factory=list)

    @model_validator(mode="after")
    def _has_sender(self) -> Self:
        if not self.from_ and not self.from_user_id:
            raise ValueError("message has neither 'from' nor 'from_user_id'")
        return self


# --- payload objects ---------------------------------------------------------------------------


class Text(WaModel):
    body: str


class Media(WaModel):
    """Image, audio, video, document or sticker. `id` is a media id valid for 7 days.

    `id` is optional because a message whose media Meta could not fetch (error 131052) carries
    `errors` instead; such a message must still reach the inbox.
    """

    id: str | None = None
    mime_type: str | None = None
    sha256: str | None = None
    caption: str | None = None
    filename: str | None = None
    url: str | None = None  # lookaside URL (needs the access token, lives ~5 minutes)
    voice: bool | None = None  # audio: True for a recorded voice note
    animated: bool | None = None  # sticker


class Location(WaModel):
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None
    url: str | None = None


class ContactName(WaModel):
    formatted_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    prefix: str | None = None
    suffix: str | None = None


class ContactPhone(WaModel):
    phone: str | None = None
    wa_id: str | None = None
    type: str | None = None


class ContactEmail(WaModel):
    email: str | None = None
    type: str | None = None


class ContactAddress(WaModel):
    street: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    country_code: str | None = None
    type: str | None = None


class ContactOrg(WaModel):
    company: str | None = None
    department: str | None = None
    title: str | None = None


class ContactUrl(WaModel):
    url: str | None = None
    type: str | None = None


class SharedContact(WaModel):
    """A contact card the user shared; every part is optional (depends on the user's device)."""

    name: ContactName | None = None
    phones: list[ContactPhone] = Field(default_factory=list)
    emails: list[ContactEmail] = Field(default_factory=list)
    addresses: list[ContactAddress] = Field(default_factory=list)
    org: ContactOrg | None = None
    urls: list[ContactUrl] = Field(default_factory=list)
    birthday: str | None = None


class ReplyChoice(WaModel):
    """The option the user tapped (`button_reply` / `list_reply`; only lists have a description)."""

    id: str
    title: str
    description: str | None = None


def _json_object_or_raw(value: Any) -> Any:
    """Flows send `response_json` as a JSON *string*; decode it when it holds an object."""
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except (ValueError, RecursionError):
            return value
        return decoded if isinstance(decoded, dict) else value
    return value


class FlowReply(WaModel):
    """`nfm_reply`: a completed WhatsApp Flow. `response_json` is decoded when it is valid JSON."""

    name: str | None = None
    body: str | None = None
    response_json: Annotated[dict[str, Any] | str | None, BeforeValidator(_json_object_or_raw)] = (
        None
    )

    @property
    def flow_token(self) -> str | None:
        if isinstance(self.response_json, dict):
            token = self.response_json.get("flow_token")
            return token if isinstance(token, str) else None
        return None


class Interactive(WaModel):
    """Reply to an interactive message. Unknown sub-types are kept (their payload in extras)."""

    type: str
    button_reply: ReplyChoice | None = None
    list_reply: ReplyChoice | None = None
    nfm_reply: FlowReply | None = None

    @model_validator(mode="after")
    def _payload_matches_type(self) -> Self:
        if self.type in ("button_reply", "list_reply", "nfm_reply") and not getattr(
            self, self.type
        ):
            raise ValueError(f"interactive type {self.type!r} without its {self.type!r} object")
        return self

    @property
    def choice(self) -> ReplyChoice | None:
        return self.button_reply or self.list_reply


class Button(WaModel):
    """Tap on a template quick-reply button; `payload` is what we set when sending."""

    text: str | None = None
    payload: str | None = None


class Reaction(WaModel):
    message_id: str
    emoji: str | None = None

    @property
    def removed(self) -> bool:
        """Removing a reaction is sent as an empty (or missing) emoji."""
        return not self.emoji


class ProductItem(WaModel):
    product_retailer_id: str
    quantity: int
    item_price: Decimal | None = None
    currency: str | None = None


class Order(WaModel):
    catalog_id: str | None = None
    text: str | None = None
    product_items: list[ProductItem] = Field(default_factory=list)


class SystemInfo(WaModel):
    """`user_changed_number` (new number in `wa_id`) or `customer_identity_changed`."""

    body: str | None = None
    type: str | None = None
    wa_id: str | None = None
    customer: str | None = None


class UnsupportedInfo(WaModel):
    type: str | None = None


# --- one model per message type ------------------------------------------------------------------


class TextMessage(_MessageBase):
    type: Literal["text"]
    text: Text


class ImageMessage(_MessageBase):
    type: Literal["image"]
    image: Media

    @property
    def media(self) -> Media:
        return self.image


class AudioMessage(_MessageBase):
    type: Literal["audio"]
    audio: Media

    @property
    def media(self) -> Media:
        return self.audio


class VideoMessage(_MessageBase):
    type: Literal["video"]
    video: Media

    @property
    def media(self) -> Media:
        return self.video


class DocumentMessage(_MessageBase):
    type: Literal["document"]
    document: Media

    @property
    def media(self) -> Media:
        return self.document


class StickerMessage(_MessageBase):
    type: Literal["sticker"]
    sticker: Media

    @property
    def media(self) -> Media:
        return self.sticker


class LocationMessage(_MessageBase):
    type: Literal["location"]
    location: Location


class ContactsMessage(_MessageBase):
    type: Literal["contacts"]
    contacts: list[SharedContact]


class InteractiveMessage(_MessageBase):
    type: Literal["interactive"]
    interactive: Interactive


class ButtonMessage(_MessageBase):
    type: Literal["button"]
    button: Button


class ReactionMessage(_MessageBase):
    type: Literal["reaction"]
    reaction: Reaction


class OrderMessage(_MessageBase):
    type: Literal["order"]
    order: Order


class SystemMessage(_MessageBase):
    type: Literal["system"]
    system: SystemInfo


class UnsupportedMessage(_MessageBase):
    """Polls and other types Cloud API can't deliver; the reason is in `errors` (131051)."""

    type: Literal["unsupported", "unknown"]  # "unknown" is the older name
    unsupported: UnsupportedInfo | None = None


MediaMessage = ImageMessage | AudioMessage | VideoMessage | DocumentMessage | StickerMessage

InboundMessage = Annotated[
    TextMessage
    | ImageMessage
    | AudioMessage
    | VideoMessage
    | DocumentMessage
    | StickerMessage
    | LocationMessage
    | ContactsMessage
    | InteractiveMessage
    | ButtonMessage
    | ReactionMessage
    | OrderMessage
    | SystemMessage
    | UnsupportedMessage,
    Field(discriminator="type"),
]

MESSAGE_ADAPTER: TypeAdapter[InboundMessage] = TypeAdapter(InboundMessage)
