"""Canned responses: saved replies agents insert with `/shortcut` (admins manage them)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.accounts.dependencies import AdminPrincipal, CurrentPrincipal
from finnegans.db.dependencies import DbSession
from finnegans.db.models import CannedResponse
from finnegans.inbox.schemas import (
    CannedResponseEnvelopeOut,
    CannedResponseIn,
    CannedResponseListOut,
    CannedResponseOut,
)
from finnegans.kit.errors import Conflict, NotFound

router = APIRouter(prefix="/api/canned-responses", tags=["inbox"])


def _out(row: CannedResponse) -> CannedResponseOut:
    return CannedResponseOut(id=row.id, shortcut=row.shortcut, text=row.text)


async def _get(session: AsyncSession, workspace_id: str, response_id: str) -> CannedResponse:
    row = (
        await session.execute(
            select(CannedResponse).where(
                CannedResponse.workspace_id == workspace_id, CannedResponse.id == response_id
            )
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFound("No such canned response")
    return row


async def _save(session: AsyncSession, row: CannedResponse) -> None:
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"The shortcut /{row.shortcut} is already used") from exc


@router.get("")
async def list_canned(principal: CurrentPrincipal, session: DbSession) -> CannedResponseListOut:
    rows = await session.execute(
        select(CannedResponse)
        .where(CannedResponse.workspace_id == principal.workspace_id)
        .order_by(CannedResponse.shortcut)
    )
    return CannedResponseListOut(canned_responses=[_out(row) for row in rows.scalars()])


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_canned(
    data: CannedResponseIn, principal: AdminPrincipal, session: DbSession
) -> CannedResponseEnvelopeOut:
    row = CannedResponse(workspace_id=principal.workspace_id, shortcut=data.shortcut,
                         text=data.text)  # fmt: skip
    session.add(row)
    await _save(session, row)
    return CannedResponseEnvelopeOut(canned_response=_out(row))


@router.put("/{response_id}")
async def update_canned(
    response_id: str, data: CannedResponseIn, principal: AdminPrincipal, session: DbSession
) -> CannedResponseEnvelopeOut:
    row = await _get(session, principal.workspace_id, response_id)
    row.shortcut, row.text = data.shortcut, data.text
    await _save(session, row)
    return CannedResponseEnvelopeOut(canned_response=_out(row))


@router.delete("/{response_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_canned(
    response_id: str, principal: AdminPrincipal, session: DbSession
) -> Response:
    await session.delete(await _get(session, principal.workspace_id, response_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
