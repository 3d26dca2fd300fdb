"""Putting tags on contacts and taking them off: the one helper the API, the inbox and flows use.

Tags are created on first use (by name, per workspace) with INSERT ... ON CONFLICT DO NOTHING,
so two requests tagging at once never collide on the unique name.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, String, delete, literal, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.db.base import new_id
from finnegans.db.models import Contact, ContactTag, Tag
from finnegans.kit.upsert import insert_ignoring_conflicts


def _clean(names: Iterable[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        name = name.strip()[:64]
        if name and name not in out:
            out.append(name)
    return out


async def ensure_tags(session: AsyncSession, workspace_id: str, names: Iterable[str]) -> list[str]:
    """The ids of these tags, creating the missing ones."""
    wanted = _clean(names)
    for name in wanted:
        await session.execute(
            insert_ignoring_conflicts(
                session, Tag, {"id": new_id(), "workspace_id": workspace_id, "name": name}
            )
        )
    if not wanted:
        return []
    rows = await session.execute(
        select(Tag.id).where(Tag.workspace_id == workspace_id, Tag.name.in_(wanted))
    )
    return list(rows.scalars())


async def tag_names(session: AsyncSession, contact_id: str) -> list[str]:
    rows = await session.execute(
        select(Tag.name)
        .join(ContactTag, ContactTag.tag_id == Tag.id)
        .where(ContactTag.contact_id == contact_id)
        .order_by(Tag.name)
    )
    return list(rows.scalars())


async def change_tags(
    session: AsyncSession, contact: Contact, *, add: tuple[str, ...], remove: tuple[str, ...]
) -> None:
    """Add and remove tags by name on one contact (unknown names in `remove` are ignored)."""
    for tag_id in await ensure_tags(session, contact.workspace_id, add):
        await session.execute(
            insert_ignoring_conflicts(
                session, ContactTag, {"contact_id": contact.id, "tag_id": tag_id}
            )
        )
    names = _clean(remove)
    if names:
        ids = select(Tag.id).where(Tag.workspace_id == contact.workspace_id, Tag.name.in_(names))
        await session.execute(
            delete(ContactTag).where(
                ContactTag.contact_id == contact.id, ContactTag.tag_id.in_(ids)
            )
        )


async def replace_tags(session: AsyncSession, contact: Contact, names: list[str]) -> bool:
    """Make the contact's tags exactly `names` (the original PUT semantics); True if changed."""
    current = set(await tag_names(session, contact.id))
    wanted = _clean(names)
    add = tuple(n for n in wanted if n not in current)
    remove = tuple(n for n in current if n not in wanted)
    await change_tags(session, contact, add=add, remove=remove)
    return bool(add or remove)


async def tag_many(
    session: AsyncSession, workspace_id: str, contact_ids: Select[str], names: list[str]
) -> None:
    """Add tags to every contact the query selects, in one INSERT ... SELECT per tag."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    for tag_id in await ensure_tags(session, workspace_id, names):
        rows = contact_ids.add_columns(literal(tag_id, String(32)))
        statement = insert(ContactTag).from_select(["contact_id", "tag_id"], rows)
        await session.execute(statement.on_conflict_do_nothing())


async def untag_many(
    session: AsyncSession, workspace_id: str, contact_ids: Select[str], names: list[str]
) -> None:
    tag_ids = select(Tag.id).where(Tag.workspace_id == workspace_id, Tag.name.in_(_clean(names)))
    await session.execute(
        delete(ContactTag).where(
            ContactTag.contact_id.in_(contact_ids), ContactTag.tag_id.in_(tag_ids)
        )
    )


async def tag_ids_by_name(
    session: AsyncSession, workspace_id: str, names: Iterable[str]
) -> dict[str, str]:
    """Tag name → id for these names, creating the missing ones (imports tag many contacts)."""
    wanted = _clean(names)
    if not wanted:
        return {}
    query = select(Tag.name, Tag.id).where(Tag.workspace_id == workspace_id, Tag.name.in_(wanted))
    found = {name: tag_id for name, tag_id in await session.execute(query)}
    missing = [name for name in wanted if name not in found]
    if missing:
        await ensure_tags(session, workspace_id, missing)
        found = {name: tag_id for name, tag_id in await session.execute(query)}
    return found


async def link_tags(session: AsyncSession, links: list[tuple[str, str]]) -> None:
    """Put tags on contacts, (contact id, tag id) pairs, in one statement; present ones stay."""
    if not links:
        return
    if session.get_bind().dialect.name == "postgresql":
        # Two arrays in one statement: measured 3-5x faster than an executemany of the pairs.
        await session.execute(_LINK_UNNEST, {"contact_ids": [c for c, _ in links],
                                             "tag_ids": [t for _, t in links]})  # fmt: skip
        return
    rows = [{"contact_id": contact_id, "tag_id": tag_id} for contact_id, tag_id in links]
    await session.execute(sqlite_insert(ContactTag).on_conflict_do_nothing(), rows)


_LINK_UNNEST = text(
    "INSERT INTO contact_tags (contact_id, tag_id) "
    "SELECT * FROM unnest(CAST(:contact_ids AS varchar[]), CAST(:tag_ids AS varchar[])) "
    "ON CONFLICT DO NOTHING"
)
