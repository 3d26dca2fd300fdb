"""Queries for users, memberships, sessions, invitations, API keys and the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.db.models import (
    ApiKey,
    AuditLog,
    AuthSession,
    Invitation,
    User,
    Workspace,
    WorkspaceMember,
)


class AccountsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def user_by_email(self, email: str) -> User | None:
        result = await self.session.execute(select(User).where(User.email == email.lower()))
        return result.scalar_one_or_none()

    async def user_by_id(self, user_id: str) -> User | None:
        return await self.session.get(User, user_id)

    async def workspace(self, workspace_id: str) -> Workspace | None:
        return await self.session.get(Workspace, workspace_id)

    async def membership(self, workspace_id: str, user_id: str) -> WorkspaceMember | None:
        result = await self.session.execute(
            select(WorkspaceMember).where(
                WorkspaceMember.workspace_id == workspace_id, WorkspaceMember.user_id == user_id
            )
        )
        return result.scalar_one_or_none()

    async def first_membership(self, user_id: str) -> WorkspaceMember | None:
        result = await self.session.execute(
            select(WorkspaceMember)
            .where(WorkspaceMember.user_id == user_id)
            .order_by(WorkspaceMember.created_at.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()

    async def session_principal(
        self, session_id: str, user_id: str, workspace_id: str, now: datetime
    ) -> tuple[User, WorkspaceMember] | None:
        """The user and membership behind a live (unrevoked, unexpired) login session."""
        result = await self.session.execute(
            select(User, WorkspaceMember)
            .join(AuthSession, AuthSession.user_id == User.id)
            .join(
                WorkspaceMember,
                (WorkspaceMember.user_id == User.id)
                & (WorkspaceMember.workspace_id == AuthSession.workspace_id),
            )
            .where(
                AuthSession.id == session_id,
                AuthSession.user_id == user_id,
                AuthSession.workspace_id == workspace_id,
                AuthSession.revoked_at.is_(None),
                AuthSession.expires_at > now,
            )
        )
        row = result.one_or_none()
        return (row[0], row[1]) if row else None

    async def auth_session(self, session_id: str) -> AuthSession | None:
        return await self.session.get(AuthSession, session_id)

    async def members(self, workspace_id: str) -> Sequence[tuple[WorkspaceMember, User]]:
        result = await self.session.execute(
            select(WorkspaceMember, User)
            .join(User, User.id == WorkspaceMember.user_id)
            .where(WorkspaceMember.workspace_id == workspace_id)
            .order_by(WorkspaceMember.created_at)
        )
        return [(m, u) for m, u in result.all()]

    async def count_owners(self, workspace_id: str) -> int:
        result = await self.session.execute(
            select(func.count())
            .select_from(WorkspaceMember)
            .where(WorkspaceMember.workspace_id == workspace_id, WorkspaceMember.role == "owner")
        )
        return int(result.scalar_one())

    async def invitations(self, workspace_id: str, now: datetime) -> Sequence[Invitation]:
        result = await self.session.execute(
            select(Invitation)
            .where(
                Invitation.workspace_id == workspace_id,
                Invitation.accepted_at.is_(None),
                Invitation.expires_at > now,
            )
            .order_by(Invitation.created_at.desc())
        )
        return result.scalars().all()

    async def invitation(self, workspace_id: str, invitation_id: str) -> Invitation | None:
        result = await self.session.execute(
            select(Invitation).where(
                Invitation.workspace_id == workspace_id, Invitation.id == invitation_id
            )
        )
        return result.scalar_one_or_none()

    async def invitation_by_token_hash(self, token_hash: str) -> Invitation | None:
        result = await self.session.execute(
            select(Invitation).where(Invitation.token_hash == token_hash)
        )
        return result.scalar_one_or_none()

    async def api_keys(self, workspace_id: str) -> Sequence[ApiKey]:
        result = await self.session.execute(
            select(ApiKey).where(ApiKey.workspace_id == workspace_id).order_by(ApiKey.created_at)
        )
        return result.scalars().all()

    async def api_key(self, workspace_id: str, key_id: str) -> ApiKey | None:
        result = await self.session.execute(
            select(ApiKey).where(ApiKey.workspace_id == workspace_id, ApiKey.id == key_id)
        )
        return result.scalar_one_or_none()

    async def api_key_by_hash(self, key_hash: str) -> ApiKey | None:
        result = await self.session.execute(
            select(ApiKey).where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None))
        )
        return result.scalar_one_or_none()

    def add(self, *rows: object) -> None:
        self.session.add_all(rows)

    async def audit_entries(
        self,
        workspace_id: str,
        *,
        action: str | None,
        after: tuple[datetime, str] | None,
        limit: int,
    ) -> list[tuple[AuditLog, str | None, str | None]]:
        """Audit entries newest first, with the acting user's and API key's names; `after` is
        the (time, id) of the last entry of the previous page."""
        query = (
            select(AuditLog, User.name, ApiKey.name)
            .outerjoin(User, User.id == AuditLog.actor_user_id)
            .outerjoin(ApiKey, ApiKey.id == AuditLog.actor_api_key_id)
            .where(AuditLog.workspace_id == workspace_id)
        )
        if action:
            query = query.where(AuditLog.action == action)
        if after is not None:
            at, last_id = after
            query = query.where(
                or_(
                    AuditLog.created_at < at, and_(AuditLog.created_at == at, AuditLog.id < last_id)
                )
            )
        rows = await self.session.execute(
            query.order_by(AuditLog.created_at.desc(), AuditLog.id.desc()).limit(limit)
        )
        return [(entry, user_name, key_name) for entry, user_name, key_name in rows]
