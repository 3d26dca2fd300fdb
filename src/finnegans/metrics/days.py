"""Local-day bucketing that works on SQLite and PostgreSQL, and the period a request covers.

Timestamps are stored as naive UTC. PostgreSQL converts them with AT TIME ZONE (named zones,
DST included). SQLite has no time zone database: rows group by their UTC hour and each hour
maps to its local day in Python (whole-hour zones, DST included), or, for zones with a
half-hour offset, the period is cut into the spans where the zone's UTC offset is constant and
each span shifts by its own offset: a CASE with a few branches, evaluated inside the GROUP BY.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, case, func, literal_column


def workspace_zone(name: str | None) -> ZoneInfo:
    """The workspace's zone, or UTC when it has none or an unknown one."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass(frozen=True)
class Period:
    """The last `days` local days, today included: [start, end) in UTC."""

    zone: ZoneInfo
    first_day: date
    days: int

    @classmethod
    def ending_today(cls, zone: ZoneInfo, days: int, now: datetime) -> Period:
        today = now.astimezone(zone).date()
        return cls(zone=zone, first_day=today - timedelta(days=days - 1), days=days)

    def day_list(self) -> list[date]:
        return [self.first_day + timedelta(days=i) for i in range(self.days)]

    def midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.zone).astimezone(UTC)

    @property
    def start(self) -> datetime:
        return self.midnight(self.first_day)

    @property
    def end(self) -> datetime:
        return self.midnight(self.first_day + timedelta(days=self.days))


def _offset_spans(period: Period) -> list[tuple[datetime, timedelta]]:
    """(span start in UTC, UTC offset) for each stretch of the period with a constant offset."""
    spans = [(period.start, _utcoffset(period.zone, period.start))]
    previous = period.start
    for i in range(1, period.days + 1):
        at = period.midnight(period.first_day + timedelta(days=i))
        if _utcoffset(period.zone, at) != spans[-1][1]:
            # The offset changed during the previous day: find the hour it did.
            hour = previous
            while _utcoffset(period.zone, hour) == spans[-1][1]:
                hour += timedelta(hours=1)
            spans.append((hour, _utcoffset(period.zone, hour)))
        previous = at
    return spans


def _utcoffset(zone: tzinfo, at: datetime) -> timedelta:
    return at.astimezone(zone).utcoffset() or timedelta(0)


def _sqlite_shift(column: Any, offset: timedelta) -> ColumnElement[Any]:
    minutes = int(offset.total_seconds() // 60)
    return func.date(column, f"{minutes:+d} minutes")


def day_bucket(
    column: Any, dialect: str, period: Period
) -> tuple[ColumnElement[Any], Callable[[Any], date]]:
    """A SQL expression to GROUP BY, and how to turn each of its values into a local day.

    PostgreSQL groups by the local date itself. On SQLite, when every UTC offset of the period
    is a whole number of hours (nearly every zone), rows group by their UTC hour, a cheap
    prefix of the stored text, and each of the few hundred hours maps to its local day here;
    other zones (India's +05:30...) shift each span by its own offset in SQL.
    """
    if dialect == "postgresql":
        # Literals, not bound parameters: the same expression appears in SELECT and GROUP BY.
        utc: ColumnElement[str] = literal_column("'UTC'")
        local: ColumnElement[str] = literal_column("'" + period.zone.key.replace("'", "") + "'")
        return func.date(func.timezone(local, func.timezone(utc, column))), as_date
    spans = _offset_spans(period)
    if all(offset.total_seconds() % 3600 == 0 for _, offset in spans):
        zone = period.zone

        def hour_to_day(value: Any) -> date:
            return datetime.fromisoformat(f"{value}:00").replace(tzinfo=UTC).astimezone(zone).date()

        return func.substr(column, 1, 13), hour_to_day
    if len(spans) == 1:
        return _sqlite_shift(column, spans[0][1]), as_date
    # Each span ends where the next begins.
    whens = [(column < spans[i + 1][0], _sqlite_shift(column, offset))
             for i, (_, offset) in enumerate(spans[:-1])]  # fmt: skip
    return case(*whens, else_=_sqlite_shift(column, spans[-1][1])), as_date


def as_date(value: Any) -> date:
    """SQLite answers 'YYYY-MM-DD', PostgreSQL a date."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))
