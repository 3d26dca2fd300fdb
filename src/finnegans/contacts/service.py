"""The contacts API's rules: create, edit, tag, opt out, delete, list and bulk-change contacts.

Services never commit: the request's unit of work does, so a rejected request writes nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.accounts.dependencies import Principal
from finnegans.contacts.attributes import merged_attributes
from finnegans.contacts.filters import ContactFilters, SortKey, SortOrder, filter_clause
from finnegans.contacts.optout import OptSource, set_opt_state
from finnegans.contacts.phones import normalize_phone, wa_id_of
from finnegans.contacts.repository import ContactRepository
from finnegans.contacts.schemas import (
    BulkIn,
    ContactCreateIn,
    ContactFilterIn,
    ContactRecordOut,
    ContactUpdateIn,
    ContactWriteIn,
)
from finnegans.contacts.segments import RuleSet, attribute_filter, check_rules
from finnegans.contacts.settings import load_settings
from finnegans.contacts.tags import replace_tags, tag_many, untag_many
from finnegans.db.base import new_id
from finnegans.db.models import Contact, Role
from finnegans.kit.clock import utcnow
from finnegans.kit.errors import BadRequest, Conflict, Forbidden, NotFound


def contact_out(contact: Contact, tags: list[str]) -> ContactRecordOut:
    return ContactRecordOut(
        id=contact.id, name=contact.name, phone=contact.phone, wa_id=contact.wa_id,
        bsuid=contact.bsuid, notes=contact.notes, attributes=dict(contact.attributes or {}),
        tags=tags, opted_out=contact.opted_out, opted_out_at=contact.opted_out_at,
        last_activity_at=contact.last_inbound_at, created_at=contact.created_at,
        updated_at=contact.updated_at,
    )  # fmt: skip


async def contacts_out(session: AsyncSession, contacts: list[Contact]) -> list[ContactRecordOut]:
    tags = await ContactRepository(session).tags_of([c.id for c in contacts])
    return [contact_out(c, tags[c.id]) for c in contacts]


async def one_out(session: AsyncSession, contact: Contact) -> ContactRecordOut:
    return (await contacts_out(session, [contact]))[0]


async def contact_or_404(session: AsyncSession, workspace_id: str, contact_id: str) -> Contact:
    contact = await ContactRepository(session).get(workspace_id, contact_id)
    if contact is None:
        raise NotFound("No such contact in this workspace")
    return contact


def opt_source(principal: Principal) -> OptSource:
    return "api" if principal.via == "api_key" else "agent"


async def _phone_and_wa_id(
    session: AsyncSession, workspace_id: str, raw: str, except_id: str | None = None
) -> tuple[str, str]:
    settings = await load_settings(session, workspace_id)
    phone = normalize_phone(raw, settings.default_country)
    wa_id = wa_id_of(phone)
    taken = await ContactRepository(session).by_wa_id_or_phone(
        workspace_id, wa_id, phone, except_id=except_id
    )
    if taken is not None:
        raise Conflict(
            f"phone: {phone} is already the contact {taken.name or taken.id}",
            fields={"phone": "duplicate"}, contact_id=taken.id,
        )  # fmt: skip
    return phone, wa_id


async def _apply_common(
    session: AsyncSession, principal: Principal, contact: Contact, data: ContactWriteIn
) -> None:
    given = data.model_fields_set
    if "name" in given:
        contact.name = (data.name or "").strip() or None
    if "notes" in given:
        contact.notes = data.notes or None
    if data.attributes is not None:
        types = await ContactRepository(session).attribute_types(principal.workspace_id)
        contact.attributes = merged_attributes(contact.attributes, data.attributes, types)
    if data.opted_out is not None:
        set_opt_state(session, contact, data.opted_out, source=opt_source(principal),
                      actor_user_id=principal.user_id)  # fmt: skip


async def _flush(session: AsyncSession, phone: str | None) -> None:
    # Two requests creating the same number at once: the unique (workspace, wa_id) catches it.
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise Conflict(f"phone: {phone} is already a contact in this workspace",
                       fields={"phone": "duplicate"}) from None  # fmt: skip


async def create(session: AsyncSession, principal: Principal, data: ContactCreateIn) -> Contact:
    phone, wa_id = await _phone_and_wa_id(session, principal.workspace_id, data.phone)
    now = utcnow()
    # The id is set here, not at flush: an opt-out audit row written below refers to it.
    contact = Contact(
        id=new_id(), workspace_id=principal.workspace_id, phone=phone, wa_id=wa_id,
        attributes={}, opted_out=False, created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(contact)
    await _apply_common(session, principal, contact, data)
    await _flush(session, phone)
    names = data.tag_names()
    if names:
        await replace_tags(session, contact, names)
    return contact


async def update(
    session: AsyncSession, principal: Principal, contact_id: str, data: ContactUpdateIn
) -> Contact:
    """Change what is given; `tags` replaces the whole set (by name), `attributes` merges."""
    contact = await contact_or_404(session, principal.workspace_id, contact_id)
    if data.phone is not None:
        phone, wa_id = await _phone_and_wa_id(
            session, principal.workspace_id, data.phone, except_id=contact.id
        )
        if phone != contact.phone:
            contact.phone, contact.wa_id = phone, wa_id
    await _apply_common(session, principal, contact, data)
    names = data.tag_names()
    if names is not None and await replace_tags(session, contact, names):
        contact.updated_at = utcnow()  # a tag change is a change of the contact
    await _flush(session, contact.phone)
    return contact


async def delete(session: AsyncSession, principal: Principal, contact_id: str) -> None:
    """Deleted with everything that hangs off it (messages, sessions, conversation, tags)."""
    contact = await contact_or_404(session, principal.workspace_id, contact_id)
    await ContactRepository(session).delete_where(Contact.id == contact.id)
    session.expunge(contact)


async def resolve_filters(
    session: AsyncSession,
    workspace_id: str,
    filters: ContactFilters,
    *,
    attr: list[str] | None = None,
    segment_id: str | None = None,
) -> tuple[ContactFilters, dict[str, str]]:
    """Filters with the `attr` strings parsed and the segment's rules loaded; and the types."""
    repo = ContactRepository(session)
    types = await repo.attribute_types(workspace_id)
    filters.attributes += [attribute_filter(text, types, i) for i, text in enumerate(attr or [])]
    if segment_id:
        segment = await repo.segment(workspace_id, segment_id=segment_id)
        if segment is None:
            raise BadRequest("segment: no such segment in this workspace",
                             fields={"segment": "unknown segment"})  # fmt: skip
        saved = RuleSet.model_validate(segment.rules)
        filters.segment = saved if filters.segment is None else RuleSet(
            conditions=[filters.segment, saved]
        )  # fmt: skip
    elif filters.segment is not None:
        check_rules(filters.segment, types)
    return filters, types


