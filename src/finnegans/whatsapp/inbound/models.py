"""The webhook envelope: body -> entry[] -> changes[] -> value.

`*Header` models validate only the routing part of a level (ids, metadata) and ignore the
items below it; `parse.py` uses them so it can validate each item on its own. The full models
(`WebhookBody`, `Entry`, `MessagesValue`) type everything at once, for callers that want
all-or-nothing validation.
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from finnegans.whatsapp.inbound.common import UnixTime, WaError, WaModel
from finnegans.whatsapp.inbound.messages import InboundMessage
from finnegans.whatsapp.inbound.statuses import Status


class Metadata(WaModel):
    phone_number_id: str  # route by this: one WABA can own several numbers
    display_phone_number: str | None = None


class Profile(WaModel):
    name: str | None = None  # WhatsApp push name, may be absent or empty
    username: str | None = None


class Contact(WaModel):
    """Sender (or, on statuses, recipient) identity. BSUID-only users have no `wa_id`."""

    profile: Profile | None = None
    wa_id: str | None = None
    user_id: str | None = None  # business-scoped user id (2026), e.g. "US.1349..."
    parent_user_id: str | None = None
    identity_key_hash: str | None = None


class Change(WaModel):
    field: str
    value: dict[str, Any]


class EntryHeader(WaModel):
    model_config = ConfigDict(extra="ignore")

    id: str  # WABA id ("0" from the dashboard's Test button)
    time: UnixTime | None = None  # only on management fields


class Entry(EntryHeader):
    model_config = ConfigDict(extra="allow")

    changes: list[Change] = Field(default_factory=list)


class WebhookBody(WaModel):
    object: str
    entry: list[Entry]


class MessagesValueHeader(WaModel):
    """`value` of field `messages`, without its items."""

    model_config = ConfigDict(extra="ignore")

    messaging_product: str | None = None
    metadata: Metadata


class MessagesValue(MessagesValueHeader):
    model_config = ConfigDict(extra="allow")

    contacts: list[Contact] = Field(default_factory=list)
    messages: list[InboundMessage] = Field(default_factory=list)
    statuses: list[Status] = Field(default_factory=list)
    errors: list[WaError] = Field(default_factory=list)
