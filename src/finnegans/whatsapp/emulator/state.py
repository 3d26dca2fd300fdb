"""In-memory state of the emulated WhatsApp Business Platform.

Everything runs on one asyncio event loop, so plain dicts and lists are enough: no method here
awaits between reading and writing.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from finnegans.whatsapp.emulator.ids import new_numeric_id

WINDOW_SECONDS = 24 * 60 * 60
Direction = Literal["inbound", "outbound"]


@dataclass
class BusinessNumber:
    phone_number_id: str
    waba_id: str
    display_phone_number: str
    access_token: str
    app_secret: str
    webhook_url: str | None = None
    throughput_mps: int = 80
    verified_name: str = "Finnegans Sandbox"
    quality_rating: str = "GREEN"
    registered: bool = True
    verify_token: str | None = None

    def public(self) -> dict[str, Any]:
        """For the control API: no secrets."""
        return {
            "phone_number_id": self.phone_number_id,
            "waba_id": self.waba_id,
            "display_phone_number": self.display_phone_number,
            "verified_name": self.verified_name,
            "quality_rating": self.quality_rating,
            "throughput_mps": self.throughput_mps,
            "webhook_url": self.webhook_url,
            "registered": self.registered,
        }


@dataclass
class Customer:
    wa_id: str
    profile_name: str | None = None
    user_id: str | None = None  # business-scoped user id (BSUID), e.g. "US.1349…"
    bsuid_only: bool = False  # webhooks omit wa_id/from (username users, reference §3.1)

    def public(self) -> dict[str, Any]:
        return {
            "wa_id": self.wa_id,
            "profile_name": self.profile_name,
            "user_id": self.user_id,
            "bsuid_only": self.bsuid_only,
        }


@dataclass
class StatusRecord:
    status: str
    timestamp: int
    errors: list[dict[str, Any]] | None = None


_seq = itertools.count(1)


@dataclass
class LoggedMessage:
    wamid: str
    direction: Direction
    type: str
    payload: dict[str, Any]  # outbound: the request body; inbound: the webhook message object
    timestamp: float
    phone_number_id: str
    wa_id: str
    statuses: list[StatusRecord] = field(default_factory=list)
    read_by_business: bool = False  # inbound: marked read via the Graph API
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. a rendered template
    seq: int = field(default_factory=lambda: next(_seq))

    @property
    def status(self) -> str:
        if self.direction == "inbound":
            return "read" if self.read_by_business else "received"
        if any(s.status == "failed" for s in self.statuses):
            return "failed"
        rank = {"sent": 1, "delivered": 2, "read": 3, "played": 4}
        best = max((s.status for s in self.statuses), key=lambda s: rank.get(s, 0), default=None)
        return best or "accepted"

    def public(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "wamid": self.wamid,
            "direction": self.direction,
            "type": self.type,
            "payload": self.payload,
            "timestamp": self.timestamp,
            "status": self.status,
            "statuses": [
                {"status": s.status, "timestamp": s.timestamp, "errors": s.errors}
                for s in self.statuses
            ],
            "read_by_business": self.read_by_business,
            **self.extra,
        }


@dataclass
class Conversation:
    phone_number_id: str
    wa_id: str
    messages: list[LoggedMessage] = field(default_factory=list)
    last_inbound_at: float | None = None

    def window_open(self, now: float) -> bool:
        return self.last_inbound_at is not None and now - self.last_inbound_at < WINDOW_SECONDS

    def window_expires_at(self) -> float | None:
        return None if self.last_inbound_at is None else self.last_inbound_at + WINDOW_SECONDS


@dataclass
class MediaItem:
    id: str
    data: bytes
    mime_type: str
    phone_number_id: str
    filename: str | None = None
    created_at: float = field(default_factory=time.time)

    @property
    def sha256_hex(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def sha256_b64(self) -> str:
        """Webhooks carry the digest base64-encoded (fixtures), the media GET hex-encoded."""
        return base64.b64encode(hashlib.sha256(self.data).digest()).decode("ascii")


@dataclass
class Template:
    id: str
    name: str
    language: str
    category: str  # MARKETING | UTILITY | AUTHENTICATION
    status: str  # APPROVED | PENDING | REJECTED | PAUSED | DISABLED
    components: list[dict[str, Any]]
    parameter_format: str = "POSITIONAL"

    def public(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "parameter_format": self.parameter_format,
            "components": self.components,
            "language": self.language,
            "status": self.status,
            "category": self.category,
            "id": self.id,
        }


HELLO_WORLD_COMPONENTS: list[dict[str, Any]] = [
    {"type": "HEADER", "format": "TEXT", "text": "Hello World"},
    {
        "type": "BODY",
        "text": (
            "Welcome and congratulations!! This message demonstrates your ability to send a "
            "WhatsApp message notification from the Cloud API, hosted by Meta. Thank you for "
            "taking the time to test with us."
        ),
    },
    {"type": "FOOTER", "text": "WhatsApp Business Platform sample message"},
]


class EmulatorState:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.numbers: dict[str, BusinessNumber] = {}
        self.customers: dict[str, Customer] = {}
        self.conversations: dict[tuple[str, str], Conversation] = {}
        self.messages: dict[str, LoggedMessage] = {}
        self.media: dict[str, MediaItem] = {}
        self.templates: dict[str, list[Template]] = {}

    # numbers / customers -------------------------------------------------------------------
    def add_number(self, number: BusinessNumber) -> BusinessNumber:
        self.numbers[number.phone_number_id] = number
        if number.waba_id not in self.templates:
            self.templates[number.waba_id] = [
                Template(
                    id=new_numeric_id(),
                    name="hello_world",
                    language="en_US",
                    category="UTILITY",
                    status="APPROVED",
                    components=[dict(c) for c in HELLO_WORLD_COMPONENTS],
                )
            ]
        return number

    def numbers_of_waba(self, waba_id: str) -> list[BusinessNumber]:
        return [n for n in self.numbers.values() if n.waba_id == waba_id]

    def get_or_create_customer(self, wa_id: str) -> Customer:
        customer = self.customers.get(wa_id)
        if customer is None:
            customer = self.customers[wa_id] = Customer(wa_id=wa_id)
        return customer

    def customer_by_user_id(self, user_id: str) -> Customer | None:
        return next((c for c in self.customers.values() if c.user_id == user_id), None)

    # conversations -------------------------------------------------------------------------
    def conversation(self, phone_number_id: str, wa_id: str) -> Conversation:
        key = (phone_number_id, wa_id)
        conv = self.conversations.get(key)
        if conv is None:
            conv = self.conversations[key] = Conversation(phone_number_id, wa_id)
        return conv

    def log(self, message: LoggedMessage) -> LoggedMessage:
        conv = self.conversation(message.phone_number_id, message.wa_id)
        conv.messages.append(message)
        self.messages[message.wamid] = message
        if message.direction == "inbound":
            conv.last_inbound_at = message.timestamp
        return message

    def window_open(self, phone_number_id: str, wa_id: str) -> bool:
        return self.conversation(phone_number_id, wa_id).window_open(self.clock())

    # media / templates ---------------------------------------------------------------------
    def add_media(
        self, data: bytes, mime_type: str, phone_number_id: str, filename: str | None = None
    ) -> MediaItem:
        item = MediaItem(new_numeric_id(), data, mime_type, phone_number_id, filename, self.clock())
        self.media[item.id] = item
        return item

    def find_template(self, waba_id: str, name: str, language: str) -> Template | None:
        return next(
            (
                t
                for t in self.templates.get(waba_id, [])
                if t.name == name and t.language == language
            ),
            None,
        )
