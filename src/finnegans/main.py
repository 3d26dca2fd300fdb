"""The application factory: FastAPI app, middleware, routers, lifespan."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy import select

from finnegans import __version__
from finnegans.accounts import audit_endpoints, members_endpoints
from finnegans.accounts import endpoints as auth_endpoints
from finnegans.accounts.throttle import LoginThrottle
from finnegans.broadcasts import endpoints as broadcast_endpoints
from finnegans.broadcasts import tasks as broadcast_tasks
from finnegans.config import Settings, get_settings
from finnegans.contacts import catalog_endpoints as contact_catalog_endpoints
from finnegans.contacts import endpoints as contact_endpoints
from finnegans.contacts import import_endpoints as contact_import_endpoints
from finnegans.contacts import tasks as contact_tasks
from finnegans.context import AppContext, close_send_budget, make_send_budget
from finnegans.db.engine import create_engine
from finnegans.db.models import WhatsAppAccount
from finnegans.db.session import Database
from finnegans.flows import endpoints as flow_endpoints
from finnegans.flows import tasks as flow_tasks
from finnegans.inbox import canned_endpoints
from finnegans.inbox import endpoints as inbox_endpoints
from finnegans.jobs.dispatch import JobDispatch
from finnegans.jobs.task_queue import TaskRunner
from finnegans.jobs.webhook_worker import WebhookWorker
from finnegans.kit.crypto import SecretBox
from finnegans.kit.errors import install_error_handlers
from finnegans.kit.logging import configure_logging, get_logger
from finnegans.kit.middleware import BodySizeLimitMiddleware, RequestIdMiddleware
from finnegans.kit.openapi import install_openapi
from finnegans.metrics import endpoints as metrics_endpoints
from finnegans.realtime import RealtimeHub
from finnegans.system import endpoints as system_endpoints
from finnegans.system.metrics import HttpMetricsMiddleware, metrics_endpoint
from finnegans.system.sentry import init_sentry
from finnegans.templates import endpoints as template_endpoints
from finnegans.web import mount_dashboard
from finnegans.whatsapp import accounts_endpoints, sandbox_endpoints
from finnegans.whatsapp.media import download_inbound_media
from finnegans.whatsapp.sandbox import SandboxHub
from finnegans.whatsapp.webhook import endpoints as webhook_endpoints
from finnegans.whatsapp.webhook.ingest import IngestWriter, WebhookFastPath, WebhookIngest
from finnegans.whatsapp.webhook.processor import process_webhook_events
from finnegans.whatsapp.webhook.routing import AccountDirectory

log = get_logger(__name__)


def build_context(settings: Settings) -> AppContext:
    db = Database(create_engine(settings.database_url))
    secrets = SecretBox(settings.encryption_keys)
    ctx = AppContext(
        settings=settings,
        db=db,
        secrets=secrets,
        login_throttle=LoginThrottle(settings.redis_url),
        accounts=AccountDirectory(db, secrets),
        sandbox=SandboxHub(secrets, f"{settings.public_url}/webhook"),
        send_budget=make_send_budget(settings),
    )
    ctx.webhook_worker = WebhookWorker(db, partial(process_webhook_events, ctx))
    ctx.task_runner = TaskRunner(
        db,
        {
            **flow_tasks.handlers(ctx),
            **contact_tasks.handlers(ctx),
            **broadcast_tasks.handlers(ctx),
        },
    )
    if settings.redis_url:
        ctx.dispatch = JobDispatch(settings.redis_url, ctx.task_runner, ctx.webhook_worker)
    ctx.realtime = RealtimeHub(ctx)
    db.session_info["realtime"] = ctx.realtime  # inbox events reach it from any session
    ctx.inbound_hooks.append(partial(download_inbound_media, ctx))
    return ctx


async def register_sandbox_numbers(ctx: AppContext) -> None:
    """Give the in-process emulator every sandbox number (it keeps no state across restarts)."""
    try:
        async with ctx.db.unit_of_work(write=False) as session:
            rows = await session.execute(select(WhatsAppAccount).where(WhatsAppAccount.sandbox))
            for account in rows.scalars():
                ctx.sandbox.register(account)
    except Exception:  # the database may be down at start; /api/health reports it
        log.exception("sandbox_registration_failed")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format.value)
    init_sentry(settings)
    ctx = build_context(settings)
    ingest = WebhookIngest(
        ctx.accounts, IngestWriter(ctx.db, ctx.webhooks_stored), settings.meta_app_secret
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ctx.sandbox.start(app)
        await register_sandbox_numbers(ctx)
        await ctx.realtime.start()
        if ctx.dispatch is not None:
            # With an embedded worker this process also takes work from the queue.
            await ctx.dispatch.start(receive=settings.embedded_worker)
        if settings.embedded_worker:
            await ctx.webhook_worker.start()
            await ctx.task_runner.start()
        # Start-up objects live as long as the process: move them out of the collector's reach,
        # so a full collection scans only what requests create. Without this, gen-2 collections
        # paused the event loop (and every webhook ack) for about 200 ms under load. Once per
        # process: tests start hundreds of apps in one, and frozen garbage is never freed.
        if not gc.get_freeze_count():
            gc.freeze()
        try:
            yield
        finally:
            await ingest.writer.stop()
            if ctx.dispatch is not None:
                await ctx.dispatch.stop()
            await ctx.task_runner.stop()
            await ctx.webhook_worker.stop()
            await ctx.realtime.stop()
            await ctx.sandbox.stop()
            await close_send_budget(ctx.send_budget)
            await ctx.db.dispose()

    app = FastAPI(
        title="Finnegans",
        version=__version__,
        description='Self-hostable WhatsApp chatbot platform. Errors are `{"error": message}`.',
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    app.state.webhook_ingest = ingest
    install_error_handlers(app)
    install_openapi(app)
    # Innermost, so the body limit and request id below still apply: webhook POSTs skip FastAPI.
    app.add_middleware(WebhookFastPath, ingest=ingest)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
        )
    app.add_middleware(BodySizeLimitMiddleware)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(HttpMetricsMiddleware)  # outermost: it times webhook acks too
    app.add_route("/metrics", metrics_endpoint, include_in_schema=False)

    app.include_router(system_endpoints.router)
    app.include_router(auth_endpoints.router)
    app.include_router(members_endpoints.router)
    app.include_router(audit_endpoints.router)
    app.include_router(accounts_endpoints.router)
    app.include_router(webhook_endpoints.router)
    app.include_router(sandbox_endpoints.router)
    app.include_router(inbox_endpoints.router)
    app.include_router(canned_endpoints.router)
    # Before the contacts router: /contacts/export and /contacts/imports are not contact ids.
    app.include_router(contact_import_endpoints.router)
    app.include_router(contact_endpoints.router)
    app.include_router(contact_catalog_endpoints.router)
    app.include_router(flow_endpoints.router)
    app.include_router(template_endpoints.router)
    app.include_router(metrics_endpoints.router)
    app.include_router(broadcast_endpoints.router)
    app.mount("/socket.io", ctx.realtime.asgi_app)  # before the dashboard's catch-all route
    mount_dashboard(app)
    return app
