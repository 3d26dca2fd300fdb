"""Meta's webhook: GET verification and POST events (also at /api/webhook, the original path).

POST reads the raw bytes, finds the account, verifies X-Hub-Signature-256 over those exact bytes,
stores the body as a webhook event and answers 200 at once. Processing happens in the job layer
(`finnegans.jobs.webhook_worker`), never inside the request. In the app, POSTs are answered by
the ASGI fast path in `ingest.py` before they reach this router; the route below documents them
in the OpenAPI schema and behaves the same (it calls the same `WebhookIngest`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response

from finnegans.accounts.security import constant_time_equal
from finnegans.db.dependencies import Ctx
from finnegans.flows import legacy_trigger
from finnegans.kit.errors import BadRequest, Forbidden, NotFound
from finnegans.kit.logging import get_logger
from finnegans.whatsapp.signature import SIGNATURE_HEADER
from finnegans.whatsapp.webhook.ingest import WebhookIngest

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


async def receive_event(request: Request) -> Any:
    """Verify and store one webhook body; 200 means it is durably stored.

    With `?flowId=` this is the original system's manual flow trigger instead.
    """
    flow_id = request.query_params.get("flowId")
    if flow_id is not None:
        return await legacy_trigger.handle(request, flow_id)
    ingest: WebhookIngest = request.app.state.webhook_ingest
    await ingest.receive(await request.body(), request.headers.get(SIGNATURE_HEADER))
    return {"success": True}


async def trigger_preflight(request: Request) -> Response:
    """CORS preflight of the original manual trigger (`OPTIONS /api/webhook?flowId=`)."""
    if request.query_params.get("flowId") is None:
        raise NotFound("Not found")
    return legacy_trigger.preflight()


router.add_api_route(
    "/api/webhook", trigger_preflight, methods=["OPTIONS"], include_in_schema=False
)

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
