"""The contacts list's filters and sort orders, as SQLAlchemy clauses.

Filters become segment conditions where they overlap (tags, attributes, last activity, opt-out),
so `GET /api/contacts?tag=vip&attr=age:gte:18` and a segment with the same rules select the same
contacts. Sorting is keyset-paged on (sort value, id).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, func, literal, or_

from finnegans.contacts.segments import (
    AttributeCondition,
    LastActivityCondition,
    OptedOutCondition,
    RuleSet,
    TagCondition,
    compile_rules,
)
from finnegans.db.base import UTCDateTime
from finnegans.db.models import Contact
from finnegans.kit.cursors import decode_cursor, encode_cursor
from finnegans.kit.errors import BadRequest

SortKey = Literal["updated", "created", "last_activity", "name"]
SortOrder = Literal["asc", "desc"]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class ContactFilters:
    q: str | None = None
    tags: list[str] = field(default_factory=list)
    opted_out: bool | None = None
    attributes: list[AttributeCondition] = field(default_factory=list)
    last_activity_after: datetime | None = None
    last_activity_before: datetime | None = None
    segment: RuleSet | None = None  # a saved segment's rules, or rules given inline


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search(q: str) -> ColumnElement[bool]:
    pattern = _like(q)
    found = [
        Contact.name.ilike(pattern, escape="\\"),
        Contact.phone.ilike(pattern, escape="\\"),
        Contact.wa_id.ilike(pattern, escape="\\"),
    ]
    digits = "".join(ch for ch in q if ch.isdigit())
    # "+54 11 2233-4455" finds the contact whose wa_id is 541122334455.
    if len(digits) >= 3 and digits != q and not any(ch.isalpha() for ch in q):
        found.append(Contact.wa_id.like(_like(digits), escape="\\"))
    return or_(*found)


def filter_clause(
    workspace_id: str, filters: ContactFilters, types: dict[str, str], now: datetime
) -> ColumnElement[bool]:
    """Every given filter must hold; the workspace scope always does."""
    conditions: list[Any] = [TagCondition(field="tag", value=name) for name in filters.tags]
    conditions += filters.attributes
    if filters.opted_out is not None:
        conditions.append(OptedOutCondition(field="opted_out", value=filters.opted_out))
    if filters.last_activity_after is not None:
        conditions.append(
            LastActivityCondition(
                field="last_activity", op="after", value=filters.last_activity_after
            )
        )
    if filters.last_activity_before is not None:
        conditions.append(
            LastActivityCondition(
                field="last_activity", op="before", value=filters.last_activity_before
            )
        )
    if filters.segment is not None:
        conditions.append(filters.segment)
    clauses = [
        Contact.workspace_id == workspace_id,
        compile_rules(RuleSet(match="all", conditions=conditions), types, workspace_id, now),
    ]
    if filters.q and filters.q.strip():
        clauses.append(_search(filters.q.strip()))
    return and_(*clauses)


def sort_expression(sort: SortKey) -> Any:
    if sort == "updated":
        return Contact.updated_at
    if sort == "created":
        return Contact.created_at
    if sort == "last_activity":
        # Never-active contacts sort as the oldest activity (keyset needs a non-null key).
        return func.coalesce(Contact.last_inbound_at, literal(_EPOCH, UTCDateTime()))
    return func.lower(func.coalesce(Contact.name, Contact.phone, ""))


def next_cursor(sort: SortKey, order: SortOrder, key: Any, contact_id: str) -> str:
    """The cursor after a row, from the sort value the database computed for it (so that, say,
    SQLite's ASCII-only lower() and Python's never disagree about where the page ended)."""
    value = key.isoformat() if isinstance(key, datetime) else str(key or "")
    return encode_cursor(sort, order, value, contact_id)


def after_cursor(cursor: str, sort: SortKey, order: SortOrder) -> ColumnElement[bool]:
    """Rows after the cursor's row in this sort order."""
    cursor_sort, cursor_order, raw, row_id = decode_cursor(cursor, 4)
    if (cursor_sort, cursor_order) != (sort, order):
        raise BadRequest(
            "cursor: it belongs to another sort order; start again without a cursor",
            fields={"cursor": "sort changed"},
        )
    value: Any = raw
    if sort != "name":
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            raise BadRequest("cursor: not a cursor this API returned",
                             fields={"cursor": "invalid"}) from None  # fmt: skip
        if value.tzinfo is None:
            raise BadRequest("cursor: not a cursor this API returned", fields={"cursor": "invalid"})
    expr = sort_expression(sort)
    if order == "desc":
        return or_(expr < value, and_(expr == value, Contact.id < row_id))
    return or_(expr > value, and_(expr == value, Contact.id > row_id))


def order_by(sort: SortKey, order: SortOrder) -> tuple[Any, Any]:
    expr = sort_expression(sort)
    if order == "desc":
        return expr.desc(), Contact.id.desc()
    return expr.asc(), Contact.id.asc()
