"""Message template routes (docs/api.md#message-templates): members read, admins write."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import JSONResponse

from finnegans.accounts.dependencies import AdminPrincipal, CurrentPrincipal
from finnegans.db.dependencies import Ctx, DbSession
from finnegans.templates import service
from finnegans.templates.repository import TemplateRepository
from finnegans.templates.schemas import (
    PreviewIn,
    PreviewOut,
    SyncIn,
    SyncOut,
    TemplateCreateIn,
    TemplateListOut,
    TemplateOut,
)

router = APIRouter(prefix="/api/templates", tags=["templates"])

T = TypeVar("T")
_TOKEN_ERROR: dict[int | str, dict[str, Any]] = {
    409: {"description": "a 190 from Meta: the number's access token must be fixed"}
}


async def _keeping_reconnection_mark(call: Awaitable[T]) -> T | JSONResponse:
    """Answer a 190 without raising, so the unit of work commits the number's
    "needs reconnection" mark (raising would roll it back with everything else)."""
    try:
        return await call
    except service.TokenMustBeFixed as exc:
        return JSONResponse(exc.body(), status_code=exc.status_code)


@router.get("")
async def list_templates(
    principal: CurrentPrincipal,
    session: DbSession,
    status_: Annotated[
        list[str] | None,
        Query(alias="status", max_length=10, description="APPROVED, PENDING, REJECTED, ..."),
    ] = None,
    account: Annotated[str | None, Query(max_length=32, description="a number's id")] = None,
    q: Annotated[str | None, Query(max_length=200, description="part of the name")] = None,
) -> TemplateListOut:
    """The workspace's templates sorted by name (DELETED ones only when asked by status)."""
    statuses = [s.strip().upper()[:32] for s in status_ or [] if s.strip()]
    rows = await TemplateRepository(session).matching(
        principal.workspace_id, statuses=statuses, account_id=account,
        search=q.strip() if q and q.strip() else None,
    )  # fmt: skip
    return TemplateListOut(templates=[service.template_out(row) for row in rows])


@router.post("/sync", response_model=SyncOut, responses=_TOKEN_ERROR)
async def sync_templates(
    principal: AdminPrincipal, session: DbSession, ctx: Ctx, data: SyncIn | None = None
) -> Any:
    """Read every template of each number's WABA (all pages) and bring the copies up to date."""
    account_id = data.account_id if data is not None else None
    return await _keeping_reconnection_mark(
        service.sync(ctx, session, principal.workspace_id, account_id)
    )


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=TemplateOut, responses=_TOKEN_ERROR
)
async def create_template(
    data: TemplateCreateIn, principal: AdminPrincipal, session: DbSession, ctx: Ctx
) -> Any:
    """Submit a template to Meta for review; it is stored as PENDING until the verdict."""
    result = await _keeping_reconnection_mark(
        service.create(ctx, session, principal.workspace_id, data)
    )
    return result if isinstance(result, JSONResponse) else service.template_out(result)


@router.get("/{template_id}")
async def get_template(
    template_id: str, principal: CurrentPrincipal, session: DbSession
) -> TemplateOut:
    return service.template_out(await service.get(session, principal.workspace_id, template_id))


@router.delete(
    "/{template_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=_TOKEN_ERROR,
)
async def delete_template(
    template_id: str, principal: AdminPrincipal, session: DbSession, ctx: Ctx
) -> Response:
    """Delete this translation on Meta, then here."""
    result = await _keeping_reconnection_mark(
        service.delete(ctx, session, principal.workspace_id, template_id)
    )
    if isinstance(result, JSONResponse):
        return result
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{template_id}/preview")
async def preview_template(
    template_id: str, data: PreviewIn, principal: CurrentPrincipal, session: DbSession
) -> PreviewOut:
    """The filled-in text and the exact Graph `template` object a send would use."""
    row = await service.get(session, principal.workspace_id, template_id)
    return service.preview(row, data.parameters)
