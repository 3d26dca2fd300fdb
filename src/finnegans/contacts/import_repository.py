"""Queries of contact imports and their error rows, always scoped to a workspace."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.db.models import Contact, ContactImport, ContactImportError, Task


class ImportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(
        self, workspace_id: str, import_id: str, *, for_update: bool = False
    ) -> ContactImport | None:
        query = select(ContactImport).where(
            ContactImport.workspace_id == workspace_id, ContactImport.id == import_id
        )
        if for_update and self.session.get_bind().dialect.name == "postgresql":
            # Two runners on one import (a lease that ran out) take turns chunk by chunk, each
            # reading the checkpoint the other committed. SQLite has one writer anyway.
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def recent(self, workspace_id: str, limit: int) -> list[ContactImport]:
        rows = await self.session.execute(
            select(ContactImport)
            .where(ContactImport.workspace_id == workspace_id)
            .order_by(ContactImport.created_at.desc(), ContactImport.id.desc())
            .limit(limit)
        )
        return list(rows.scalars())

    async def contacts_by_number(
        self, workspace_id: str, wa_ids: Sequence[str], phones: Sequence[str]
    ) -> list[Contact]:
        """The workspace's contacts with one of these WhatsApp ids or E.164 phones."""
        if not wa_ids and not phones:
            return []
        rows = await self.session.execute(
            select(Contact).where(
                Contact.workspace_id == workspace_id,
                or_(Contact.wa_id.in_(wa_ids), Contact.phone.in_(phones)),
            )
        )
        return list(rows.scalars())

    async def add_errors(self, rows: list[dict[str, Any]]) -> None:
        """Record bad rows; a row already recorded (a replayed chunk) is kept as it was."""
        if not rows:
            return
        dialect = self.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        await self.session.execute(insert(ContactImportError).on_conflict_do_nothing(), rows)

    async def errors_page(
        self, workspace_id: str, import_id: str, *, after_row: int, limit: int
    ) -> list[ContactImportError]:
        rows = await self.session.execute(
            select(ContactImportError)
            .where(
                ContactImportError.workspace_id == workspace_id,
                ContactImportError.import_id == import_id,
                ContactImportError.row_number > after_row,
            )
            .order_by(ContactImportError.row_number)
            .limit(limit)
        )
        return list(rows.scalars())

    async def extend_lease(self, task_id: int, until: datetime) -> None:
        """Keep a long import's task claimed while it makes progress."""
        await self.session.execute(
            update(Task)
            .where(Task.id == task_id, Task.state == "running")
            .values(locked_until=until)
        )
