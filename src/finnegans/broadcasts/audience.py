"""Who a broadcast reaches: an audience compiled to one WHERE clause over contacts.

Audiences reuse the contacts module's rule compiler (tags, saved segments), so the live count
in the wizard and the recipients materialised at launch are the same query. Opted-out contacts
are selected too, and become `skipped` recipients ("opted out"), so the campaign shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.broadcasts.audience_upload import list_tag_of
from finnegans.broadcasts.schemas import AudienceIn
from finnegans.contacts.repository import ContactRepository
from finnegans.contacts.segments import RuleSet, TagCondition, compile_rules
from finnegans.db.models import Contact, Conversation
from finnegans.kit.errors import BadRequest

OPTED_OUT = "opted out"
WINDOW_CLOSED = "window closed"
NO_ADDRESS = "no WhatsApp number"


@dataclass(frozen=True)
class AudienceCount:
    matched: int
    opted_out: int
    window_closed: int
    no_address: int

    @property
    def unique(self) -> int:
        return self.matched - self.opted_out - self.window_closed - self.no_address


def _tags_clause(audience: AudienceIn, workspace_id: str, now: datetime) -> ColumnElement[bool]:
    if not audience.tags:
        return true()
    rules = RuleSet(
        match=audience.match,
        conditions=[TagCondition(field="tag", value=name) for name in audience.tags],
    )
    return compile_rules(rules, {}, workspace_id, now)


async def audience_clause(
    session: AsyncSession, workspace_id: str, audience: AudienceIn, now: datetime
) -> ColumnElement[bool]:
    """The contacts of `workspace_id` the audience selects; unknown ids are a 400."""
    repo = ContactRepository(session)
    clauses: list[ColumnElement[bool]] = [Contact.workspace_id == workspace_id]
    clauses.append(_tags_clause(audience, workspace_id, now))
    if audience.kind == "segment":
        segment = await repo.segment(workspace_id, segment_id=audience.segment_id)
        if segment is None:
            raise BadRequest("audience.segment_id: no such segment in this workspace",
                             fields={"audience.segment_id": "unknown segment"})  # fmt: skip
        types = await repo.attribute_types(workspace_id)
        saved = RuleSet.model_validate(segment.rules)
        clauses.append(compile_rules(saved, types, workspace_id, now))
    elif audience.kind == "csv":
        tag = await list_tag_of(session, workspace_id, audience.upload_id or "")
        only = RuleSet(match="all", conditions=[TagCondition(field="tag", value=tag)])
        clauses.append(compile_rules(only, {}, workspace_id, now))
    elif audience.kind == "contacts":
        picked = sorted(set(audience.contact_ids))
        known = await session.execute(
            select(func.count()).where(Contact.workspace_id == workspace_id, Contact.id.in_(picked))
        )
        missing = len(picked) - int(known.scalar_one())
        if missing:
            raise BadRequest(f"audience.contact_ids: {missing} of the picked contacts do not "
                             "exist in this workspace",
                             fields={"audience.contact_ids": "unknown contacts"})  # fmt: skip
        clauses.append(Contact.id.in_(picked))
    return and_(*clauses)


def _no_address() -> ColumnElement[bool]:
    return and_(Contact.wa_id.is_(None), Contact.phone.is_(None), Contact.bsuid.is_(None))


def window_open_clause(now: datetime) -> ColumnElement[bool]:
    """The contact wrote within 24 hours (free text is allowed)."""
    return Conversation.window_expires_at > now


async def count_audience(
    session: AsyncSession, where: ColumnElement[bool], *, needs_window: bool, now: datetime
) -> AudienceCount:
    """One pass: matched, and why the others would be skipped (first reason wins)."""
    opted = Contact.opted_out.is_(True)
    no_address = and_(~opted, _no_address())
    closed = (
        and_(~opted, ~_no_address(), or_(Conversation.window_expires_at.is_(None),
                                          Conversation.window_expires_at <= now))
        if needs_window else false()
    )  # fmt: skip
    row = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(opted),
                func.count().filter(closed),
                func.count().filter(no_address),
            )
            .select_from(Contact)
            .outerjoin(Conversation, Conversation.contact_id == Contact.id)
            .where(where)
        )
    ).one()
    return AudienceCount(int(row[0]), int(row[1]), int(row[2]), int(row[3]))


def skip_reason(
    opted_out: bool, has_address: bool, window_expires_at: datetime | None, needs_window: bool,
    now: datetime,
) -> str | None:  # fmt: skip
    """Why a matched contact is not sent to, or None (the order matches `count_audience`)."""
    if opted_out:
        return OPTED_OUT
    if not has_address:
        return NO_ADDRESS
    if needs_window and (window_expires_at is None or window_expires_at <= now):
        return WINDOW_CLOSED
    return None


async def contacts_page(
    session: AsyncSession, where: ColumnElement[bool], after: str, limit: int
) -> list[tuple[str, bool, bool, datetime | None]]:
    """(contact id, opted out, has address, window end) in id order after `after`."""
    rows = await session.execute(
        select(Contact.id, Contact.opted_out, ~_no_address(), Conversation.window_expires_at)
        .outerjoin(Conversation, Conversation.contact_id == Contact.id)
        .where(where, Contact.id > after)
        .order_by(Contact.id)
        .limit(limit)
    )
    return [(str(r[0]), bool(r[1]), bool(r[2]), r[3]) for r in rows]


async def sample_contacts(
    session: AsyncSession, where: ColumnElement[bool], limit: int
) -> list[Contact]:
    if limit <= 0:
        return []
    rows = await session.execute(
        select(Contact)
        .where(where, Contact.opted_out.is_(False))
        .order_by(Contact.updated_at.desc(), Contact.id)
        .limit(limit)
    )
    return list(rows.scalars())
