"""The period a request covers, and local days of message roll-up slots on any database.

Messages are counted in 15-minute UTC slots (`message_rollups`). Every UTC offset in use is a
multiple of 15 minutes, so a slot lies within one local day in any zone; the period is cut into
the spans where the zone's offset is constant (DST changes) and each span shifts its slots by
its own offset.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, case, literal_column

from finnegans.db.models.metrics import SLOT_SECONDS

SLOT = timedelta(seconds=SLOT_SECONDS)


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
            # The offset changed during the previous day: find the slot it did.
            moment = previous
            while _utcoffset(period.zone, moment) == spans[-1][1]:
                moment += SLOT
            spans.append((moment, _utcoffset(period.zone, moment)))
        previous = at
    return spans


def _utcoffset(zone: tzinfo, at: datetime) -> timedelta:
    return at.astimezone(zone).utcoffset() or timedelta(0)


def epoch_seconds(at: datetime) -> int:
    return int(at.timestamp())


def slot_day(slot_start: Any, period: Period) -> tuple[ColumnElement[Any], Callable[[Any], date]]:
    """A SQL expression giving the local day number of a roll-up slot, and how to read it.

    A slot (Unix seconds, UTC) shifted by the zone's UTC offset and divided by 86,400 is the
    local day counted from 1970-01-01: integer arithmetic, the same SQL on SQLite and
    PostgreSQL, no time zone database needed in SQL. When the offset changes during the
    period (DST), each span shifts by its own offset: a CASE with one branch per change.
    """
    spans = _offset_spans(period)

    def shifted(offset: timedelta) -> ColumnElement[Any]:
        # Literals, not bound parameters: the same expression appears in SELECT and GROUP BY.
        seconds: ColumnElement[int] = literal_column(str(int(offset.total_seconds())))
        # `/` of two integers truncates on both databases (slots are positive: floor).
        # SQLAlchemy's own `/` and `//` would cast to NUMERIC or call FLOOR().
        return (slot_start + seconds).self_group().op("/")(literal_column("86400"))  # type: ignore[no-any-return]

    if len(spans) == 1:
        expression = shifted(spans[0][1])
    else:
        # Each span ends where the next begins.
        whens = [(slot_start < literal_column(str(epoch_seconds(spans[i + 1][0]))), shifted(off))
                 for i, (_, off) in enumerate(spans[:-1])]  # fmt: skip
        expression = case(*whens, else_=shifted(spans[-1][1]))
    return expression, _day_number_to_date


_EPOCH_DAY = date(1970, 1, 1)


def _day_number_to_date(value: Any) -> date:
    return _EPOCH_DAY + timedelta(days=int(value))