async def list_page(
    session: AsyncSession,
    workspace_id: str,
    filters: ContactFilters,
    types: dict[str, str],
    *,
    sort: SortKey,
    order: SortOrder,
    cursor: str | None,
    limit: int,
) -> tuple[list[ContactRecordOut], str | None]:
    where = filter_clause(workspace_id, filters, types, utcnow())
    contacts, following = await ContactRepository(session).page(
        where, sort=sort, order=order, cursor=cursor, limit=limit
    )
    return await contacts_out(session, contacts), following


async def count(
    session: AsyncSession, workspace_id: str, filters: ContactFilters, types: dict[str, str]
) -> int:
    return await ContactRepository(session).count(
        filter_clause(workspace_id, filters, types, utcnow())
    )


async def bulk(session: AsyncSession, principal: Principal, data: BulkIn) -> int:
    """One action on the contacts given by id or selected by a filter; how many matched."""
    if (data.ids is None) == (data.filter is None):
        raise BadRequest("Give either ids or filter", fields={"ids": "ids or filter"})
    if data.action == "delete" and not principal.at_least(Role.admin):
        raise Forbidden("Deleting contacts in bulk needs the admin role")
    if data.action in ("add_tags", "remove_tags") and not data.tags:
        raise BadRequest(f"tags: {data.action} needs at least one tag",
                         fields={"tags": "required"})  # fmt: skip
    workspace_id = principal.workspace_id
    now: datetime = utcnow()
    where: ColumnElement[bool]
    if data.ids is not None:
        where = (Contact.workspace_id == workspace_id) & Contact.id.in_(data.ids)
    else:
        f = data.filter or ContactFilterIn()
        filters, types = await resolve_filters(
            session, workspace_id,
            ContactFilters(q=f.q, tags=list(f.tags), opted_out=f.opted_out, segment=f.rules),
            segment_id=f.segment_id,
        )  # fmt: skip
        where = filter_clause(workspace_id, filters, types, now)
    repo = ContactRepository(session)
    if data.action == "delete":
        return await repo.delete_where(where)
    if data.action in ("opt_out", "opt_in"):
        return await _bulk_opt(session, principal, where, data.action == "opt_out")
    ids = select(Contact.id).where(where)
    if data.action == "add_tags":
        await tag_many(session, workspace_id, ids, data.tags)
    else:
        await untag_many(session, workspace_id, ids, data.tags)
    return await repo.touch_where(where)


async def _bulk_opt(
    session: AsyncSession, principal: Principal, where: ColumnElement[bool], out: bool
) -> int:
    # One by one: each change needs its own audit row. Bulk selections are bounded by the
    # workspace's contacts, and opting out many is rare next to tagging.
    contacts = (await session.execute(select(Contact).where(where))).scalars()
    matched = 0
    for contact in contacts:
        matched += 1
        set_opt_state(session, contact, out, source=opt_source(principal),
                      actor_user_id=principal.user_id, detail="bulk")  # fmt: skip
    await session.flush()
    return matched
