"""The one place that tells the time, so tests can move it and nothing is ever naive."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

# Added to the real time. Only tests move it (durable timers days ahead, session expiry).
_offset = timedelta(0)


def utcnow() -> datetime:
    return datetime.now(UTC) + _offset


@contextmanager
def travel(delta: timedelta) -> Iterator[None]:
    """Move this process's clock forward by `delta` for the duration of the block."""
    global _offset
    previous = _offset
    _offset = previous + delta
    try:
        yield
    finally:
        _offset = previous
