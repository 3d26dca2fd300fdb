"""Broadcast routes. The original's `GET|POST /api/broadcasts` and `GET /api/broadcasts/{id}`
keep their paths; the original POST body still works and launches at once (docs/api.md).

Any member may read broadcasts and preview an audience; writing, launching and stopping one
messages customers in bulk, so those need an admin or the owner (as templates do)."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Query, Request, Response, UploadFile, status
from fastapi.responses import StreamingResponse

from finnegans.accounts.dependencies import AdminPrincipal, CurrentPrincipal, get_principal
from finnegans.broadcasts import audience_upload, service
from finnegans.broadcasts.repository import BroadcastRepository
from finnegans.broadcasts.schemas import (
    AudiencePreviewIn,
    AudiencePreviewOut,
    AudienceUploadOut,
    BroadcastIn,
    BroadcastListOut,
    BroadcastOut,
    BroadcastPatch,
    LaunchIn,
    RecipientListOut,
    RecipientOut,
    RecipientState,
)
from finnegans.db.dependencies import Ctx, DbSession
from finnegans.db.models import Broadcast, BroadcastRecipient, Role
from finnegans.kit.cursors import decode_cursor, encode_cursor
from finnegans.kit.errors import BadRequest, Forbidden

router = APIRouter(prefix="/api/broadcasts", tags=["broadcasts"])

CSV_CHUNK = 1000


async def _out(ctx: Ctx, session: DbSession, broadcast: Broadcast) -> BroadcastOut:
    counts = await BroadcastRepository(session).counts([broadcast.id])
    return await service.to_out(ctx, session, broadcast, counts[broadcast.id], detail=True)


@router.get("")
async def list_broadcasts(
    principal: CurrentPrincipal, session: DbSession, ctx: Ctx,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> BroadcastListOut:  # fmt: skip
    """Newest first, with counts per recipient state; paged by `next_cursor`."""
    after = None
    if cursor is not None:
        at, last_id = decode_cursor(cursor, 2)
        try:
            after = (datetime.fromisoformat(at), last_id)
        except ValueError:
            raise BadRequest(
                "cursor: not a cursor this API returned", fields={"cursor": "invalid"}
            ) from None
    repo = BroadcastRepository(session)
    rows = list(await repo.page(principal.workspace_id, after, limit + 1))
    following = None
    if len(rows) > limit:
        rows = rows[:limit]
        following = encode_cursor(rows[-1].created_at.isoformat(), rows[-1].id)
    counts = await repo.counts([b.id for b in rows])
    out = [await service.to_out(ctx, session, b, counts[b.id]) for b in rows]
    return BroadcastListOut(broadcasts=out, next_cursor=following)


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_broadcast(
    data: BroadcastIn, principal: AdminPrincipal, session: DbSession, ctx: Ctx
) -> BroadcastOut:
    """A draft (or launched at once with `launch: true`, and always for the original body)."""
    broadcast = await service.create(ctx, session, principal, data)
    return await _out(ctx, session, broadcast)


@router.post("/audience-preview")
async def audience_preview(
    data: AudiencePreviewIn, principal: CurrentPrincipal, session: DbSession, ctx: Ctx
) -> AudiencePreviewOut:
    """Live count (matched, opted out, outside the window, unique) and rendered samples."""
    return await service.preview(ctx, session, principal, data)


@router.post(
    "/audience-upload",
    status_code=status.HTTP_201_CREATED,
    responses={413: {"description": "over 5 MB or 10,000 rows"}},
)
async def upload_audience(
    request: Request, ctx: Ctx,
    file: Annotated[UploadFile | None, File(description="CSV: phone, optional name")] = None,
) -> AudienceUploadOut:  # fmt: skip
    """Upload a list of numbers: known numbers are matched, unknown ones become contacts, all
    get the list's tag; invalid rows are reported. Use `{"kind": "csv", "uploadId": ...}`."""
    # No transaction while the file is copied (as for contact imports): only to authenticate.
    async with ctx.db.unit_of_work() as session:
        principal = await get_principal(request, ctx, session)
    if not principal.at_least(Role.admin):
        raise Forbidden(f"This action needs the {Role.admin.value} role")
    return await audience_upload.upload_list(ctx, principal, file)


@router.get("/{broadcast_id}")
async def get_broadcast(
    broadcast_id: str, principal: CurrentPrincipal, session: DbSession, ctx: Ctx
) -> BroadcastOut:
    """Counts per state, funnel, rate, ETA, paused reason and warnings."""
    broadcast = await service.broadcast_or_404(session, principal.workspace_id, broadcast_id)
    return await _out(ctx, session, broadcast)


@router.patch("/{broadcast_id}")
async def update_broadcast(
    broadcast_id: str, data: BroadcastPatch, principal: AdminPrincipal, session: DbSession,
    ctx: Ctx,
) -> BroadcastOut:  # fmt: skip
    broadcast = await service.update(session, principal, broadcast_id, data)
    return await _out(ctx, session, broadcast)


