"""Contact queries, always scoped to a workspace."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.contacts.filters import (
    SortKey,
    SortOrder,
    after_cursor,
    next_cursor,
    order_by,
    sort_expression,
)
from finnegans.db.base import new_id
from finnegans.db.models import (
    Contact,
    ContactAttributeDefinition,
    ContactOptEvent,
    ContactTag,
    Segment,
    Tag,
)
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

    # --- the contacts API (contacts/service.py) ---------------------------------------------

    async def get(self, workspace_id: str, contact_id: str) -> Contact | None:
        result = await self.session.execute(
            select(Contact).where(Contact.workspace_id == workspace_id, Contact.id == contact_id)
        )
        return result.scalar_one_or_none()

    async def by_wa_id_or_phone(
        self, workspace_id: str, wa_id: str, phone: str, *, except_id: str | None = None
    ) -> Contact | None:
        query = select(Contact).where(
            Contact.workspace_id == workspace_id,
            or_(Contact.wa_id == wa_id, Contact.phone == phone),
        )
        if except_id:
            query = query.where(Contact.id != except_id)
        return (await self.session.execute(query.limit(1))).scalar_one_or_none()

    async def page(
        self,
        where: ColumnElement[bool],
        *,
        sort: SortKey,
        order: SortOrder,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Contact], str | None]:
        query = select(Contact, sort_expression(sort).label("sort_key")).where(where)
        if cursor:
            query = query.where(after_cursor(cursor, sort, order))
        query = query.order_by(*order_by(sort, order)).limit(limit + 1)
        rows = list((await self.session.execute(query)).all())
        more = len(rows) > limit
        rows = rows[:limit]
        last = rows[-1] if rows and more else None
        following = next_cursor(sort, order, last.sort_key, last[0].id) if last else None
        return [row[0] for row in rows], following

    async def count(self, where: ColumnElement[bool]) -> int:
        found = await self.session.execute(select(func.count()).select_from(Contact).where(where))
        return int(found.scalar_one())

    async def tags_of(self, contact_ids: list[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {contact_id: [] for contact_id in contact_ids}
        if not contact_ids:
            return found
        rows = await self.session.execute(
            select(ContactTag.contact_id, Tag.name)
            .join(Tag, Tag.id == ContactTag.tag_id)
            .where(ContactTag.contact_id.in_(contact_ids))
            .order_by(Tag.name)
        )
        for contact_id, name in rows:
            found[contact_id].append(name)
        return found

    async def delete_where(self, where: ColumnElement[bool]) -> int:
        """Delete contacts; their messages, sessions, tags, conversation and tasks cascade."""
        result = await self.session.execute(delete(Contact).where(where))
        return int(getattr(result, "rowcount", 0) or 0)

    async def touch_where(self, where: ColumnElement[bool]) -> int:
        result = await self.session.execute(
            update(Contact).where(where).values(updated_at=utcnow())
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def ids_where(self, where: ColumnElement[bool]) -> list[str]:
        return list((await self.session.execute(select(Contact.id).where(where))).scalars())

    # --- tags -----------------------------------------------------------------------------

    async def tags_with_counts(self, workspace_id: str) -> list[tuple[Tag, int]]:
        counted = (
            select(ContactTag.tag_id, func.count().label("n"))
            .group_by(ContactTag.tag_id)
            .subquery()
        )
        rows = await self.session.execute(
            select(Tag, func.coalesce(counted.c.n, 0))
            .outerjoin(counted, counted.c.tag_id == Tag.id)
            .where(Tag.workspace_id == workspace_id)
            .order_by(Tag.name)
        )
        return [(tag, int(n)) for tag, n in rows]

    async def tag(self, workspace_id: str, tag_id: str) -> Tag | None:
        result = await self.session.execute(
            select(Tag).where(Tag.workspace_id == workspace_id, Tag.id == tag_id)
        )
        return result.scalar_one_or_none()

    async def tag_named(self, workspace_id: str, name: str) -> Tag | None:
        result = await self.session.execute(
            select(Tag).where(Tag.workspace_id == workspace_id, Tag.name == name)
        )
        return result.scalar_one_or_none()

    async def tag_count(self, tag_id: str) -> int:
        found = await self.session.execute(
            select(func.count()).select_from(ContactTag).where(ContactTag.tag_id == tag_id)
        )
        return int(found.scalar_one())

    # --- attribute definitions and segments ------------------------------------------------

    async def attribute_definitions(self, workspace_id: str) -> list[ContactAttributeDefinition]:
        rows = await self.session.execute(
            select(ContactAttributeDefinition)
            .where(ContactAttributeDefinition.workspace_id == workspace_id)
            .order_by(ContactAttributeDefinition.key)
        )
        return list(rows.scalars())

    async def attribute_types(self, workspace_id: str) -> dict[str, str]:
        rows = await self.session.execute(
            select(ContactAttributeDefinition.key, ContactAttributeDefinition.type).where(
                ContactAttributeDefinition.workspace_id == workspace_id
            )
        )
        return {key: type_ for key, type_ in rows}

    async def attribute_definition(
        self, workspace_id: str, *, definition_id: str | None = None, key: str | None = None
    ) -> ContactAttributeDefinition | None:
        query = select(ContactAttributeDefinition).where(
            ContactAttributeDefinition.workspace_id == workspace_id
        )
        if definition_id is not None:
            query = query.where(ContactAttributeDefinition.id == definition_id)
        if key is not None:
            query = query.where(ContactAttributeDefinition.key == key)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def segments(self, workspace_id: str) -> list[Segment]:
        rows = await self.session.execute(
            select(Segment).where(Segment.workspace_id == workspace_id).order_by(Segment.name)
        )
        return list(rows.scalars())

    async def segment(
        self, workspace_id: str, *, segment_id: str | None = None, name: str | None = None
    ) -> Segment | None:
        query = select(Segment).where(Segment.workspace_id == workspace_id)
        if segment_id is not None:
            query = query.where(Segment.id == segment_id)
        if name is not None:
            query = query.where(Segment.name == name)
        return (await self.session.execute(query)).scalar_one_or_none()

    # --- opt-out audit -----------------------------------------------------------------------

    def add_opt_event(
        self,
        contact: Contact,
        action: str,
        source: str,
        detail: str | None,
        actor_user_id: str | None,
        at: datetime,
    ) -> ContactOptEvent:
        event = ContactOptEvent(
            workspace_id=contact.workspace_id, contact_id=contact.id, action=action,
            source=source, detail=(detail or None) and detail[:255],
            actor_user_id=actor_user_id, created_at=at,
        )  # fmt: skip
        self.session.add(event)
        return event
