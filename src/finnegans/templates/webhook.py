"""`message_template_status_update` webhooks: Meta's review verdicts and later changes.

Runs in the webhook worker's transaction (whatsapp/webhook/processor.py). Idempotent: the same
event twice sets the same values, and an event older than the last one applied is ignored, so
duplicated or out-of-order deliveries leave the newest verdict.

A template we do not know yet (created in WhatsApp Manager, or a verdict that overtook the
commit of our own create request on PostgreSQL) gets a *stub* row in every workspace connected
to the WABA: its status is right at once, and its content (components) arrives with the next
sync. Stubs are not offered for sending, and sends are not checked against them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.db.models import MessageTemplate, WhatsAppAccount
from finnegans.kit.logging import get_logger
from finnegans.kit.upsert import insert_ignoring_conflicts
from finnegans.templates.repository import TemplateRepository
from finnegans.whatsapp.inbound.events import TemplateStatusEvent
from finnegans.whatsapp.inbound.management import TemplateStatusUpdate

log = get_logger(__name__)

# Events that are not themselves a status (Meta's REINSTATED means approved again).
_STATUS_OF_EVENT = {"REINSTATED": "APPROVED"}
_REASONED = frozenset({"REJECTED", "PAUSED", "DISABLED", "FLAGGED", "LIMIT_EXCEEDED"})


def _reason(update: TemplateStatusUpdate, status: str) -> str | None:
    """Meta's reason code and, when given, its explanation and advice, for people to read."""
    if status not in _REASONED:
        return None
    parts: list[str] = []
    if update.reason and update.reason != "NONE":
        parts.append(update.reason)
    if update.rejection_info is not None:
        parts += [p for p in (update.rejection_info.reason,
                              update.rejection_info.recommendation) if p]  # fmt: skip
    if update.other_info is not None:
        parts += [p for p in (update.other_info.title, update.other_info.description) if p]
    return " — ".join(parts) or None


async def _add_stubs(session: AsyncSession, event: TemplateStatusEvent, status: str) -> None:
    update = event.update
    if not update.message_template_name or not update.message_template_language:
        return  # nothing to identify it by on a later sync
    accounts = await session.execute(
        select(WhatsAppAccount.workspace_id, WhatsAppAccount.id)
        .where(WhatsAppAccount.waba_id == event.waba_id)
        .order_by(WhatsAppAccount.created_at, WhatsAppAccount.id)
    )
    first_account: dict[str, str] = {}
    for workspace_id, account_id in accounts:
        first_account.setdefault(workspace_id, account_id)
    for workspace_id, account_id in first_account.items():
        values: dict[str, Any] = {
            "workspace_id": workspace_id, "whatsapp_account_id": account_id,
            "waba_id": event.waba_id, "meta_template_id": str(update.message_template_id),
            "name": update.message_template_name[:512],
            "language": update.message_template_language[:16],
            "category": (update.message_template_category or "UTILITY").upper()[:32],
            "status": status, "rejected_reason": _reason(update, status), "components": [],
            "parameter_format": "positional", "status_event_at": event.time,
        }  # fmt: skip
        # Ignoring a conflict: a concurrent create (or sync) wrote the row first and wins.
        await session.execute(insert_ignoring_conflicts(session, MessageTemplate, values))
    if first_account:
        log.info("template_status_stub", waba_id=event.waba_id,
                 name=update.message_template_name, status=status)  # fmt: skip


async def apply_template_status(session: AsyncSession, event: TemplateStatusEvent) -> None:
    update = event.update
    status = _STATUS_OF_EVENT.get(update.event.upper(), update.event.upper())[:32]
    rows = await TemplateRepository(session).for_status_event(
        event.waba_id, str(update.message_template_id),
        update.message_template_name, update.message_template_language,
    )  # fmt: skip
    if not rows:
        await _add_stubs(session, event, status)
        return
    for row in rows:
        if row.status_event_at and event.time and event.time < row.status_event_at:
            continue  # a late delivery of an older verdict
        row.status = status
        row.rejected_reason = _reason(update, status)
        row.meta_template_id = row.meta_template_id or str(update.message_template_id)
        if update.message_template_category:
            row.category = update.message_template_category.upper()[:32]
        if event.time is not None:
            row.status_event_at = event.time
