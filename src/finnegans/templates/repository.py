"""Template queries, always scoped to a workspace (except the webhook's WABA-wide lookup)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.db.models import MessageTemplate, WhatsAppAccount

DELETED = "DELETED"  # gone from Meta on the last sync


class TemplateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, workspace_id: str, template_id: str) -> MessageTemplate | None:
        result = await self.session.execute(
            select(MessageTemplate).where(
                MessageTemplate.workspace_id == workspace_id, MessageTemplate.id == template_id
            )
        )
        return result.scalar_one_or_none()

    async def matching(
        self,
        workspace_id: str,
        *,
        statuses: Sequence[str] = (),
        account_id: str | None = None,
        search: str | None = None,
    ) -> list[MessageTemplate]:
        query = select(MessageTemplate).where(MessageTemplate.workspace_id == workspace_id)
        if statuses:
            query = query.where(MessageTemplate.status.in_(statuses))
        else:
            query = query.where(MessageTemplate.status != DELETED)
        if account_id:
            query = query.where(MessageTemplate.whatsapp_account_id == account_id)
        if search:
            escaped = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(func.lower(MessageTemplate.name).like(f"%{escaped}%", escape="\\"))
        query = query.order_by(MessageTemplate.name, MessageTemplate.language)
        return list((await self.session.execute(query)).scalars())

    async def of_waba(self, workspace_id: str, waba_id: str) -> list[MessageTemplate]:
        result = await self.session.execute(
            select(MessageTemplate).where(
                MessageTemplate.workspace_id == workspace_id, MessageTemplate.waba_id == waba_id
            )
        )
        return list(result.scalars())

    async def by_name(
        self, workspace_id: str, waba_id: str | None, name: str, language: str
    ) -> MessageTemplate | None:
        """The stored translation a send names, on the sending number's WABA."""
        if not waba_id:
            return None
        result = await self.session.execute(
            select(MessageTemplate).where(
                MessageTemplate.workspace_id == workspace_id,
                MessageTemplate.waba_id == waba_id,
                MessageTemplate.name == name,
                MessageTemplate.language == language,
            )
        )
        return result.scalar_one_or_none()

    async def for_status_event(
        self, waba_id: str, meta_template_id: str, name: str | None, language: str | None
    ) -> list[MessageTemplate]:
        """Every workspace's copy of a template a webhook speaks of (a WABA may be connected to
        several workspaces), by Meta's id, else by name + language."""
        match = MessageTemplate.meta_template_id == meta_template_id
        if name and language:
            match = or_(
                match, (MessageTemplate.name == name) & (MessageTemplate.language == language)
            )
        result = await self.session.execute(
            select(MessageTemplate).where(MessageTemplate.waba_id == waba_id, match)
        )
        return list(result.scalars())

    async def accounts(
        self, workspace_id: str, account_id: str | None = None
    ) -> list[WhatsAppAccount]:
        """The workspace's numbers that have a WABA (template management is per WABA)."""
        query = select(WhatsAppAccount).where(
            WhatsAppAccount.workspace_id == workspace_id, WhatsAppAccount.waba_id.is_not(None)
        )
        if account_id is not None:
            query = query.where(WhatsAppAccount.id == account_id)
        query = query.order_by(WhatsAppAccount.created_at, WhatsAppAccount.id)
        return list((await self.session.execute(query)).scalars())

    async def account(self, workspace_id: str, account_id: str) -> WhatsAppAccount | None:
        result = await self.session.execute(
            select(WhatsAppAccount).where(
                WhatsAppAccount.workspace_id == workspace_id, WhatsAppAccount.id == account_id
            )
        )
        return result.scalar_one_or_none()
