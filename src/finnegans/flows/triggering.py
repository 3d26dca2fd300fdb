"""Start a flow for a phone number from the API (the original's manual trigger, fixed).

The original ignored the caller's variables and treated the trigger text as a reply when the
contact was mid-flow; here the variables are honoured and the flow always starts at its trigger.
The start itself is a queued task, so it runs in the contact's order like any inbound message.
"""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.contacts.repository import ContactRepository
from finnegans.context import AppContext
from finnegans.db.base import new_id
from finnegans.db.models import Contact, Flow
from finnegans.flows.schemas import TriggerIn, TriggerOut
from finnegans.jobs.task_queue import enqueue
from finnegans.kit.clock import utcnow
from finnegans.kit.errors import BadRequest, Conflict

_PHONE_DIGITS = re.compile(r"^[1-9][0-9]{6,14}$")  # E.164 without the plus


async def contact_for_phone(
    session: AsyncSession, workspace_id: str, digits: str, name: str | None
) -> Contact:
    repo = ContactRepository(session)
    contact = await repo.by_whatsapp_ids(workspace_id, digits, None)
    if contact is None:
        now = utcnow()
        contact = Contact(
            id=new_id(), workspace_id=workspace_id, wa_id=digits, phone=f"+{digits}", name=name,
            attributes={}, opted_out=False, created_at=now, updated_at=now,
        )  # fmt: skip
        session.add(contact)
        await session.flush()
    elif name and not contact.name:
        contact.name = name
    return contact


async def trigger_flow(
    ctx: AppContext, session: AsyncSession, flow: Flow, data: TriggerIn
) -> TriggerOut:
    digits = data.recipient()
    if not digits:
        raise BadRequest("Missing contact phone identifier", fields={"phone": "is required"})
    if not _PHONE_DIGITS.match(digits):
        raise BadRequest(
            "phone: not a phone number in international format",
            fields={"phone": "7 to 15 digits with the country code"},
        )
    if flow.status != "Active" or flow.published_version_id is None:
        raise Conflict("Flow is not active: publish it first")
    contact = await contact_for_phone(session, flow.workspace_id, digits, data.name)
    task = enqueue(
        session,
        workspace_id=flow.workspace_id,
        kind="trigger",
        contact_id=contact.id,
        payload={"flow_id": flow.id, "variables": data.variables, "message": data.message},
    )
    await session.flush()
    return TriggerOut(flow_id=flow.id, contact_id=contact.id, task_id=task.id)
