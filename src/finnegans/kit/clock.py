"""The one place that tells the time, so tests can move it and nothing is ever naive."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
