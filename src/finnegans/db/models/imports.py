"""Contact CSV imports: the uploaded file's shape, the chosen mapping, progress, and bad rows.

The file itself lives in DATA_DIR/imports/<id>.csv (always stored as UTF-8). The import row is
the checkpoint: `resume_offset` and `resume_row` move forward in the same transaction as each
chunk's contacts, so a restart continues after the last committed chunk and never repeats one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from finnegans.db.base import Base, IdMixin, JSONType, TimestampMixin, workspace_fk
from finnegans.kit.clock import utcnow

# SQLite's INTEGER is 64-bit already; PostgreSQL needs BIGINT for byte counts past 2 GB.
ByteCount = BigInteger().with_variant(Integer(), "sqlite")


class ContactImport(IdMixin, TimestampMixin, Base):
    __tablename__ = "contact_imports"
    __table_args__ = (Index("ix_contact_imports_workspace_created", "workspace_id", "created_at"),)

    workspace_id: Mapped[str] = workspace_fk()
    created_by_user_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="SET NULL")
    )
    filename: Mapped[str] = mapped_column(String(255))
    # uploaded | queued | running | completed | failed
    status: Mapped[str] = mapped_column(String(12), default="uploaded")
    encoding: Mapped[str] = mapped_column(String(16))  # what the upload was: utf-8, utf-16 ...
    delimiter: Mapped[str] = mapped_column(String(1))
    headers: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # One target per column ("phone", "name", "tags", "opted_out", "notes", "attribute:<key>",
    # "ignore"), set when the import starts.
    mapping: Mapped[list[str] | None] = mapped_column(JSONType)
    # default_country, add_tags, on_duplicate
    options: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    total_bytes: Mapped[int] = mapped_column(ByteCount, default=0)
    # Where the next chunk starts in the stored file, and the row number it starts at.
    resume_offset: Mapped[int] = mapped_column(ByteCount, default=0)
    resume_row: Mapped[int] = mapped_column(default=2)
    rows_read: Mapped[int] = mapped_column(default=0)
    created_count: Mapped[int] = mapped_column(default=0)
    updated_count: Mapped[int] = mapped_column(default=0)
    skipped_count: Mapped[int] = mapped_column(default=0)
    failed_count: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)  # why the whole import failed
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class ContactImportError(Base):
    """One bad row of an import: its number in the file, the raw phone and value, and why."""

    __tablename__ = "contact_import_errors"

    import_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("contact_imports.id", ondelete="CASCADE"), primary_key=True
    )
    row_number: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = workspace_fk()
    phone: Mapped[str | None] = mapped_column(String(64))
    column_name: Mapped[str | None] = mapped_column(String(255))
    value: Mapped[str | None] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
