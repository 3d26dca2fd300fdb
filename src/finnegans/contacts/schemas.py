"""What the contacts, tags, attributes and segments API accepts and answers (docs/api.md)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from finnegans.contacts.segments import RuleSet
from finnegans.kit.schemas import InputModel

AttributeType = Literal["text", "number", "date", "boolean"]
ATTRIBUTE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
MAX_TAGS = 50
MAX_ATTRIBUTES = 100


def clean_tag_names(value: list[Any]) -> list[str]:
    """Tag names from `["vip"]` or the original's `[{"name": "vip"}]`, trimmed, deduplicated."""
    cleaned: list[str] = []
    for item in value:
        name = item.get("name") if isinstance(item, dict) else item
        if not isinstance(name, str):
            raise ValueError('each tag is a name or {"name": ...}')
        name = name.strip()
        if not name or len(name) > 64:
            raise ValueError("each tag has 1 to 64 characters")
        if name not in cleaned:
            cleaned.append(name)
    return cleaned


class TagNameIn(InputModel):
    name: str


class ContactWriteIn(InputModel):
    name: str | None = Field(default=None, max_length=255)
    notes: str | None = Field(default=None, max_length=10_000)
    tags: list[str | TagNameIn] | None = Field(
        default=None, max_length=MAX_TAGS, description="names; on update the full new set"
    )
    attributes: dict[str, Any] | None = Field(
        default=None,
        max_length=MAX_ATTRIBUTES,
        description="merged into the contact's attributes; null removes a key",
    )
    opted_out: bool | None = None

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: Any) -> Any:
        return clean_tag_names(value) if isinstance(value, list) else value

    def tag_names(self) -> list[str] | None:
        if self.tags is None:
            return None
        return [t if isinstance(t, str) else t.name for t in self.tags]


class ContactCreateIn(ContactWriteIn):
    phone: str = Field(max_length=40, description="E.164, or national with a default country")


class ContactUpdateIn(ContactWriteIn):
    phone: str | None = Field(default=None, max_length=40)


class ContactRecordOut(BaseModel):
    id: str
    name: str | None
    phone: str | None
    wa_id: str | None
    bsuid: str | None
    notes: str | None
    attributes: dict[str, Any]
    tags: list[str]
    opted_out: bool
    opted_out_at: datetime | None
    last_activity_at: datetime | None = Field(description="the customer's last message")
    created_at: datetime
    updated_at: datetime


class ContactListOut(BaseModel):
    contacts: list[ContactRecordOut]
    next_cursor: str | None


class ContactCountOut(BaseModel):
    count: int


class ContactFilterIn(InputModel):
    """The list's filters, for bulk actions: every given part must match."""

    q: str | None = Field(default=None, max_length=200)
    tags: list[str] = Field(default_factory=list, max_length=20)
    opted_out: bool | None = None
    segment_id: str | None = Field(default=None, max_length=32)
    rules: RuleSet | None = None


class BulkIn(InputModel):
    ids: list[str] | None = Field(default=None, max_length=1000)
    filter: ContactFilterIn | None = None
    action: Literal["add_tags", "remove_tags", "delete", "opt_out", "opt_in"]
    tags: list[str] = Field(default_factory=list, max_length=MAX_TAGS)

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: Any) -> Any:
        return clean_tag_names(value) if isinstance(value, list) else value


class BulkOut(BaseModel):
    action: str
    matched: int


class TagIn(InputModel):
    name: str = Field(min_length=1, max_length=64)
    color: str | None = Field(default=None, max_length=16)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be blank")
        return value

    @field_validator("color")
    @classmethod
    def _color(cls, value: str | None) -> str | None:
        if value is not None and not COLOR.match(value):
            raise ValueError("a hex color like #25d366")
        return value


