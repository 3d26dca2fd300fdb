"""Contact queries, always scoped to a workspace."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Table, or_, select, update
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
    ) -> WhatsAppContact:
        """The contact behind an inbound message, created on first contact.

        Either identifier may be missing. Known identifiers are filled in when they arrive later
        (a BSUID added to a wa_id contact), and the profile name follows WhatsApp's latest.
        Core statements, not ORM objects: this runs for every inbound message, and two round
        trips (find, then insert or update) are all it needs.
        """
        found = await self._find(workspace_id, wa_id, bsuid)
        if found is None:
            created = await self._insert(workspace_id, wa_id, bsuid, name, seen_at)
            if created is not None:
                return created
            found = await self._find(workspace_id, wa_id, bsuid)  # a concurrent insert won
            if found is None:  # pragma: no cover - the insert or a concurrent one made it
                raise RuntimeError("contact upsert failed")
        changes = _whatsapp_changes(found, wa_id, bsuid, name, seen_at)
        if not changes:
            return found
        await self.session.execute(
            update(_contacts)
            .where(_contacts.c.id == found.id, _contacts.c.workspace_id == workspace_id)
            .values(changes)
        )
        return replace(found, **{k: v for k, v in changes.items() if k != "updated_at"})

    async def _find(
        self, workspace_id: str, wa_id: str | None, bsuid: str | None
    ) -> WhatsAppContact | None:
        columns = _contacts.c
        matches = [c == v for c, v in ((columns.wa_id, wa_id), (columns.bsuid, bsuid)) if v]
        if not matches:
            return None
        rows = await self.session.execute(
            select(*(columns[name] for name in _CONTACT_FIELDS)).where(
                columns.workspace_id == workspace_id, or_(*matches)
            )
        )
        found = [WhatsAppContact(*row) for row in rows]
        # Prefer the wa_id match when a BSUID points at a different (older) contact.
        found.sort(key=lambda c: c.wa_id != wa_id)
        return found[0] if found else None

    async def _insert(
        self,
        workspace_id: str,
        wa_id: str | None,
        bsuid: str | None,
        name: str | None,
        seen_at: datetime,
    ) -> WhatsAppContact | None:
        """Create the contact; None when a concurrent insert made it first."""
        now = utcnow()
        contact = WhatsAppContact(
            id=new_id(),
            wa_id=wa_id,
            bsuid=bsuid,
            name=name,
            phone=f"+{wa_id}" if wa_id and wa_id.isdigit() else None,
            last_inbound_at=seen_at,
        )
        values = {**asdict(contact), "workspace_id": workspace_id, "attributes": {},
                  "opted_out": False, "created_at": now, "updated_at": now}  # fmt: skip
        inserted = await self.session.execute(
            insert_ignoring_conflicts(self.session, _contacts, values).returning(_contacts.c.id)
        )
        return contact if inserted.scalar_one_or_none() is not None else None


@dataclass(frozen=True)
class WhatsAppContact:
    """What inbound processing needs of a contact (a plain row, not an ORM object)."""

    id: str
    wa_id: str | None
    bsuid: str | None
    name: str | None
    phone: str | None
    last_inbound_at: datetime | None


_CONTACT_FIELDS = tuple(f.name for f in fields(WhatsAppContact))
_contacts: Table = Contact.__table__  # type: ignore[assignment]


def _whatsapp_changes(
    contact: WhatsAppContact,
    wa_id: str | None,
    bsuid: str | None,
    name: str | None,
    seen_at: datetime,
) -> dict[str, Any]:
    """What an inbound message changes on a known contact (empty when nothing does)."""
    changes: dict[str, Any] = {}
    if wa_id and not contact.wa_id:
        changes["wa_id"] = wa_id
        if not contact.phone and wa_id.isdigit():
            changes["phone"] = f"+{wa_id}"
    if bsuid and not contact.bsuid:
        changes["bsuid"] = bsuid
    if name and name != contact.name:
        changes["name"] = name
    if contact.last_inbound_at is None or seen_at > contact.last_inbound_at:
        changes["last_inbound_at"] = seen_at
    if changes:
        changes["updated_at"] = utcnow()
    return changes
