"""Pure ASGI middleware: body size limits and request ids (no BaseHTTPMiddleware buffering)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import structlog
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_BODY_LIMIT = 1024 * 1024  # 1 MB for /api
WEBHOOK_BODY_LIMIT = 3 * 1024 * 1024  # Meta batches can be large; 3 MB for /webhook


class _TooLarge(HTTPException):
    """Raised from receive(); an HTTPException so FastAPI's body parsing passes it through."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Request body too large (limit {limit // 1024} KB)")


# Agents' attachments: WhatsApp's largest media (a 100 MB document) plus the multipart framing.
UPLOAD_BODY_LIMIT = 100 * 1024 * 1024 + 64 * 1024
# Contact CSV imports: 50 MB (contacts/import_service.py MAX_IMPORT_BYTES) plus the framing.
IMPORT_BODY_LIMIT = 50 * 1024 * 1024 + 64 * 1024
# Broadcast lists: 5 MB (broadcasts/audience_upload.py MAX_LIST_BYTES) plus the framing.
LIST_BODY_LIMIT = 5 * 1024 * 1024 + 64 * 1024


def default_body_limit(path: str) -> int:
    if path.startswith(("/webhook", "/api/webhook")):
        return WEBHOOK_BODY_LIMIT
    if path.startswith("/api/conversations/") and path.endswith("/media"):
        return UPLOAD_BODY_LIMIT
    if path == "/api/contacts/import":
        return IMPORT_BODY_LIMIT
    if path == "/api/broadcasts/audience-upload":
        return LIST_BODY_LIMIT
    return API_BODY_LIMIT


class BodySizeLimitMiddleware:
    """Refuse oversized bodies with 413, by Content-Length up front or by counting the stream."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int] = default_body_limit) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > limit:
                    await _send_413(send, limit)
                    return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not response_started:
                await _send_413(send, limit)


async def _send_413(send: Send, limit: int) -> None:
    body = json.dumps({"error": f"Request body too large (limit {limit // 1024} KB)"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestIdMiddleware:
    """Give every request an id (or keep the caller's), bind it to logs, echo it back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = ""
        for name, value in scope.get("headers", []):
            if name == b"x-request-id":
                request_id = value.decode("latin-1")[:64]
        request_id = request_id or uuid.uuid4().hex
        structlog.contextvars.bind_contextvars(request_id=request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            structlog.contextvars.unbind_contextvars("request_id")
