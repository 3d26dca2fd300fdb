"""Health check for load balancers and monitors."""

from __future__ import annotations

import asyncio
import time
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from finnegans import __version__
from finnegans.db.dependencies import Ctx
from finnegans.kit.logging import get_logger

router = APIRouter(prefix="/api", tags=["system"])
log = get_logger(__name__)


class HealthOut(BaseModel):
    status: Literal["ok", "error"]
    database: Literal["connected", "disconnected"]
    uptime: float
    version: str


@router.get(
    "/health",
    response_model=HealthOut,
    responses={503: {"model": HealthOut, "description": "The database is unreachable"}},
)
async def health(ctx: Ctx) -> JSONResponse:
    """`{"status", "database", "uptime", "version"}`; 503 when the database is unreachable."""
    connected = True
    try:
        async with asyncio.timeout(3):
            async with ctx.db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach the database means "disconnected"
        log.warning("health_database_unreachable", error=str(exc)[:200])
        connected = False
    body = {
        "status": "ok" if connected else "error",
        "database": "connected" if connected else "disconnected",
        "uptime": round(time.monotonic() - ctx.started_at, 3),
        "version": __version__,
    }
    return JSONResponse(body, status_code=200 if connected else 503)
