"""The workspace's audit log, newest first, for its owners and admins (Settings → Audit log)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import and_, or_, select

from finnegans.accounts.dependencies import AdminPrincipal
from finnegans.db.dependencies import DbSession
from finnegans.db.models import ApiKey, AuditLog, User
from finnegans.kit.cursors import decode_cursor, encode_cursor
from finnegans.kit.errors import BadRequest

router = APIRouter(prefix="/api", tags=["audit"])


class AuditActorOut(BaseModel):
    kind: str  # user | api_key | system
    id: str | None
    name: str | None


class AuditEntryOut(BaseModel):
    id: str
    at: datetime
    action: str
    actor: AuditActorOut
    target_type: str | None
    target_id: str | None
    details: dict[str, Any]
    ip: str | None


class AuditPageOut(BaseModel):
    entries: list[AuditEntryOut]
    next_cursor: str | None


@router.get("/audit-log")
async def audit_log(
    principal: AdminPrincipal,
    session: DbSession,
    action: Annotated[
        str | None, Query(max_length=64, description="e.g. member.role_changed")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AuditPageOut:
    query = (
        select(AuditLog, User.name, ApiKey.name)
        .outerjoin(User, User.id == AuditLog.actor_user_id)
        .outerjoin(ApiKey, ApiKey.id == AuditLog.actor_api_key_id)
        .where(AuditLog.workspace_id == principal.workspace_id)
    )
    if action:
        query = query.where(AuditLog.action == action)
    if cursor:
        at_text, last_id = decode_cursor(cursor, 2)
        try:
            at = datetime.fromisoformat(at_text)
        except ValueError:
            raise BadRequest("cursor: not a cursor this API returned",
                             fields={"cursor": "invalid"}) from None  # fmt: skip
        query = query.where(
            or_(AuditLog.created_at < at, and_(AuditLog.created_at == at, AuditLog.id < last_id))
        )
    rows = list(
        (
            await session.execute(
                query.order_by(AuditLog.created_at.desc(), AuditLog.id.desc()).limit(limit + 1)
            )
        ).all()
    )
    more = len(rows) > limit
    rows = rows[:limit]
    entries = [_entry(entry, user_name, key_name) for entry, user_name, key_name in rows]
    last = rows[-1][0] if more and rows else None
    return AuditPageOut(
        entries=entries,
        next_cursor=encode_cursor(last.created_at.isoformat(), last.id) if last else None,
    )


def _entry(entry: AuditLog, user_name: str | None, key_name: str | None) -> AuditEntryOut:
    return AuditEntryOut(
        id=entry.id,
        at=entry.created_at,
        action=entry.action,
        actor=_actor(entry, user_name, key_name),
        target_type=entry.target_type,
        target_id=entry.target_id,
        details=entry.details or {},
        ip=entry.ip,
    )


def _actor(entry: AuditLog, user_name: str | None, key_name: str | None) -> AuditActorOut:
    if entry.actor_api_key_id:
        return AuditActorOut(kind="api_key", id=entry.actor_api_key_id, name=key_name)
    if entry.actor_user_id:
        return AuditActorOut(kind="user", id=entry.actor_user_id, name=user_name)
    return AuditActorOut(kind="system", id=None, name=None)