class TagPatchIn(InputModel):
    name: str | None = Field(default=None, min_length=1, max_length=64)
    color: str | None = Field(default=None, max_length=16, description="null clears it")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be blank")
        return value.strip() if value is not None else None

    @field_validator("color")
    @classmethod
    def _color(cls, value: str | None) -> str | None:
        if value is not None and not COLOR.match(value):
            raise ValueError("a hex color like #25d366")
        return value


class TagOut(BaseModel):
    id: str
    name: str
    color: str | None
    contact_count: int


class TagListOut(BaseModel):
    tags: list[TagOut]


class AttributeDefinitionIn(InputModel):
    key: str = Field(description="letters, digits and _; starts with a letter or _")
    label: str | None = Field(default=None, max_length=120)
    type: AttributeType

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        if not ATTRIBUTE_KEY.match(value):
            raise ValueError("1 to 64 of A-Z, a-z, 0-9 and _, not starting with a digit")
        return value


class AttributeDefinitionPatchIn(InputModel):
    label: str | None = Field(default=None, max_length=120)
    type: AttributeType | None = None


class AttributeDefinitionOut(BaseModel):
    id: str
    key: str
    label: str
    type: AttributeType
    created_at: datetime


class AttributeDefinitionListOut(BaseModel):
    attributes: list[AttributeDefinitionOut]


class SegmentIn(InputModel):
    name: str = Field(min_length=1, max_length=120)
    # Checked by the service (422 naming the condition), so it is free-form here.
    rules: dict[str, Any] = Field(description="a rule set: {match, conditions} (docs/api.md)")


class SegmentPatchIn(InputModel):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    rules: dict[str, Any] | None = None


class SegmentOut(BaseModel):
    id: str
    name: str
    rules: RuleSet
    created_at: datetime
    updated_at: datetime


class SegmentListOut(BaseModel):
    segments: list[SegmentOut]


class SegmentPreviewIn(InputModel):
    rules: dict[str, Any]


class ContactSettingsIn(InputModel):
    default_country: str | None = Field(
        default=None, max_length=2, description="ISO 3166 code (AR, ES, US); null = none"
    )
    opt_out_keywords: list[str] = Field(max_length=50)
    opt_in_keywords: list[str] = Field(max_length=50)

    @field_validator("opt_out_keywords", "opt_in_keywords")
    @classmethod
    def _keywords(cls, value: list[str]) -> list[str]:
        cleaned: list[str] = []
        for word in value:
            word = " ".join(word.split())
            if not word or len(word) > 40:
                raise ValueError("each keyword has 1 to 40 characters")
            if word not in cleaned:
                cleaned.append(word)
        return cleaned


class ContactSettingsOut(BaseModel):
    default_country: str | None
    opt_out_keywords: list[str]
    opt_in_keywords: list[str]


class TimelineItemOut(BaseModel):
    id: str
    kind: Literal["message", "flow", "opt"]
    event: str = Field(
        description="message: inbound|outbound|note; flow: started|completed|handed_off|"
        "errored|expired; opt: opt_out|opt_in"
    )
    at: datetime
    text: str | None = None
    status: str | None = None
    message_type: str | None = None
    flow_id: str | None = None
    flow_name: str | None = None
    session_id: str | None = None
    broadcast_id: str | None = None
    source: str | None = None
    detail: str | None = None


class TimelineOut(BaseModel):
    items: list[TimelineItemOut]
    next_cursor: str | None


class ActivityMetaOut(BaseModel):
    key: str
    value: str


class ActivityItemOut(BaseModel):
    """The original system's activity row (camelCase, as its dashboard read it)."""

    model_config = ConfigDict(populate_by_name=True)

    id: str
    created_at: datetime = Field(alias="createdAt")
    status: str
    direction: Literal["inbound", "outbound", "system", "unknown"]
    channel: str
    flow_name: str | None = Field(alias="flowName")
    message_preview: str | None = Field(alias="messagePreview")
    metadata: list[ActivityMetaOut]


class ActivityOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    items: list[ActivityItemOut]
    next_cursor: str | None = Field(alias="nextCursor")
