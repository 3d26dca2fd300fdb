"""The audit trail of administrative actions (who changed settings, members, keys)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.accounts.dependencies import Principal
from finnegans.db.models import AuditLog


def record(
    session: AsyncSession,
    principal: Principal,
    action: str,
    *,
    target_type: str | None = None,
    target_id: str | None = None,
    ip: str | None = None,
    **details: Any,
) -> None:
    session.add(
        AuditLog(
            workspace_id=principal.workspace_id,
            actor_user_id=principal.user_id,
            actor_api_key_id=principal.api_key_id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            details=details,
            ip=ip,
        )
    )
