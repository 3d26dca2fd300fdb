"""Request and response bodies of the broadcasts API (docs/api.md#broadcasts).

`POST /api/broadcasts` also accepts the original system's body
(`{title, message, flowId, sendToAll, contactIds, filterTag}`); `legacy_parts` turns it into an
audience and a content.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from finnegans.kit.schemas import InputModel

MAX_TEXT = 4096  # Meta's limit for a text message body (reference §6.1)
MAX_PICKED = 10_000

AudienceKind = Literal["everyone", "tags", "segment", "contacts", "csv"]
RecipientState = Literal["pending", "sending", "sent", "delivered", "read", "failed", "skipped"]
RECIPIENT_STATES: tuple[str, ...] = (
    "pending", "sending", "sent", "delivered", "read", "failed", "skipped",
)  # fmt: skip


class AudienceIn(InputModel):
    """Who gets it. `tags` also narrows `everyone` and `contacts` when given."""

    kind: AudienceKind
    tags: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=50
    )
    match: Literal["any", "all"] = Field("any", description="for tags: any of them or all")
    segment_id: str | None = Field(None, alias="segmentId", max_length=32)
    contact_ids: list[Annotated[str, Field(max_length=32)]] = Field(
        default_factory=list, alias="contactIds", max_length=MAX_PICKED
    )
    upload_id: str | None = Field(
        None, alias="uploadId", max_length=32,
        description="csv: the id POST /api/broadcasts/audience-upload answered",
    )  # fmt: skip

    @model_validator(mode="after")
    def _complete(self) -> AudienceIn:
        if self.kind == "tags" and not self.tags:
            raise ValueError("tags: at least one tag for a tags audience")
        if self.kind == "segment" and not self.segment_id:
            raise ValueError("segment_id: required for a segment audience")
        if self.kind == "contacts" and not self.contact_ids:
            raise ValueError("contact_ids: pick at least one contact")
        if self.kind == "csv" and not self.upload_id:
            raise ValueError("upload_id: upload the CSV list first (audience-upload)")
        return self


class TemplateContentIn(InputModel):
    """A Graph template object; text parameters may use {{contact.name}} and friends."""

    kind: Literal["template"]
    template: dict[str, Any]

    @model_validator(mode="after")
    def _shape(self) -> TemplateContentIn:
        language = self.template.get("language")
        if not isinstance(self.template.get("name"), str) or not self.template["name"]:
            raise ValueError("template.name: required")
        if not isinstance(language, dict) or not isinstance(language.get("code"), str):
            raise ValueError("template.language.code: required (e.g. en_US)")
        components = self.template.get("components", [])
        if not isinstance(components, list) or not all(isinstance(c, dict) for c in components):
            raise ValueError("template.components: a list of component objects")
        return self


class FlowContentIn(InputModel):
    """Start this (published, active) flow for each recipient, as the original did."""

    kind: Literal["flow"]
    flow_id: str = Field(alias="flowId", max_length=32)
    message: str | None = Field(
        None, max_length=MAX_TEXT, description="trigger text the flow sees (optional)"
    )


class TextContentIn(InputModel):
    """Free text, sent only to recipients inside their 24-hour window."""

    kind: Literal["text"]
    text: str = Field(min_length=1, max_length=MAX_TEXT)


ContentIn = Annotated[
    TemplateContentIn | FlowContentIn | TextContentIn, Field(discriminator="kind")
]


class BroadcastIn(InputModel):
    title: str | None = Field(None, max_length=255)
    whatsapp_account_id: str | None = Field(None, alias="whatsappAccountId", max_length=32)
    audience: AudienceIn | None = None
    content: ContentIn | None = None
    launch: bool = Field(False, description="launch at once (the original body always does)")
    # The original system's body.
    message: str | None = Field(None, max_length=MAX_TEXT)
    flow_id: str | None = Field(None, alias="flowId", max_length=32)
    send_to_all: bool | None = Field(None, alias="sendToAll")
    contact_ids: list[Annotated[str, Field(max_length=32)]] | None = Field(
        None, alias="contactIds", max_length=MAX_PICKED
    )
    filter_tag: str | None = Field(None, alias="filterTag", max_length=64)

    @property
    def is_legacy(self) -> bool:
        return self.audience is None and self.content is None and (
            self.flow_id is not None or self.send_to_all is not None
            or self.contact_ids is not None or self.message is not None
        )  # fmt: skip


class BroadcastPatch(InputModel):
    title: str | None = Field(None, max_length=255)
    whatsapp_account_id: str | None = Field(None, alias="whatsappAccountId", max_length=32)
    audience: AudienceIn | None = None
    content: ContentIn | None = None


class LaunchIn(InputModel):
    scheduled_at: datetime | None = Field(
        None, alias="scheduledAt", description="without an offset: the workspace's time zone"
    )


class UploadErrorOut(BaseModel):
    row: int  # as a spreadsheet numbers it (the header is row 1)
    phone: str | None
    reason: str


class AudienceUploadOut(BaseModel):
    """An uploaded list, applied: use `{"kind": "csv", "uploadId": upload_id}` as audience."""

    upload_id: str
    file_name: str
    tag: str = Field(description="every listed contact has this tag")
    rows: int  # data rows read (blank lines not counted)
    numbers: int  # distinct valid numbers
    created: int  # new contacts
    matched: int  # numbers that were contacts already
    invalid: int  # rows that are not a valid number
    errors: list[UploadErrorOut] = Field(description="the first 50 invalid rows")
    errors_csv: str | None = Field(description="every invalid row with its reason")


class AudiencePreviewIn(InputModel):
    audience: AudienceIn
    content: ContentIn | None = None
    whatsapp_account_id: str | None = Field(None, alias="whatsappAccountId", max_length=32)
    samples: int = Field(3, ge=0, le=10)


class SampleOut(BaseModel):
    contact_id: str
    name: str | None
    phone: str | None
    rendered: Any = None  # the Graph payload (template/text) this contact would get


class AudiencePreviewOut(BaseModel):
    matched: int  # contacts the audience selects
    opted_out: int  # of those, skipped because they opted out
    window_closed: int  # text only: outside the 24-hour window, skipped
    unique: int  # who would actually be sent to
    samples: list[SampleOut]
    warnings: list[str]
    timezone: str = Field(description="the workspace's, where a schedule without offset is read")


class Counts(BaseModel):
    pending: int = 0
    sending: int = 0
    sent: int = 0
    delivered: int = 0
    read: int = 0
    failed: int = 0
    skipped: int = 0
    replied: int = 0


class Funnel(BaseModel):
    """Cumulative: a read message was also sent and delivered."""

    sent: int
    delivered: int
    read: int
    replied: int
    failed: int


class BroadcastOut(BaseModel):
    id: str
    title: str | None
    status: str
    paused_reason: str | None
    whatsapp_account_id: str | None
    flow_id: str | None
    audience: dict[str, Any]
    content: dict[str, Any]
    total_recipients: int
    counts: Counts
    funnel: Funnel
    progress: float = Field(description="share of recipients in a final state, 0..1")
    rate_per_second: int | None = Field(description="the pace broadcasts may use on this number")
    current_rate: float = Field(description="messages/s over the last 10 seconds")
    eta_seconds: float | None
    warnings: list[str] = Field(default_factory=list)
    scheduled_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    created_at: datetime
    updated_at: datetime


class BroadcastListOut(BaseModel):
    broadcasts: list[BroadcastOut]
    next_cursor: str | None


class RecipientOut(BaseModel):
    id: str
    contact_id: str
    contact_name: str | None
    contact_phone: str | None
    status: str
    error_code: int | None
    error: str | None
    attempts: int
    next_attempt_at: datetime | None
    wamid: str | None
    sent_at: datetime | None
    delivered_at: datetime | None
    read_at: datetime | None
    replied_at: datetime | None


class RecipientListOut(BaseModel):
    recipients: list[RecipientOut]
    next_cursor: str | None
