"""Message counts rolled up per workspace, 15-minute slot, direction and status.

The Overview sums these few thousand rows instead of visiting every message of the period.
Database triggers on `messages` (migration 0007_message_rollups) keep them exact for every
writer — ORM, bulk Core inserts, raw SQL — so no application code writes this table.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from finnegans.db.base import Base

# 15 minutes: every UTC offset in use is a multiple of it (India +05:30, Nepal +05:45), so
# a slot never straddles a local midnight and per-day sums are exact in any zone.
SLOT_SECONDS = 900


class MessageRollup(Base):
    __tablename__ = "message_rollups"
    # SQLite: the primary key is the table (no separate rowid b-tree), so the Overview's range
    # scan reads the counts in key order without a lookup per row: half the CPU.
    __table_args__ = {"sqlite_with_rowid": False}

    workspace_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    # Unix seconds (UTC) of the slot's start: created_at rounded down to SLOT_SECONDS.
    slot_start: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    direction: Mapped[str] = mapped_column(String(8), primary_key=True)
    status: Mapped[str] = mapped_column(String(12), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)
