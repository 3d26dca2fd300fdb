"""Queries for WhatsApp accounts, always scoped to a workspace."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.db.models import WhatsAppAccount


class WhatsAppAccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list(self, workspace_id: str) -> Sequence[WhatsAppAccount]:
        result = await self.session.execute(
            select(WhatsAppAccount)
            .where(WhatsAppAccount.workspace_id == workspace_id)
            .order_by(WhatsAppAccount.created_at, WhatsAppAccount.id)
        )
        return result.scalars().all()

    async def get(self, workspace_id: str, account_id: str) -> WhatsAppAccount | None:
        result = await self.session.execute(
            select(WhatsAppAccount).where(
                WhatsAppAccount.workspace_id == workspace_id, WhatsAppAccount.id == account_id
            )
        )
        return result.scalar_one_or_none()

    async def first(self, workspace_id: str) -> WhatsAppAccount | None:
        accounts = await self.list(workspace_id)
        return accounts[0] if accounts else None

    async def by_phone_number_id(self, phone_number_id: str) -> WhatsAppAccount | None:
        """Global lookup: webhooks are routed to their workspace by this id."""
        result = await self.session.execute(
            select(WhatsAppAccount).where(WhatsAppAccount.phone_number_id == phone_number_id)
        )
        return result.scalar_one_or_none()

    def add(self, account: WhatsAppAccount) -> None:
        self.session.add(account)
