"""What can go wrong when talking to the Graph API, and what the caller should do about it.

Meta asks integrators to act on `error.code` (plus `error_data.details`), not on HTTP status,
titles or subcodes: the status for a given code has changed between doc versions (190 has been
served as 400 and as 401). So the classification below keys on the code and only falls back
to the HTTP status when there is no usable code (e.g. a proxy's HTML error page).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import httpx


class MessageValidationError(ValueError):
    """A message breaks one of Meta's documented limits; raised before any HTTP call."""


class ErrorKind(StrEnum):
    """What the caller should do with a failed Graph call (reference §7.3 retry summary)."""

    RETRYABLE = "retryable"  # Meta had trouble; the same request may succeed later
    RATE_LIMITED = "rate_limited"  # throughput / app / WABA limits: back off, then retry
    PER_RECIPIENT = "per_recipient"  # pair rate limit: only this user must wait
    WINDOW_CLOSED = "window_closed"  # 24 h window closed: send a template instead
    TOKEN_INVALID = "token_invalid"  # noqa: S105 - get a new access token; nothing else will work
    TERMINAL = "terminal"  # fix the request, config, template, billing… never auto-retry


_KIND_BY_CODE: dict[int, ErrorKind] = {
    # "maybe once" per the reference; the client caps code 1 at a single retry.
    1: ErrorKind.RETRYABLE,
    2: ErrorKind.RETRYABLE,  # API service: temporary downtime/overload
    131000: ErrorKind.RETRYABLE,  # something went wrong (limited retries)
    131016: ErrorKind.RETRYABLE,  # service unavailable
    131057: ErrorKind.RETRYABLE,  # maintenance mode (throughput upgrade), retry after ~1 min
    133004: ErrorKind.RETRYABLE,  # registration server temporarily unavailable
    4: ErrorKind.RATE_LIMITED,  # app-level "too many calls"
    80007: ErrorKind.RATE_LIMITED,  # WABA rate limit
    130429: ErrorKind.RATE_LIMITED,  # per-number throughput (80/1000 mps)
    131056: ErrorKind.PER_RECIPIENT,  # business/consumer pair rate limit
    131047: ErrorKind.WINDOW_CLOSED,  # re-engagement: more than 24 h since the user wrote
    0: ErrorKind.TOKEN_INVALID,  # AuthException
    190: ErrorKind.TOKEN_INVALID,  # access token expired/invalid
    # Served as HTTP 500 by older docs but a capability problem: must not be caught by the
    # "5xx means retry" fallback below.
    3: ErrorKind.TERMINAL,
}

THROUGHPUT_LIMIT_CODE = 130429
MAINTENANCE_MODE_CODE = 131057
MAINTENANCE_MODE_RETRY_AFTER = 60.0  # "upgrade takes ≤1 min" (reference §8)


def classify(code: int | None, http_status: int | None, is_transient: bool = False) -> ErrorKind:
    """Map a Graph error code (and, without a code, the HTTP status) to an `ErrorKind`."""
    if code is not None and code in _KIND_BY_CODE:
        return _KIND_BY_CODE[code]
    if is_transient:
        return ErrorKind.RETRYABLE
    if http_status is not None and http_status >= 500:
        return ErrorKind.RETRYABLE
    if code is None and http_status == 401:
        return ErrorKind.TOKEN_INVALID
    if code is None and http_status == 429:
        return ErrorKind.RATE_LIMITED
    return ErrorKind.TERMINAL


def pair_rate_limit_backoff(attempt: int) -> float:
    """Seconds to wait before retrying a 131056 send; Meta says 4^X s for X = 0, 1, 2…"""
    return float(4 ** max(attempt, 0))


