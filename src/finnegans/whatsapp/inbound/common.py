"""Building blocks shared by every WhatsApp webhook model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict


class WaModel(BaseModel):
    """Base of every wire model.

    Meta adds fields without notice (BSUIDs appeared in 2026, `url` on media later), so unknown
    keys are kept in `model_extra` instead of failing. Python-side names (`from_`) and Meta's
    names (`from`) are both accepted.
    """

    model_config = ConfigDict(extra="allow", validate_by_name=True, validate_by_alias=True)


def to_utc_datetime(value: Any) -> datetime:
    """Unix seconds (Meta sends strings in messages/statuses, integers in `entry.time`) -> UTC."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("datetime must be timezone-aware")
        return value.astimezone(UTC)
    # bool is an int subclass; a JSON `true` is never a timestamp.
    if isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        seconds = int(value)
    elif isinstance(value, str):
        # Our own `model_dump(mode="json")` writes ISO 8601; accept it back so stored payloads
        # re-validate.
        return _aware_iso(value)
    else:
        raise ValueError("expected Unix seconds as a string or integer")
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        # Pydantic only turns ValueError into a validation error; OverflowError would escape.
        raise ValueError("Unix timestamp out of range") from exc


def _aware_iso(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError("expected Unix seconds or an ISO 8601 datetime") from exc
    if parsed.tzinfo is None:
        raise ValueError("ISO 8601 datetime must carry a timezone")
    return parsed.astimezone(UTC)


UnixTime = Annotated[datetime, BeforeValidator(to_utc_datetime)]


class ErrorData(WaModel):
    details: str | None = None


class WaError(WaModel):
    """An error object, as found in `value.errors`, `messages[].errors` and `statuses[].errors`."""

    code: int
    title: str | None = None
    message: str | None = None
    error_data: ErrorData | None = None
    href: str | None = None

    @property
    def details(self) -> str | None:
        """`error_data.details`; some captures put `details` at the top level instead."""
        if self.error_data is not None and self.error_data.details:
            return self.error_data.details
        flat = (self.model_extra or {}).get("details")
        return flat if isinstance(flat, str) else None
