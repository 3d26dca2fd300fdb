"""The workspace's audit log, newest first, for its owners and admins (Settings → Audit log)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from finnegans.accounts.dependencies import AdminPrincipal
from finnegans.accounts.repository import AccountsRepository
from finnegans.db.dependencies import DbSession
from finnegans.db.models import AuditLog
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
    after: tuple[datetime, str] | None = None
    if cursor:
        at_text, last_id = decode_cursor(cursor, 2)
        try:
            after = (datetime.fromisoformat(at_text), last_id)
        except ValueError:
            raise BadRequest("cursor: not a cursor this API returned",
                             fields={"cursor": "invalid"}) from None  # fmt: skip
    rows = await AccountsRepository(session).audit_entries(
        principal.workspace_id, action=action, after=after, limit=limit + 1
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