@router.delete("/{broadcast_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_broadcast(
    broadcast_id: str, principal: AdminPrincipal, session: DbSession
) -> Response:
    await service.delete(session, principal, broadcast_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{broadcast_id}/launch")
async def launch_broadcast(
    broadcast_id: str, principal: AdminPrincipal, session: DbSession, ctx: Ctx,
    data: LaunchIn | None = None,
) -> BroadcastOut:  # fmt: skip
    """Now, or at `scheduled_at` (a time without offset is in the workspace's time zone)."""
    broadcast = await service.launch(ctx, session, principal, broadcast_id, data or LaunchIn())
    return await _out(ctx, session, broadcast)


@router.post("/{broadcast_id}/pause")
async def pause_broadcast(
    broadcast_id: str, principal: AdminPrincipal, session: DbSession, ctx: Ctx
) -> BroadcastOut:
    broadcast = await service.pause(session, principal, broadcast_id)
    return await _out(ctx, session, broadcast)


@router.post("/{broadcast_id}/resume")
async def resume_broadcast(
    broadcast_id: str, principal: AdminPrincipal, session: DbSession, ctx: Ctx
) -> BroadcastOut:
    broadcast = await service.resume(session, principal, broadcast_id)
    return await _out(ctx, session, broadcast)


@router.post("/{broadcast_id}/cancel")
async def cancel_broadcast(
    broadcast_id: str, principal: AdminPrincipal, session: DbSession, ctx: Ctx
) -> BroadcastOut:
    broadcast = await service.cancel(session, principal, broadcast_id)
    return await _out(ctx, session, broadcast)


def _recipient_out(row: BroadcastRecipient, name: str | None, phone: str | None) -> RecipientOut:
    return RecipientOut(
        id=row.id, contact_id=row.contact_id, contact_name=name, contact_phone=phone,
        status=row.status, error_code=row.error_code, error=row.error, attempts=row.attempts,
        next_attempt_at=row.next_attempt_at, wamid=row.wamid, sent_at=row.sent_at,
        delivered_at=row.delivered_at, read_at=row.read_at, replied_at=row.replied_at,
    )  # fmt: skip


@router.get("/{broadcast_id}/recipients")
async def list_recipients(
    broadcast_id: str, principal: CurrentPrincipal, session: DbSession,
    status_filter: Annotated[RecipientState | None, Query(alias="status")] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> RecipientListOut:  # fmt: skip
    """Per-recipient state with error codes and reasons; filter by `status`, keyset paging."""
    await service.broadcast_or_404(session, principal.workspace_id, broadcast_id)
    after = decode_cursor(cursor, 1)[0] if cursor else None
    rows = await BroadcastRepository(session).recipients_page(
        principal.workspace_id, broadcast_id, status=status_filter, after=after, limit=limit + 1
    )
    following = encode_cursor(rows[limit - 1][0].id) if len(rows) > limit else None
    return RecipientListOut(recipients=[_recipient_out(*row) for row in rows[:limit]],
                            next_cursor=following)  # fmt: skip


CSV_COLUMNS = ["contact_id", "name", "phone", "status", "error_code", "error", "attempts",
               "wamid", "sent_at", "delivered_at", "read_at", "replied_at"]  # fmt: skip


@router.get("/{broadcast_id}/recipients.csv", response_class=StreamingResponse)
async def export_recipients(
    broadcast_id: str, principal: CurrentPrincipal, session: DbSession, ctx: Ctx
) -> StreamingResponse:
    """Every recipient as UTF-8 CSV, streamed in chunks (bounded memory)."""
    await service.broadcast_or_404(session, principal.workspace_id, broadcast_id)
    workspace_id = principal.workspace_id

    def line(values: list[object]) -> str:
        buffer = io.StringIO()
        csv.writer(buffer).writerow(["" if v is None else v for v in values])
        return buffer.getvalue()

    async def rows() -> AsyncIterator[str]:
        yield line(list(CSV_COLUMNS))
        after: str | None = None
        while True:
            # Its own short read per chunk: the request's session is closed by now.
            async with ctx.db.unit_of_work(write=False) as reader:
                page = await BroadcastRepository(reader).recipients_page(
                    workspace_id, broadcast_id, status=None, after=after, limit=CSV_CHUNK
                )
            for r, name, phone in page:
                yield line([r.contact_id, name, phone, r.status, r.error_code, r.error,
                            r.attempts, r.wamid, r.sent_at, r.delivered_at, r.read_at,
                            r.replied_at])  # fmt: skip
            if len(page) < CSV_CHUNK:
                return
            after = page[-1][0].id

    headers = {"Content-Disposition": f'attachment; filename="broadcast-{broadcast_id}.csv"'}
    return StreamingResponse(rows(), media_type="text/csv; charset=utf-8", headers=headers)
