"""The original system's manual trigger: `POST /api/webhook?flowId=FLOW_ID` (reference §4.7).

Kept so existing integrations keep working. The token (header `X-Webhook-Token`, query `token`
or body `token`) must equal the verify token of one of the workspace's WhatsApp numbers, as in
the original. Fixed on the way: the caller's `variables` are honoured, and a contact in the
middle of a flow does not have the trigger text taken as a reply (the flow starts at its
trigger). The start is queued like any inbound message, so it answers before the session
exists: `sessionId` is null and `taskId` identifies the queued start.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from finnegans.accounts.security import constant_time_equal
from finnegans.context import AppContext
from finnegans.db.models import Flow, WhatsAppAccount
from finnegans.flows import triggering
from finnegans.flows.schemas import TriggerIn
from finnegans.kit.errors import ApiError, BadRequest, Forbidden, NotFound

CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, X-Webhook-Token",
    "Access-Control-Max-Age": "300",
}
_PHONE_KEYS = ("from", "phone", "wa_id", "waId")
_TEXT_KEYS = ("message", "text", "keyword", "trigger", "input", "body")


def _first(body: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = body.get(key)
        if isinstance(value, (str, int)) and str(value).strip():
            return str(value).strip()
    return None


def _name(body: dict[str, Any]) -> str | None:
    found = _first(body, ("name", "fullName", "contactName"))
    profile = body.get("profile")
    if found is None and isinstance(profile, dict):
        found = _first(profile, ("name", "fullName"))
    return found


async def handle(request: Request, flow_id: str) -> Response:
    try:
        return await _handle(request, flow_id)
    except ApiError as exc:
        return JSONResponse(exc.body(), status_code=exc.status_code, headers=CORS)


async def _handle(request: Request, flow_id: str) -> Response:
    ctx: AppContext = request.app.state.ctx
    try:
        body = json.loads(await request.body() or b"null")
    except ValueError:
        raise BadRequest("Body must be a JSON object") from None
    if not isinstance(body, dict):
        raise BadRequest("Body must be a JSON object")
    token = (
        request.headers.get("X-Webhook-Token")
        or request.query_params.get("token")
        or (body.get("token") if isinstance(body.get("token"), str) else None)
    )
    async with ctx.db.unit_of_work() as session:
        flow = await session.get(Flow, flow_id)
        if flow is None:
            raise NotFound("Flow not found")
        tokens = await session.execute(
            select(WhatsAppAccount.verify_token).where(
                WhatsAppAccount.workspace_id == flow.workspace_id
            )
        )
        if not token or not any(
            known and constant_time_equal(known, token) for known in tokens.scalars()
        ):
            raise Forbidden("Invalid webhook token")
        if _first(body, _PHONE_KEYS) is None:
            raise BadRequest("Missing contact phone identifier", fields={"from": "is required"})
        message = _first(body, _TEXT_KEYS)
        if message is None:
            raise BadRequest("Missing message text", fields={"message": "is required"})
        variables = body.get("variables")
        try:
            data = TriggerIn.model_validate({
                "phone": _first(body, _PHONE_KEYS), "name": _name(body), "message": message,
                "variables": variables if isinstance(variables, dict) else {},
            })  # fmt: skip
        except ValidationError as exc:
            raise BadRequest(f"Invalid trigger: {exc.errors()[0]['msg']}") from None
        started = await triggering.trigger_flow(ctx, session, flow, data)
    return JSONResponse(
        {"success": True, "flowId": started.flow_id, "contactId": started.contact_id,
         "sessionId": None, "taskId": started.task_id},
        headers=CORS,
    )  # fmt: skip


def preflight() -> Response:
    return Response(status_code=204, headers=CORS)
