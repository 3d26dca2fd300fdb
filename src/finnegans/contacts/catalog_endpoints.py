"""Routes for what describes contacts: tags, custom attribute definitions, saved segments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from finnegans.accounts.dependencies import AdminPrincipal, CurrentPrincipal
from finnegans.contacts import attributes, catalog, service
from finnegans.contacts.filters import ContactFilters, SortKey, SortOrder
from finnegans.contacts.repository import ContactRepository
from finnegans.contacts.schemas import (
    AttributeDefinitionIn,
    AttributeDefinitionListOut,
    AttributeDefinitionOut,
    AttributeDefinitionPatchIn,
    ContactCountOut,
    ContactListOut,
    SegmentIn,
    SegmentListOut,
    SegmentOut,
    SegmentPatchIn,
    SegmentPreviewIn,
    TagIn,
    TagListOut,
    TagOut,
    TagPatchIn,
)
from finnegans.db.dependencies import DbSession
from finnegans.db.models import ContactAttributeDefinition

router = APIRouter(prefix="/api", tags=["contacts"])


# --- tags -------------------------------------------------------------------------------------


@router.get("/tags")
async def list_tags(principal: CurrentPrincipal, session: DbSession) -> TagListOut:
    """Every tag of the workspace, by name, with how many contacts carry it."""
    rows = await ContactRepository(session).tags_with_counts(principal.workspace_id)
    return TagListOut(tags=[catalog.tag_out(tag, n) for tag, n in rows])


@router.post("/tags", status_code=status.HTTP_201_CREATED)
async def create_tag(data: TagIn, principal: CurrentPrincipal, session: DbSession) -> TagOut:
    tag = await catalog.create_tag(session, principal.workspace_id, data)
    return catalog.tag_out(tag, 0)


@router.patch("/tags/{tag_id}")
async def update_tag(
    tag_id: str, data: TagPatchIn, principal: CurrentPrincipal, session: DbSession
) -> TagOut:
    """Rename or recolor; contacts keep the tag under its new name."""
    tag = await catalog.update_tag(session, principal.workspace_id, tag_id, data)
    return catalog.tag_out(tag, await ContactRepository(session).tag_count(tag.id))


@router.delete("/tags/{tag_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_tag(tag_id: str, principal: CurrentPrincipal, session: DbSession) -> Response:
    """Delete the tag and take it off every contact."""
    await catalog.delete_tag(session, principal.workspace_id, tag_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- attribute definitions ----------------------------------------------------------------------


def _definition_out(definition: ContactAttributeDefinition) -> AttributeDefinitionOut:
    return AttributeDefinitionOut(
        id=definition.id, key=definition.key, label=definition.label,
        type=definition.type,
        created_at=definition.created_at,
    )  # fmt: skip


@router.get("/contact-attributes")
async def list_attributes(
    principal: CurrentPrincipal, session: DbSession
) -> AttributeDefinitionListOut:
    """The typed custom attributes (keys without a definition are text)."""
    rows = await ContactRepository(session).attribute_definitions(principal.workspace_id)
    return AttributeDefinitionListOut(attributes=[_definition_out(d) for d in rows])


@router.post("/contact-attributes", status_code=status.HTTP_201_CREATED)
async def create_attribute(
    data: AttributeDefinitionIn, principal: AdminPrincipal, session: DbSession
) -> AttributeDefinitionOut:
    """Define a typed attribute (admins): text, number, date (YYYY-MM-DD) or boolean."""
    definition = await attributes.create_definition(session, principal.workspace_id, data)
    return _definition_out(definition)


@router.patch("/contact-attributes/{attribute_id}")
async def update_attribute(
    attribute_id: str,
    data: AttributeDefinitionPatchIn,
    principal: AdminPrincipal,
    session: DbSession,
) -> AttributeDefinitionOut:
    definition = await attributes.update_definition(
        session, principal.workspace_id, attribute_id, data
    )
    return _definition_out(definition)


@router.delete("/contact-attributes/{attribute_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_attribute(
    attribute_id: str, principal: AdminPrincipal, session: DbSession
) -> Response:
    """Delete the definition; contacts keep their values, as text."""
    await attributes.delete_definition(session, principal.workspace_id, attribute_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- segments -----------------------------------------------------------------------------------


@router.get("/segments")
async def list_segments(principal: CurrentPrincipal, session: DbSession) -> SegmentListOut:
    rows = await ContactRepository(session).segments(principal.workspace_id)
    return SegmentListOut(segments=[catalog.segment_out(s) for s in rows])


@router.post("/segments", status_code=status.HTTP_201_CREATED)
async def create_segment(
    data: SegmentIn, principal: CurrentPrincipal, session: DbSession
) -> SegmentOut:
    """Save a rule set; a bad condition is a 422 that names it (`rules.conditions[1].op`)."""
    segment = await catalog.create_segment(session, principal.workspace_id, data.name, data.rules)
    return catalog.segment_out(segment)


@router.post("/segments/preview")
async def preview_segment(
    data: SegmentPreviewIn, principal: CurrentPrincipal, session: DbSession
) -> ContactCountOut:
    """How many contacts a rule set selects, without saving it."""
    rules = await catalog.checked_rules(session, principal.workspace_id, data.rules)
    filters, types = await service.resolve_filters(
        session, principal.workspace_id, ContactFilters(segment=rules)
    )
    return ContactCountOut(count=await service.count(session, principal.workspace_id, filters,
                                                     types))  # fmt: skip


@router.get("/segments/{segment_id}")
async def get_segment(
    segment_id: str, principal: CurrentPrincipal, session: DbSession
) -> SegmentOut:
    return catalog.segment_out(
        await catalog.segment_or_404(session, principal.workspace_id, segment_id)
    )


@router.patch("/segments/{segment_id}")
async def update_segment(
    segment_id: str, data: SegmentPatchIn, principal: CurrentPrincipal, session: DbSession
) -> SegmentOut:
    segment = await catalog.update_segment(
        session, principal.workspace_id, segment_id, data.name, data.rules
    )
    return catalog.segment_out(segment)


@router.delete("/segments/{segment_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_segment(
    segment_id: str, principal: CurrentPrincipal, session: DbSession
) -> Response:
    await catalog.delete_segment(session, principal.workspace_id, segment_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/segments/{segment_id}/contacts")
async def segment_contacts(
    segment_id: str,
    principal: CurrentPrincipal,
    session: DbSession,
    sort: SortKey = "updated",
    order: SortOrder | None = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ContactListOut:
    """The segment's contacts now (rules are evaluated at request time)."""
    segment = await catalog.segment_or_404(session, principal.workspace_id, segment_id)
    filters, types = await service.resolve_filters(
        session, principal.workspace_id, ContactFilters(), segment_id=segment.id
    )
    rows, next_cursor = await service.list_page(
        session, principal.workspace_id, filters, types, sort=sort,
        order=order or ("asc" if sort == "name" else "desc"), cursor=cursor, limit=limit,
    )  # fmt: skip
    return ContactListOut(contacts=rows, next_cursor=next_cursor)


@router.get("/segments/{segment_id}/count")
async def segment_count(
    segment_id: str, principal: CurrentPrincipal, session: DbSession
) -> ContactCountOut:
    segment = await catalog.segment_or_404(session, principal.workspace_id, segment_id)
    filters, types = await service.resolve_filters(
        session, principal.workspace_id, ContactFilters(), segment_id=segment.id
    )
    return ContactCountOut(count=await service.count(session, principal.workspace_id, filters,
                                                     types))  # fmt: skip
