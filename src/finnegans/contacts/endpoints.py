"""Contacts routes: list and search, create, edit, delete, bulk actions, timeline, settings.

The original system's `GET|POST /api/contacts`, `GET|PUT|DELETE /api/contacts/{id}` and
`GET /api/contacts/{id}/activity` keep their request bodies (docs/api.md#contacts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from finnegans.accounts.dependencies import AdminPrincipal, CurrentPrincipal
from finnegans.contacts import service, timeline
from finnegans.contacts.filters import ContactFilters, SortKey, SortOrder
from finnegans.contacts.phones import valid_region
from finnegans.contacts.schemas import (
    ActivityOut,
    BulkIn,
    BulkOut,
    ContactCountOut,
    ContactCreateIn,
    ContactListOut,
    ContactRecordOut,
    ContactSettingsIn,
    ContactSettingsOut,
    ContactUpdateIn,
    TimelineOut,
)
from finnegans.contacts.settings import ContactSettings, load_settings, save_settings
from finnegans.db.dependencies import DbSession
from finnegans.kit.errors import Unprocessable

router = APIRouter(prefix="/api", tags=["contacts"])


def _utc(value: datetime | None) -> datetime | None:
    # A time without a zone is UTC, as everywhere else in the API.
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


@dataclass
class ListQuery:
    filters: ContactFilters
    attr: list[str]
    segment: str | None


def list_query(
    q: Annotated[str | None, Query(max_length=200, description="name, phone or wa_id")] = None,
    tag: Annotated[list[str] | None, Query(max_length=20, description="has all of them")] = None,
    opted_out: bool | None = None,
    attr: Annotated[
        list[str] | None,
        Query(max_length=20, description="key:op:value, e.g. age:gte:18, vip:eq:true, city:is_set"),
    ] = None,
    last_activity_after: datetime | None = None,
    last_activity_before: datetime | None = None,
    segment: Annotated[str | None, Query(max_length=32, description="a segment id")] = None,
) -> ListQuery:
    filters = ContactFilters(
        q=q, tags=[t.strip() for t in tag or [] if t.strip()], opted_out=opted_out,
        last_activity_after=_utc(last_activity_after),
        last_activity_before=_utc(last_activity_before),
    )  # fmt: skip
    return ListQuery(filters=filters, attr=list(attr or []), segment=segment)


ListParams = Annotated[ListQuery, Depends(list_query)]


@router.get("/contacts")
async def list_contacts(
    principal: CurrentPrincipal,
    session: DbSession,
    params: ListParams,
    sort: SortKey = "updated",
    order: Annotated[SortOrder | None, Query(description="default: desc; asc for name")] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ContactListOut:
    """Contacts, filtered and sorted (most recently updated first), paged by `next_cursor`."""
    filters, types = await service.resolve_filters(
        session, principal.workspace_id, params.filters, attr=params.attr,
        segment_id=params.segment,
    )  # fmt: skip
    direction: SortOrder = order or ("asc" if sort == "name" else "desc")
    rows, next_cursor = await service.list_page(
        session, principal.workspace_id, filters, types, sort=sort, order=direction,
        cursor=cursor, limit=limit,
    )  # fmt: skip
    return ContactListOut(contacts=rows, next_cursor=next_cursor)


@router.get("/contacts/count")
async def count_contacts(
    principal: CurrentPrincipal, session: DbSession, params: ListParams
) -> ContactCountOut:
    """How many contacts the same filters select (a broadcast audience's live count)."""
    filters, types = await service.resolve_filters(
        session, principal.workspace_id, params.filters, attr=params.attr,
        segment_id=params.segment,
    )  # fmt: skip
    return ContactCountOut(count=await service.count(session, principal.workspace_id, filters,
                                                     types))  # fmt: skip


def _settings_out(settings: ContactSettings) -> ContactSettingsOut:
    return ContactSettingsOut(
        default_country=settings.default_country,
        opt_out_keywords=list(settings.opt_out_keywords),
        opt_in_keywords=list(settings.opt_in_keywords),
    )


@router.get("/contacts/settings")
async def get_contact_settings(
    principal: CurrentPrincipal, session: DbSession
) -> ContactSettingsOut:
    """The default phone country and the opt-out/opt-in keywords."""
    return _settings_out(await load_settings(session, principal.workspace_id))


@router.put("/contacts/settings")
async def put_contact_settings(
    data: ContactSettingsIn, principal: AdminPrincipal, session: DbSession
) -> ContactSettingsOut:
    """Replace the contact settings (admins). Keywords match whole messages, case and accents
    ignored."""
    country = data.default_country.upper() if data.default_country else None
    if country and not valid_region(country):
        raise Unprocessable(f"default_country: {country!r} is not a country code this server "
                            "knows (ISO 3166, like AR or ES)",
                            fields={"default_country": "unknown country"})  # fmt: skip
    settings = ContactSettings(
        default_country=country,
        opt_out_keywords=tuple(data.opt_out_keywords),
        opt_in_keywords=tuple(data.opt_in_keywords),
    )
    return _settings_out(await save_settings(session, principal.workspace_id, settings))


@router.post("/contacts/bulk")
async def bulk_contacts(data: BulkIn, principal: CurrentPrincipal, session: DbSession) -> BulkOut:
    """Tag, untag, opt out/in or delete (admins) the contacts given by `ids` or a `filter`."""
    matched = await service.bulk(session, principal, data)
    return BulkOut(action=data.action, matched=matched)


@router.post("/contacts", status_code=status.HTTP_201_CREATED)
async def create_contact(
    data: ContactCreateIn, principal: CurrentPrincipal, session: DbSession
) -> ContactRecordOut:
    """Add a contact; the phone is stored in E.164 and its digits are the WhatsApp id."""
    contact = await service.create(session, principal, data)
    return await service.one_out(session, contact)


@router.get("/contacts/{contact_id}")
async def get_contact(
    contact_id: str, principal: CurrentPrincipal, session: DbSession
) -> ContactRecordOut:
    contact = await service.contact_or_404(session, principal.workspace_id, contact_id)
    return await service.one_out(session, contact)


@router.put("/contacts/{contact_id}")
async def put_contact(
    contact_id: str, data: ContactUpdateIn, principal: CurrentPrincipal, session: DbSession
) -> ContactRecordOut:
    """Change the given fields (the original's semantics): `tags` is the new full set."""
    contact = await service.update(session, principal, contact_id, data)
    return await service.one_out(session, contact)


@router.patch("/contacts/{contact_id}")
async def patch_contact(
    contact_id: str, data: ContactUpdateIn, principal: CurrentPrincipal, session: DbSession
) -> ContactRecordOut:
    """Same as PUT; `opted_out` opts the contact out or back in (audited as the agent's)."""
    contact = await service.update(session, principal, contact_id, data)
    return await service.one_out(session, contact)


@router.delete("/contacts/{contact_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_contact(
    contact_id: str, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """Delete the contact with its messages, sessions and conversation."""
    await service.delete(session, principal, contact_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/contacts/{contact_id}/timeline")
async def contact_timeline(
    contact_id: str,
    principal: CurrentPrincipal,
    session: DbSession,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 30,
) -> TimelineOut:
    """Messages, flow sessions and opt-out changes, newest first."""
    contact = await service.contact_or_404(session, principal.workspace_id, contact_id)
    return await timeline.timeline(
        session, principal.workspace_id, contact.id, cursor=cursor, limit=limit
    )


@router.get("/contacts/{contact_id}/activity", response_model_by_alias=True)
async def contact_activity(
    contact_id: str,
    principal: CurrentPrincipal,
    session: DbSession,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: int = 15,
) -> ActivityOut:
    """The original system's activity feed (camelCase; limit clamped to 1..50)."""
    contact = await service.contact_or_404(session, principal.workspace_id, contact_id)
    return await timeline.activity(
        session, principal.workspace_id, contact.id, cursor=cursor, limit=min(max(limit, 1), 50)
    )
