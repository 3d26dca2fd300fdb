"""Meta's webhook: GET verification and POST events (also at /api/webhook, the original path).

POST reads the raw bytes, finds the account, verifies X-Hub-Signature-256 over those exact bytes,
stores the body as a webhook event and answers 200 at once. Processing happens in the job layer
(`finnegans.jobs.webhook_worker`), never inside the request.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse

from finnegans.accounts.security import constant_time_equal
from finnegans.db.dependencies import Ctx
from finnegans.db.models import WebhookEvent
from finnegans.kit.errors import BadRequest, Forbidden, NotFound, Unauthorized
from finnegans.kit.logging import get_logger
from finnegans.whatsapp.signature import SIGNATURE_HEADER, verify

router = APIRouter(tags=["webhook"])
log = get_logger(__name__)


async def verify_subscription(
    ctx: Ctx,
    mode: Annotated[str | None, Query(alias="hub.mode")] = None,
    token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge")] = None,
) -> PlainTextResponse:
    """Meta's handshake: echo `hub.challenge` when `hub.verify_token` is one of ours."""
    if mode is None or token is None or challenge is None:
        raise BadRequest("hub.mode, hub.verify_token and hub.challenge are required")
    if mode != "subscribe":
        raise BadRequest("hub.mode must be 'subscribe'")
    app_token = ctx.settings.meta_webhook_verify_token
    if (app_token and constant_time_equal(app_token, token)) or (
        await ctx.accounts.verify_token_matches(token)
    ):
        return PlainTextResponse(challenge)
    raise Forbidden("Verify token does not match")


async def receive_event(request: Request, ctx: Ctx) -> dict[str, Any]:
    """Verify and store one webhook body; 200 means it is durably stored."""
    raw = await request.body()
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("Invalid JSON body") from None
    if not isinstance(body, dict):
        raise BadRequest("The webhook body must be a JSON object")
    signature = request.headers.get(SIGNATURE_HEADER)
    if not signature:
        raise Unauthorized(f"Missing {SIGNATURE_HEADER} header")
    routes = await ctx.accounts.for_body(body)
    secrets = {r.app_secret for r in routes if r.app_secret}
    if ctx.settings.meta_app_secret:
        secrets.add(ctx.settings.meta_app_secret)
    if not routes and not ctx.settings.meta_app_secret:
        raise NotFound("Unknown phone_number_id or WhatsApp Business Account id")
    if not any(verify(raw, signature, secret) for secret in secrets):
        raise Unauthorized("Invalid signature")
    if not routes:
        raise NotFound("Unknown phone_number_id or WhatsApp Business Account id")
    workspaces = {r.workspace_id for r in routes}
    event = WebhookEvent(
        body=raw.decode("utf-8"),
        workspace_id=next(iter(workspaces)) if len(workspaces) == 1 else None,
        whatsapp_account_id=routes[0].account_id if len(routes) == 1 else None,
    )
    async with ctx.db.unit_of_work() as session:
        session.add(event)
    ctx.webhook_worker.notify()
    return {"success": True}


for prefix in ("", "/api"):
    router.add_api_route(
        f"{prefix}/webhook",
        verify_subscription,
        methods=["GET"],
        response_class=PlainTextResponse,
        include_in_schema=prefix == "",
        operation_id=f"webhook_verify{prefix.replace('/', '_')}",
    )
    router.add_api_route(
        f"{prefix}/webhook",
        receive_event,
        methods=["POST"],
        include_in_schema=prefix == "",
        operation_id=f"webhook_receive{prefix.replace('/', '_')}",
    )
