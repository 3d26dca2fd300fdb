"""Contact queries, always scoped to a workspace."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.db.base import new_id
from finnegans.db.models import Contact
from finnegans.kit.clock import utcnow
from finnegans.kit.upsert import insert_ignoring_conflicts


def whatsapp_address(contact: Contact) -> str:
    """Where a message to this contact goes: the wa_id, else the BSUID, else the phone digits."""
    digits = "".join(ch for ch in (contact.phone or "") if ch.isdigit())
    return contact.wa_id or contact.bsuid or digits


class ContactRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_whatsapp_ids(
        self, workspace_id: str, wa_id: str | None, bsuid: str | None
    ) -> Contact | None:
        matches = [c == v for c, v in ((Contact.wa_id, wa_id), (Contact.bsuid, bsuid)) if v]
        if not matches:
            return None
        result = await self.session.execute(
            select(Contact).where(Contact.workspace_id == workspace_id, or_(*matches))
        )
        found = list(result.scalars())
        # Prefer the wa_id match when a BSUID points at a different (older) contact.
        found.sort(key=lambda c: c.wa_id != wa_id)
        return found[0] if found else None

    async def upsert_from_whatsapp(
        self,
        workspace_id: str,
        *,
        wa_id: str | None,
        bsuid: str | None,
        name: str | None,
        seen_at: datetime,
    ) -> Contact:
        """The contact behind an inbound message, created on first contact.

        Either identifier may be missing. Known identifiers are filled in when they arrive later
        (a BSUID added to a wa_id contact), and the profile name follows WhatsApp's latest.
        """
        contact = await self.by_whatsapp_ids(workspace_id, wa_id, bsuid)
        if contact is None:
            await self.session.execute(
                insert_ignoring_conflicts(
                    self.session,
                    Contact,
                    {
                        "id": new_id(),
                        "workspace_id": workspace_id,
                        "wa_id": wa_id,
                        "bsuid": bsuid,
                        "phone": f"+{wa_id}" if wa_id and wa_id.isdigit() else None,
                        "name": name,
                        "attributes": {},
                        "opted_out": False,
                        "created_at": utcnow(),
                        "updated_at": utcnow(),
                    },
                )
            )
            contact = await self.by_whatsapp_ids(workspace_id, wa_id, bsuid)
            if contact is None:  # pragma: no cover - the insert or a concurrent one made it
                raise RuntimeError("contact upsert failed")
        if wa_id and not contact.wa_id:
            contact.wa_id = wa_id
            contact.phone = contact.phone or (f"+{wa_id}" if wa_id.isdigit() else None)
        if bsuid and not contact.bsuid:
            contact.bsuid = bsuid
        if name and name != contact.name:
            contact.name = name
        if contact.last_inbound_at is None or seen_at > contact.last_inbound_at:
            contact.last_inbound_at = seen_at
        return contact
