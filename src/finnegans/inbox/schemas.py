"""What the conversations API accepts and answers (docs/inbox.md)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from finnegans.kit.schemas import InputModel
from finnegans.whatsapp.graph.limits import MEDIA_CAPTION_MAX, TEXT_BODY_MAX

ConversationStatus = Literal["open", "pending", "resolved"]
ConversationMode = Literal["bot", "human"]
MediaKind = Literal["image", "video", "audio", "document", "sticker"]
SendType = Literal["text", "template", "interactive", "image", "video", "audio", "document",
                   "sticker"]  # fmt: skip

SHORTCUT = re.compile(r"^[a-z0-9_-]{1,32}$")


class UserRef(BaseModel):
    id: str
    name: str


class ConversationSummaryOut(BaseModel):
    contact_id: str
    conversation_id: str
    contact_name: str | None
    contact_phone: str | None
    tags: list[str]
    status: ConversationStatus
    mode: ConversationMode
    assignee: UserRef | None
    unread_count: int
    last_activity: datetime | None
    last_message: str | None
    window_expires_at: datetime | None
    window_open: bool


class ContactOut(BaseModel):
    id: str
    name: str | None
    phone: str | None
    wa_id: str | None
    attributes: dict[str, Any]
    notes: str | None
    opted_out: bool
    created_at: datetime


class SessionOut(BaseModel):
    id: str
    flow_id: str | None
    flow_name: str | None
    status: str
    node_id: str | None
    waiting: bool
    updated_at: datetime


class ConversationDetailOut(ConversationSummaryOut):
    contact: ContactOut
    session: SessionOut | None


class MessageErrorOut(BaseModel):
    code: int | None
    title: str | None
    details: str | None


class ReplyToOut(BaseModel):
    wamid: str
    message_id: str | None
    text: str | None


class MessageOut(BaseModel):
    id: str
    contact_id: str
    direction: Literal["inbound", "outbound", "note"]
    type: str
    text: str | None
    payload: dict[str, Any]
    status: str
    error: MessageErrorOut | None
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    read_at: datetime | None
    wamid: str | None
    sent_by: UserRef | None
    session_id: str | None
    broadcast_id: str | None
    media_url: str | None
    reply_to: ReplyToOut | None


class ConversationListOut(BaseModel):
    conversations: list[ConversationSummaryOut]
    next_cursor: str | None


class ConversationCountsOut(BaseModel):
    open: int
    pending: int
    resolved: int
    mine: int
    unassigned: int
    unread: int


class ThreadOut(BaseModel):
    conversation: ConversationDetailOut
    messages: list[MessageOut]
    has_more_before: bool
    has_more_after: bool


class ConversationOut(BaseModel):
    conversation: ConversationSummaryOut


class MessageEnvelopeOut(BaseModel):
    message: MessageOut


class TemplateIn(InputModel):
    name: str = Field(min_length=1, max_length=512)
    language: str = Field(min_length=2, max_length=15)
    components: list[dict[str, Any]] = Field(default_factory=list, max_length=20)
    parameters: dict[str, str] | None = Field(
        default=None,
        max_length=40,
        description='instead of components, for a synced template: {"body.1": "Ana", ...}',
    )


class SendIn(InputModel):
    """One message from an agent. `{text}` alone is the original system's body."""

    type: SendType = "text"
    text: str | None = None
    preview_url: bool = False
    reply_to: str | None = Field(default=None, max_length=128, description="a message id")
    template: TemplateIn | None = None
    interactive: dict[str, Any] | None = None
    media_id: str | None = Field(default=None, max_length=128)
    caption: str | None = Field(default=None, max_length=MEDIA_CAPTION_MAX)
    filename: str | None = Field(default=None, max_length=240)

    @field_validator("type", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value


class NoteIn(InputModel):
    text: str = Field(min_length=1, max_length=TEXT_BODY_MAX)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class ConversationPatchIn(InputModel):
    status: ConversationStatus | None = None
    assignee_id: str | None = Field(default=None, max_length=32)
    mode: ConversationMode | None = None


class TagsIn(InputModel):
    tags: list[str] = Field(max_length=50)

    @field_validator("tags")
    @classmethod
    def _clean(cls, value: list[str]) -> list[str]:
        cleaned: list[str] = []
        for name in value:
            name = name.strip()
            if not name or len(name) > 64:
                raise ValueError("each tag has 1 to 64 characters")
            if name not in cleaned:
                cleaned.append(name)
        return cleaned


class MediaUploadOut(BaseModel):
    media_id: str
    type: MediaKind
    mime_type: str
    filename: str
    size: int


class CannedResponseIn(InputModel):
    shortcut: str = Field(min_length=1, max_length=32)
    text: str = Field(min_length=1, max_length=TEXT_BODY_MAX)

    @field_validator("shortcut", mode="before")
    @classmethod
    def _shortcut(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().lstrip("/").lower()
            if not SHORTCUT.match(value):
                raise ValueError("use 1 to 32 of a-z, 0-9, _ and -")
        return value


class CannedResponseOut(BaseModel):
    id: str
    shortcut: str
    text: str


class CannedResponseListOut(BaseModel):
    canned_responses: list[CannedResponseOut]


class CannedResponseEnvelopeOut(BaseModel):
    canned_response: CannedResponseOut
