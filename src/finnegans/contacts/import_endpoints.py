"""Contact CSV import and export routes (docs/api.md#contact-import-and-export).

`POST /api/contacts/import` and `GET /api/contacts/export` keep the original system's paths.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Query, Request, Response, UploadFile, status
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from finnegans.accounts.dependencies import CurrentPrincipal, Principal, get_principal
from finnegans.contacts import import_service, service
from finnegans.contacts.csv_export import export_contacts, export_errors
from finnegans.contacts.endpoints import ListParams
from finnegans.contacts.filters import filter_clause
from finnegans.contacts.import_schemas import (
    ImportListOut,
    ImportOut,
    ImportStartIn,
    ImportUploadOut,
    LegacyImportIn,
    LegacyImportOut,
)
from finnegans.contacts.repository import ContactRepository
from finnegans.db.dependencies import Ctx, DbSession
from finnegans.kit.clock import utcnow
from finnegans.kit.errors import BadRequest, validation_fields

router = APIRouter(prefix="/api", tags=["contacts"])
CSV_TYPE = "text/csv; charset=utf-8"


@router.post(
    "/contacts/import",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"description": "JSON body: nothing new was imported (the original's answer)"},
        413: {"description": "the file is over 50 MB"},
    },
)
async def upload_import(
    request: Request,
    response: Response,
    ctx: Ctx,
    file: Annotated[UploadFile | None, File(description="the CSV (UTF-8 or UTF-16)")] = None,
) -> ImportUploadOut | LegacyImportOut:
    """Upload a CSV: answers its columns, sample rows and a suggested mapping. Nothing is
    imported until `POST /api/contacts/imports/{id}/start`.

    The original's JSON body `{contacts: [{phone, name?, tags?}]}` (at most 10,000) still
    works: imported at once, answered with `{total, imported, duplicates, failures}`."""
    if file is None and request.headers.get("content-type", "").startswith("application/json"):
        async with ctx.db.unit_of_work() as session:
            principal: Principal = await get_principal(request, ctx, session)
            legacy = await import_service.import_legacy(
                session, principal, _legacy_body(await request.body())
            )
        response.status_code = status.HTTP_201_CREATED if legacy.imported else status.HTTP_200_OK
        return legacy
    # The file is copied and checked outside any transaction: on SQLite a transaction holds
    # the only writer, and a 50 MB copy must not hold up webhooks meanwhile.
    async with ctx.db.unit_of_work() as session:
        principal = await get_principal(request, ctx, session)
    upload = await import_service.store_upload(ctx, file)
    try:
        async with ctx.db.unit_of_work() as session:
            return await import_service.create_import(session, principal, upload)
    except BaseException:
        import_service.file_of(ctx, upload.id).unlink(missing_ok=True)
        raise


def _legacy_body(raw: bytes) -> LegacyImportIn:
    try:
        return LegacyImportIn.model_validate_json(raw)
    except ValidationError as exc:
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            raise BadRequest("Invalid JSON body") from None
        fields = validation_fields(list(exc.errors()))
        summary = "; ".join(f"{k}: {v}" for k, v in fields.items())
        raise BadRequest(f"Validation failed: {summary}", fields=fields) from None


@router.get("/contacts/imports")
async def list_imports(
    principal: CurrentPrincipal,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ImportListOut:
    """The workspace's latest imports, newest first."""
    return ImportListOut(imports=await import_service.recent(session, principal.workspace_id,
                                                             limit))  # fmt: skip


@router.post("/contacts/imports/{import_id}/start", status_code=status.HTTP_202_ACCEPTED)
async def start_import(
    import_id: str, data: ImportStartIn, principal: CurrentPrincipal, session: DbSession
) -> ImportOut:
    """Check the mapping and queue the import; follow it with `GET .../imports/{id}`."""
    imp = await import_service.start(session, principal, import_id, data)
    return import_service.import_out(imp)


@router.get("/contacts/imports/{import_id}")
async def get_import(import_id: str, principal: CurrentPrincipal, session: DbSession) -> ImportOut:
    """Status, progress (bytes read of the file) and counts."""
    imp = await import_service.import_or_404(session, principal.workspace_id, import_id)
    return import_service.import_out(imp)


@router.delete("/contacts/imports/{import_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_import(
    import_id: str, principal: CurrentPrincipal, session: DbSession, ctx: Ctx
) -> Response:
    """Discard an upload that was never started, or forget a finished import and its error
    report (its contacts stay). 409 while it runs."""
    await import_service.discard(ctx, session, principal.workspace_id, import_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/contacts/imports/{import_id}/errors.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
async def import_errors(
    import_id: str, principal: CurrentPrincipal, session: DbSession, ctx: Ctx
) -> StreamingResponse:
    """The rows that were not imported: row number, raw phone, column, value and reason."""
    imp = await import_service.import_or_404(session, principal.workspace_id, import_id)
    stem = imp.filename.rsplit(".", 1)[0][:100] or "contacts"
    return StreamingResponse(
        export_errors(ctx.db, principal.workspace_id, imp.id),
        media_type=CSV_TYPE,
        headers={"Content-Disposition": _attachment(f"{stem}-errors.csv")},
    )


@router.get(
    "/contacts/export",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
async def export(
    principal: CurrentPrincipal,
    session: DbSession,
    ctx: Ctx,
    params: ListParams,
    search: Annotated[str | None, Query(max_length=200, description="the original's q")] = None,
    tag_id: Annotated[
        str | None, Query(alias="tagId", max_length=32, description="the original's tag filter")
    ] = None,
) -> StreamingResponse:
    """The contacts the same filters as `GET /api/contacts` select, as CSV (UTF-8 with BOM)."""
    if search and not params.filters.q:
        params.filters.q = search
    if tag_id:
        tag = await ContactRepository(session).tag(principal.workspace_id, tag_id)
        if tag is None:
            raise BadRequest("tagId: no such tag in this workspace", fields={"tagId": "unknown"})
        params.filters.tags.append(tag.name)
    filters, types = await service.resolve_filters(
        session, principal.workspace_id, params.filters, attr=params.attr,
        segment_id=params.segment,
    )  # fmt: skip
    now = utcnow()
    where = filter_clause(principal.workspace_id, filters, types, now)
    definitions = await ContactRepository(session).attribute_definitions(principal.workspace_id)
    return StreamingResponse(
        export_contacts(ctx.db, where, [d.key for d in definitions]),
        media_type=CSV_TYPE,
        headers={"Content-Disposition": _attachment(f"contacts-{now.date().isoformat()}.csv")},
    )


def _attachment(filename: str) -> str:
    # ASCII fallback plus RFC 5987 for names with accents.
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