class GraphError(Exception):
    """Meta answered a Graph call with an error (synchronously, or in a webhook's errors[])."""

    def __init__(
        self,
        *,
        http_status: int | None,
        code: int | None,
        message: str,
        title: str | None = None,
        subcode: int | None = None,
        error_type: str | None = None,
        details: str | None = None,
        fbtrace_id: str | None = None,
        is_transient: bool = False,
        retry_after: float | None = None,
    ) -> None:
        self.http_status = http_status
        self.code = code
        self.message = message
        self.title = title if title is not None else _title_from_message(message)
        self.subcode = subcode
        self.error_type = error_type
        self.details = details
        self.fbtrace_id = fbtrace_id
        self.is_transient = is_transient
        # A server-suggested wait in seconds (usage header, maintenance mode), if known.
        self.retry_after = retry_after
        self.kind = classify(code, http_status, is_transient)
        super().__init__(self._describe())

    @property
    def is_retryable(self) -> bool:
        """The same request may succeed later without anyone changing anything."""
        return self.kind in (ErrorKind.RETRYABLE, ErrorKind.RATE_LIMITED)

    @property
    def is_throughput_limit(self) -> bool:
        """130429: this phone number sent more messages per second than Meta allows."""
        return self.code == THROUGHPUT_LIMIT_CODE

    def _describe(self) -> str:
        parts = [f"Graph API error {self.code if self.code is not None else '?'}"]
        if self.http_status is not None:
            parts.append(f"(HTTP {self.http_status})")
        text = f"{' '.join(parts)}: {self.title or self.message}"
        if self.details:
            text += f" — {self.details}"
        return text

    @classmethod
    def from_error_object(
        cls,
        error: Mapping[str, Any],
        *,
        http_status: int | None = None,
        retry_after: float | None = None,
    ) -> GraphError:
        """Build from Graph's `{"error": {...}}` inner object or a webhook `errors[]` item."""
        code = _as_int(error.get("code"))
        error_data = error.get("error_data")
        details = error_data.get("details") if isinstance(error_data, Mapping) else None
        message = str(error.get("message") or error.get("title") or "")
        if retry_after is None and code == MAINTENANCE_MODE_CODE:
            retry_after = MAINTENANCE_MODE_RETRY_AFTER
        return cls(
            http_status=http_status,
            code=code,
            message=message,
            title=str(error["title"]) if error.get("title") else None,
            subcode=_as_int(error.get("error_subcode")),
            error_type=str(error["type"]) if error.get("type") else None,
            details=str(details) if details else None,
            fbtrace_id=str(error["fbtrace_id"]) if error.get("fbtrace_id") else None,
            is_transient=error.get("is_transient") is True,
            retry_after=retry_after,
        )

    @classmethod
    def from_response(cls, response: httpx.Response) -> GraphError:
        """Parse an HTTP error answer; a non-JSON body (proxy, HTML page) keeps only the status."""
        retry_after = _regain_access_seconds(response.headers.get("x-business-use-case-usage"))
        try:
            body = response.json()
        except ValueError:
            body = None
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict):
            return cls.from_error_object(
                error, http_status=response.status_code, retry_after=retry_after
            )
        return cls(
            http_status=response.status_code,
            code=None,
            message=response.reason_phrase or f"HTTP {response.status_code}",
            retry_after=retry_after,
        )


class SendOutcomeUnknown(Exception):
    """A non-repeatable request (a message send, a template creation) may or may not have
    reached Meta: the connection dropped or timed out after the request could have been read.

    The Cloud API has no idempotency key, so repeating the request could deliver the message
    twice. Callers record the outcome as unknown and let status webhooks settle it.
    """

    def __init__(self, operation: str, cause: BaseException) -> None:
        self.operation = operation
        self.cause = cause
        super().__init__(f"{operation}: outcome unknown after {type(cause).__name__}")


class GraphUnreachable(Exception):
    """Meta could not be reached (network error or timeout) on a call that is safe to repeat,
    or before a non-repeatable request left this process; raised once retries are spent."""

    def __init__(self, operation: str, cause: BaseException) -> None:
        self.operation = operation
        self.cause = cause
        super().__init__(f"{operation}: Graph API unreachable ({type(cause).__name__})")


def _title_from_message(message: str) -> str:
    # WhatsApp messages look like "(#130429) Rate limit hit"; the title is the part after.
    if message.startswith("(#") and ") " in message:
        return message.split(") ", 1)[1]
    return message


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _regain_access_seconds(header: str | None) -> float | None:
    """`x-business-use-case-usage` carries `estimated_time_to_regain_access` in minutes."""
    if not header:
        return None
    try:
        usage = json.loads(header)
    except ValueError:
        return None
    minutes = [
        entry.get("estimated_time_to_regain_access")
        for entries in (usage.values() if isinstance(usage, dict) else [])
        if isinstance(entries, list)
        for entry in entries
        if isinstance(entry, dict)
    ]
    waits = [float(m) for m in minutes if isinstance(m, int | float) and not isinstance(m, bool)]
    longest = max(waits, default=0.0)
    return longest * 60.0 if longest > 0 else None
