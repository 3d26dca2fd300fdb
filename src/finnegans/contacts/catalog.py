"""The workspace's tag list and saved segments: create, rename, recolor, delete."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.contacts.repository import ContactRepository
from finnegans.contacts.schemas import SegmentOut, TagIn, TagOut, TagPatchIn
from finnegans.contacts.segments import RuleSet, parse_rules
from finnegans.db.models import Segment, Tag
from finnegans.kit.errors import Conflict, NotFound


async def _flush_unique(session: AsyncSession, what: str, name: str) -> None:
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise Conflict(f"name: a {what} named {name!r} already exists",
                       fields={"name": "taken"}) from None  # fmt: skip


def tag_out(tag: Tag, count: int) -> TagOut:
    return TagOut(id=tag.id, name=tag.name, color=tag.color, contact_count=count)


async def tag_or_404(session: AsyncSession, workspace_id: str, tag_id: str) -> Tag:
    tag = await ContactRepository(session).tag(workspace_id, tag_id)
    if tag is None:
        raise NotFound("No such tag in this workspace")
    return tag


async def create_tag(session: AsyncSession, workspace_id: str, data: TagIn) -> Tag:
    if await ContactRepository(session).tag_named(workspace_id, data.name) is not None:
        raise Conflict(f"name: a tag named {data.name!r} already exists",
                       fields={"name": "taken"})  # fmt: skip
    tag = Tag(workspace_id=workspace_id, name=data.name, color=data.color)
    session.add(tag)
    await _flush_unique(session, "tag", data.name)
    return tag


async def update_tag(
    session: AsyncSession, workspace_id: str, tag_id: str, data: TagPatchIn
) -> Tag:
    """Renaming keeps every contact's tag (contacts point at the tag, not at its name)."""
    tag = await tag_or_404(session, workspace_id, tag_id)
    if data.name is not None and data.name != tag.name:
        other = await ContactRepository(session).tag_named(workspace_id, data.name)
        if other is not None:
            raise Conflict(f"name: a tag named {data.name!r} already exists",
                           fields={"name": "taken"})  # fmt: skip
        tag.name = data.name
    if "color" in data.model_fields_set:
        tag.color = data.color
    await _flush_unique(session, "tag", tag.name)
    return tag


async def delete_tag(session: AsyncSession, workspace_id: str, tag_id: str) -> None:
    """Taken off every contact (the contact_tags rows cascade)."""
    tag = await tag_or_404(session, workspace_id, tag_id)
    await session.delete(tag)
    await session.flush()


def segment_out(segment: Segment) -> SegmentOut:
    return SegmentOut(
        id=segment.id, name=segment.name, rules=RuleSet.model_validate(segment.rules),
        created_at=segment.created_at, updated_at=segment.updated_at,
    )  # fmt: skip


async def segment_or_404(session: AsyncSession, workspace_id: str, segment_id: str) -> Segment:
    segment = await ContactRepository(session).segment(workspace_id, segment_id=segment_id)
    if segment is None:
        raise NotFound("No such segment in this workspace")
    return segment


async def checked_rules(session: AsyncSession, workspace_id: str, raw: Any) -> RuleSet:
    types = await ContactRepository(session).attribute_types(workspace_id)
    return parse_rules(raw, types)


def _stored(rules: RuleSet) -> dict[str, Any]:
    return rules.model_dump(mode="json", exclude_none=True)


async def create_segment(
    session: AsyncSession, workspace_id: str, name: str, raw_rules: dict[str, Any]
) -> Segment:
    rules = await checked_rules(session, workspace_id, raw_rules)
    name = name.strip()
    if await ContactRepository(session).segment(workspace_id, name=name) is not None:
        raise Conflict(f"name: a segment named {name!r} already exists",
                       fields={"name": "taken"})  # fmt: skip
    segment = Segment(workspace_id=workspace_id, name=name, rules=_stored(rules))
    session.add(segment)
    await _flush_unique(session, "segment", name)
    return segment


async def update_segment(
    session: AsyncSession,
    workspace_id: str,
    segment_id: str,
    name: str | None,
    raw_rules: dict[str, Any] | None,
) -> Segment:
    segment = await segment_or_404(session, workspace_id, segment_id)
    if raw_rules is not None:
        segment.rules = _stored(await checked_rules(session, workspace_id, raw_rules))
    if name is not None and name.strip() != segment.name:
        name = name.strip()
        if await ContactRepository(session).segment(workspace_id, name=name) is not None:
            raise Conflict(f"name: a segment named {name!r} already exists",
                           fields={"name": "taken"})  # fmt: skip
        segment.name = name
    await _flush_unique(session, "segment", segment.name)
    return segment


async def delete_segment(session: AsyncSession, workspace_id: str, segment_id: str) -> None:
    segment = await segment_or_404(session, workspace_id, segment_id)
    await session.delete(segment)
    await session.flush()
