"""What the contact import API accepts and answers (docs/api.md#contact-import-and-export)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from finnegans.contacts.schemas import MAX_TAGS, clean_tag_names
from finnegans.kit.schemas import InputModel

ImportStatus = Literal["uploaded", "queued", "running", "completed", "failed"]


class ImportStartIn(InputModel):
    mapping: list[str] | dict[str, str] = Field(
        description="one target per column (phone, name, tags, opted_out, notes, "
        "attribute:<key>, ignore), or {header: target} (unnamed headers are ignored)",
    )
    default_country: str | None = Field(
        default=None, max_length=2, description="for numbers without +; default: the workspace's"
    )
    add_tags: list[str] = Field(default_factory=list, max_length=MAX_TAGS,
                                description="tags put on every imported contact")  # fmt: skip
    on_duplicate: Literal["merge", "skip"] = Field(
        default="merge",
        description="a number already in the workspace (or earlier in the file): merge the row "
        "into that contact, or skip the row",
    )
    create_attributes: bool = Field(
        default=False, description="create missing attribute:<key> targets as text (admins)"
    )

    @field_validator("mapping")
    @classmethod
    def _mapping(cls, value: list[str] | dict[str, str]) -> list[str] | dict[str, str]:
        if len(value) > 500:
            raise ValueError("at most 500 columns")
        return value

    @field_validator("add_tags", mode="before")
    @classmethod
    def _tags(cls, value: Any) -> Any:
        return clean_tag_names(value) if isinstance(value, list) else value


class ImportOut(BaseModel):
    id: str
    filename: str
    status: ImportStatus
    encoding: str = Field(description="what the upload was: utf-8, utf-8-sig (BOM) or utf-16")
    delimiter: str
    headers: list[str]
    mapping: list[str] | None
    default_country: str | None
    add_tags: list[str]
    on_duplicate: str
    total_bytes: int
    bytes_read: int
    progress: float = Field(description="percent of the file read, 0 to 100")
    rows_read: int
    created: int
    updated: int
    skipped: int
    failed: int
    error: str | None = Field(description="why the import stopped, when status is failed")
    errors_url: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ImportColumnOut(BaseModel):
    index: int
    header: str
    suggested: str
    samples: list[str]


class ImportUploadOut(ImportOut):
    columns: list[ImportColumnOut]
    sample_rows: list[list[str]]
    suggested_mapping: list[str] = Field(description="one target per column; POST it to /start")


class ImportListOut(BaseModel):
    imports: list[ImportOut]


class LegacyContactIn(InputModel):
    phone: str | None = Field(default=None, max_length=64)
    name: str | None = Field(default=None, max_length=255)
    tags: list[str] | str | None = Field(default=None, description='names, or "a;b"')


class LegacyImportIn(InputModel):
    """The original system's JSON import body (its dashboard parsed the CSV in the browser)."""

    contacts: list[LegacyContactIn] = Field(max_length=10_000)


class LegacyDuplicatesOut(BaseModel):
    in_file: list[str] = Field(serialization_alias="inFile")
    existing: list[str]


class LegacyFailureOut(BaseModel):
    phone: str
    reason: str


class LegacyImportOut(BaseModel):
    """The original's answer shape; `existing` numbers are merged into their contacts."""

    id: str = Field(description="the import, with its errors.csv like a CSV import")
    total: int
    imported: int
    duplicates: LegacyDuplicatesOut
    failures: list[LegacyFailureOut]
