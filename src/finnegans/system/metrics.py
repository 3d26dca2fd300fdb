"""Prometheus metrics: what an operator watches (the deployment guide's key metrics).

The metric objects live here, one place, and the code that knows an event happened bumps them
(the webhook path, the worker, the Graph client, the outbox, the flows runtime, Socket.IO).
`GET /metrics` serves them in Prometheus' text format, only with `Authorization: Bearer
$METRICS_TOKEN` (unset: the endpoint is off), so a public deployment does not leak them.

Several `serve` processes: each process counts its own; set PROMETHEUS_MULTIPROC_DIR (an empty
directory shared by the processes of one host, as prometheus-client documents) and the endpoint
aggregates every process of the host.

Labels are bounded on purpose: HTTP metrics use the route template (`/api/contacts/{contact_id}`),
never the raw path; error codes are Meta's numeric codes.
"""

from __future__ import annotations

import os
import secrets
import time
from typing import Protocol

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as prometheus_multiprocess
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from finnegans.db.after_commit import after_commit


class _Incrementable(Protocol):
    def inc(self, amount: float = 1) -> None: ...


_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_LAG_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0)

# --- webhooks ---------------------------------------------------------------------------------
WEBHOOKS_RECEIVED = Counter(
    "finnegans_webhook_events_received_total",
    "Webhook POSTs answered, by outcome (stored, bad_signature, unknown_number, invalid, error)",
    ["outcome"],
)
WEBHOOKS_PROCESSED = Counter(
    "finnegans_webhook_events_processed_total",
    "Stored webhook events processed by the worker, by result (processed, retry, failed)",
    ["result"],
)
WEBHOOK_DUPLICATES = Counter(
    "finnegans_webhook_duplicates_total",
    "Deliveries recognised as duplicates (message: a wamid already stored)",
    ["kind"],
)
WEBHOOK_LAG = Histogram(
    "finnegans_webhook_processing_lag_seconds",
    "From storing a webhook event to processing it",
    buckets=_LAG_BUCKETS,
)
# --- messages and the Graph API ----------------------------------------------------------------
MESSAGES = Counter(
    "finnegans_messages_total",
    "Messages by direction and status reached (outbound: sent, delivered, read, failed)",
    ["direction", "status"],
)
MESSAGE_FAILURES = Counter(
    "finnegans_message_failures_total", "Failed outbound messages by Meta error code", ["code"]
)
GRAPH_LATENCY = Histogram(
    "finnegans_graph_request_duration_seconds",
    "Graph API calls by operation and outcome (ok, error, timeout)",
    ["operation", "outcome"],
    buckets=_LATENCY_BUCKETS,
)
GRAPH_ERRORS = Counter(
    "finnegans_graph_errors_total", "Graph API errors by Meta error code", ["code"]
)
SEND_BUDGET_WAIT = Histogram(
    "finnegans_send_budget_wait_seconds",
    "Time a send waited for the number's messages-per-second budget",
    buckets=(0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
# --- flows, broadcasts, sockets -----------------------------------------------------------------
FLOW_EXECUTIONS = Counter(
    "finnegans_flow_executions_total",
    "Flow sessions that ended, by outcome (completed, errored, expired, handed_off)",
    ["outcome"],
)
BROADCAST_RECIPIENTS = Counter(
    "finnegans_broadcast_recipients_total",
    "Broadcast recipients reaching a state (sent, failed, skipped, ...)",
    ["state"],
)
SOCKET_CONNECTIONS = Gauge(
    "finnegans_socket_connections",
    "Open Socket.IO connections",
    multiprocess_mode="livesum",
)
# --- HTTP ---------------------------------------------------------------------------------------
HTTP_REQUESTS = Counter(
    "finnegans_http_requests_total",
    "HTTP requests by method, route template and status code",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "finnegans_http_request_duration_seconds",
    "HTTP request duration by method and route template",
    ["method", "route"],
    buckets=_LATENCY_BUCKETS,
)


_PENDING = "finnegans.metrics.pending"


def count_after_commit(session: AsyncSession, counter: _Incrementable, amount: float = 1) -> None:
    """Count `counter` once the session's transaction commits (a rolled-back batch that the
    worker retries would otherwise count its statuses twice). One listener per transaction."""
    pending: list[tuple[_Incrementable, float]] | None = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = []

        def flush() -> None:
            for item, by in session.info.pop(_PENDING, ()):
                item.inc(by)

        after_commit(session, flush, on_rollback=lambda: session.info.pop(_PENDING, None))
    pending.append((counter, amount))


def _route_of(scope: Scope) -> str:
    """The matched route's template; a bounded label for everything else."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    if isinstance(template, str):
        return template
    path = str(scope.get("path", ""))
    if path in ("/webhook", "/api/webhook"):
        return path  # answered ahead of FastAPI's router (whatsapp/webhook/ingest.py)
    if path.startswith("/socket.io"):
        return "/socket.io"
    return "unmatched" if path.startswith("/api/") else "dashboard"


class HttpMetricsMiddleware:
    """Outermost ASGI middleware: counts and times every HTTP request (webhooks included)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            method = str(scope.get("method", ""))
            route = _route_of(scope)
            HTTP_REQUESTS.labels(method, route, str(status)).inc()
            HTTP_LATENCY.labels(method, route).observe(time.perf_counter() - started)


def render() -> bytes:
    """This process's metrics, or every process of the host in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest()


async def metrics_endpoint(request: Request) -> Response:
    token: str = request.app.state.ctx.settings.metrics_token
    if not token:
        return JSONResponse(
            {"error": "Metrics are disabled: set METRICS_TOKEN to enable GET /metrics"},
            status_code=404,
        )
    given = request.headers.get("authorization", "")
    if not secrets.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return JSONResponse(
            {"error": "GET /metrics needs Authorization: Bearer <METRICS_TOKEN>"},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Response(render(), media_type=CONTENT_TYPE_LATEST)
