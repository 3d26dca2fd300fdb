"""Overview metrics and global search routes (docs/api.md#overview): any member may read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from finnegans.accounts.dependencies import CurrentPrincipal
from finnegans.db.dependencies import DbSession
from finnegans.kit.errors import BadRequest
from finnegans.metrics.schemas import OverviewOut, SearchOut
from finnegans.metrics.service import PERIODS, MetricsService

router = APIRouter(prefix="/api", tags=["overview"])


@router.get("/overview")
async def overview(
    principal: CurrentPrincipal,
    session: DbSession,
    days: int = 7,
    flow_id: Annotated[
        str | None, Query(max_length=32, description="drop-off for this flow, not the top one")
    ] = None,
) -> OverviewOut:
    """KPIs and charts for the last `days` days (7, 14, 30 or 90) in the workspace's time zone."""
    if days not in PERIODS:
        raise BadRequest("days: must be 7, 14, 30 or 90", fields={"days": "one of 7, 14, 30, 90"})
    return await MetricsService(session).overview(principal, days, flow_id)


@router.get("/search")
async def search(
    principal: CurrentPrincipal,
    session: DbSession,
    q: Annotated[str, Query(max_length=100)] = "",
) -> SearchOut:
    """Flows, contacts, conversations and broadcasts matching `q` (at least 2 characters)."""
    text = q.strip()
    if len(text) < 2:
        raise BadRequest("q: at least 2 characters", fields={"q": "at least 2 characters"})
    return await MetricsService(session).search(principal, text)
