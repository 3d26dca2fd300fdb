"""Optional error reporting to Sentry: on when SENTRY_DSN is set, and imported only then."""

from __future__ import annotations

from finnegans import __version__
from finnegans.config import Settings
from finnegans.kit.logging import get_logger

log = get_logger(__name__)


def init_sentry(settings: Settings) -> bool:
    """Start the Sentry SDK once per process (its FastAPI/Starlette integrations switch on by
    themselves). Returns whether it is on. Request bodies and cookies are not sent: webhook
    bodies carry customers' messages and the cookie is a session."""
    if not settings.sentry_dsn:
        return False
    import sentry_sdk

    if sentry_sdk.is_initialized():
        return True
    sentry_sdk.init(
        dsn=settings.sentry_dsn,
        environment=settings.environment.value,
        release=f"finnegans@{__version__}",
        send_default_pii=False,
        max_request_body_size="never",
        traces_sample_rate=0.0,
    )
    log.info("sentry_enabled", environment=settings.environment.value)
    return True
