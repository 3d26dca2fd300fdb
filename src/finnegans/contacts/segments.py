"""Segments: structured rule sets over contacts, compiled into a SQLAlchemy WHERE clause.

A rule set is data (`{"match": "all", "conditions": [...]}`), never SQL or code: each condition
names a field (tag, attribute, last_activity, opted_out), an operator and a value, and groups
nest up to three levels. The contacts list's filters are turned into the same conditions, so a
saved segment and the equivalent filters always select the same contacts.

Attribute values live in a JSON column. Comparisons are typed by the attribute's definition and
guarded by the JSON value's own type (`json_type` on SQLite, `jsonb_typeof` on PostgreSQL), so a
value of the wrong type (a flow that wrote "n/a" into a number) never matches and never makes
PostgreSQL fail a cast.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, ValidationError
from sqlalchemy import Boolean, ColumnElement, and_, case, exists, false, func, literal, or_, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from finnegans.db.models import Contact, ContactTag
from finnegans.db.models import Tag as TagRow
from finnegans.kit.errors import Unprocessable
from finnegans.kit.schemas import InputModel

MAX_DEPTH = 3
MAX_CONDITIONS = 100
AttributeOp = Literal["eq", "neq", "contains", "gt", "gte", "lt", "lte", "is_set", "not_set"]
OPS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "text": ("eq", "neq", "contains", "is_set", "not_set"),
    "number": ("eq", "neq", "gt", "gte", "lt", "lte", "is_set", "not_set"),
    "date": ("eq", "neq", "gt", "gte", "lt", "lte", "is_set", "not_set"),
    "boolean": ("eq", "neq", "is_set", "not_set"),
}


class TagCondition(InputModel):
    field: Literal["tag"]
    op: Literal["has", "not_has"] = "has"
    value: str = Field(min_length=1, max_length=64, description="a tag name")


class AttributeCondition(InputModel):
    field: Literal["attribute"]
    key: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
    op: AttributeOp
    value: str | float | bool | None = Field(
        default=None, description="text, number, YYYY-MM-DD date or boolean, by the type"
    )


class LastActivityCondition(InputModel):
    field: Literal["last_activity"]
    op: Literal["within_days", "older_than_days", "before", "after", "never", "ever"]
    value: int | datetime | None = Field(default=None, description="days, or an ISO time")


class OptedOutCondition(InputModel):
    field: Literal["opted_out"]
    op: Literal["eq"] = "eq"
    value: bool


def _kind(value: Any) -> str:
    found = value.get("field") if isinstance(value, dict) else getattr(value, "field", None)
    return found if isinstance(found, str) else "group"


class RuleSet(InputModel):
    """`all` conditions must hold, or `any` one of them; no conditions selects everyone."""

    match: Literal["all", "any"] = "all"
    conditions: list[Condition] = Field(default_factory=list, max_length=MAX_CONDITIONS)


Condition = Annotated[
    Annotated[TagCondition, Tag("tag")]
    | Annotated[AttributeCondition, Tag("attribute")]
    | Annotated[LastActivityCondition, Tag("last_activity")]
    | Annotated[OptedOutCondition, Tag("opted_out")]
    | Annotated[RuleSet, Tag("group")],
    Discriminator(_kind),
]


RuleSet.model_rebuild()


# --- validation -------------------------------------------------------------------------------


def _where(loc: tuple[Any, ...]) -> str:
    path = "rules"
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part not in ("tag", "attribute", "last_activity", "opted_out", "group"):
            path += f".{part}"
    return path


def parse_rules(raw: Any, types: dict[str, str]) -> RuleSet:
    """A rule set from JSON, or a 422 that names the first bad condition and why."""
    try:
        rules = RuleSet.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = _where(tuple(first.get("loc", ())))
        reason = str(first.get("msg", "invalid")).removeprefix("Value error, ")
        raise Unprocessable(f"{where}: {reason}", fields={where: reason}) from exc
    check_rules(rules, types)
    return rules


def _bad(where: str, reason: str) -> Unprocessable:
    return Unprocessable(f"{where}: {reason}", fields={where: reason})


def check_rules(
    rules: RuleSet, types: dict[str, str], where: str = "rules", depth: int = 1
) -> None:
    """Operators and values that fit each attribute's type; nesting and size within limits."""
    if depth > MAX_DEPTH:
        raise _bad(where, f"groups nest at most {MAX_DEPTH} levels")
    for index, condition in enumerate(rules.conditions):
        at = f"{where}.conditions[{index}]"
        if isinstance(condition, RuleSet):
            check_rules(condition, types, at, depth + 1)
        elif isinstance(condition, AttributeCondition):
            condition.value = attribute_operand(condition, types.get(condition.key, "text"), at)
        elif isinstance(condition, LastActivityCondition):
            _check_activity(condition, at)
    if depth == 1 and _count(rules) > MAX_CONDITIONS:
        raise _bad(where, f"at most {MAX_CONDITIONS} conditions in all")


def _count(rules: RuleSet) -> int:
    return sum(_count(c) if isinstance(c, RuleSet) else 1 for c in rules.conditions)


def attribute_operand(condition: AttributeCondition, type_: str, at: str) -> Any:
    """The condition's value checked and normalised for the attribute's type."""
    key, op, value = condition.key, condition.op, condition.value
    if op not in OPS_BY_TYPE[type_]:
        allowed = ", ".join(OPS_BY_TYPE[type_])
        raise _bad(f"{at}.op", f"{op!r} does not apply to {type_} attribute {key!r} ({allowed})")
    if op in ("is_set", "not_set"):
        return None
    if value is None:
        raise _bad(f"{at}.value", f"{op!r} on attribute {key!r} needs a value")
    if type_ == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _bad(f"{at}.value", f"attribute {key!r} is a number: compare it to a number")
        if not math.isfinite(value) or abs(value) > 1e15:
            raise _bad(f"{at}.value", f"attribute {key!r}: the number is out of range")
        return float(value)
    if type_ == "boolean":
        if not isinstance(value, bool):
            raise _bad(f"{at}.value", f"attribute {key!r} is a boolean: use true or false")
        return value
    if type_ == "date":
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise _bad(f"{at}.value", f"attribute {key!r} is a date: use YYYY-MM-DD") from None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _bad(f"{at}.value", f"attribute {key!r} is text: compare it to text")
    return str(value) if not isinstance(value, str) else value


def _check_activity(condition: LastActivityCondition, at: str) -> None:
    op, value = condition.op, condition.value
    if op in ("within_days", "older_than_days"):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 36_500:
            raise _bad(f"{at}.value", f"{op!r} needs a whole number of days (1 to 36500)")
    elif op in ("before", "after"):
        if not isinstance(value, datetime):
            raise _bad(f"{at}.value", f"{op!r} needs an ISO date-time")
        if value.tzinfo is None:  # a time without a zone is UTC, as everywhere in the API
            condition.value = value.replace(tzinfo=UTC)


# --- compilation ------------------------------------------------------------------------------


class _JsonKind(FunctionElement[bool]):
    """Whether a JSON object's member holds a value of one JSON type (number/string/boolean).

    The arguments are the column, the key (PostgreSQL) and its JSON path (SQLite); each dialect
    reads the one it needs, so the cache key covers both.
    """

    type = Boolean()
    inherit_cache = True
    kind = ""


class _IsNumber(_JsonKind):
    name = "json_is_number"
    inherit_cache = True
    kind = "number"


class _IsString(_JsonKind):
    name = "json_is_string"
    inherit_cache = True
    kind = "string"


class _IsBoolean(_JsonKind):
    name = "json_is_boolean"
    inherit_cache = True
    kind = "boolean"


_SQLITE_TYPES = {
    "number": "('integer', 'real')",
    "string": "('text')",
    "boolean": "('true', 'false')",
}


@compiles(_JsonKind, "postgresql")
def _pg_kind(element: _JsonKind, compiler: SQLCompiler, **kw: Any) -> str:
    column, key, _ = list(element.clauses)
    return (
        f"(jsonb_typeof({compiler.process(column, **kw)} -> CAST({compiler.process(key, **kw)} "
        f"AS TEXT)) = '{element.kind}')"
    )


@compiles(_JsonKind, "sqlite")
def _sqlite_kind(element: _JsonKind, compiler: SQLCompiler, **kw: Any) -> str:
    column, _, path = list(element.clauses)
    return (
        f"(json_type({compiler.process(column, **kw)}, {compiler.process(path, **kw)}) "
        f"IN {_SQLITE_TYPES[element.kind]})"
    )


def _json_is(kind: type[_JsonKind], key: str) -> ColumnElement[bool]:
    return kind(Contact.attributes, literal(key), literal(f'$."{key}"'))


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def _attribute_clause(c: AttributeCondition, type_: str) -> ColumnElement[bool]:
    if c.op not in OPS_BY_TYPE[type_]:
        # The definition changed type after the segment was saved: match nothing, never fail.
        return false()
    member = Contact.attributes[c.key]
    value: Any
    if type_ == "number":
        value = case((_json_is(_IsNumber, c.key), member.as_float()), else_=None)
    elif type_ == "boolean":
        value = case((_json_is(_IsBoolean, c.key), member.as_boolean()), else_=None)
    elif type_ == "date":
        text = member.as_string()
        value = case((and_(_json_is(_IsString, c.key), func.length(text) == 10), text), else_=None)
    else:
        value = func.lower(member.as_string())
    if c.op == "is_set":
        return and_(value.is_not(None), value != "") if type_ == "text" else value.is_not(None)
    if c.op == "not_set":
        return or_(value.is_(None), value == "") if type_ == "text" else value.is_(None)
    operand = c.value.lower() if isinstance(c.value, str) and type_ == "text" else c.value
    if type_ == "number" and operand is not None:
        operand = float(operand)
    if type_ == "date" and operand is not None:
        operand = date.fromisoformat(str(operand)).isoformat()
    compare: dict[str, Any] = {
        "eq": lambda: value == operand,
        "neq": lambda: or_(value.is_(None), value != operand),
        "gt": lambda: value > operand,
        "gte": lambda: value >= operand,
        "lt": lambda: value < operand,
        "lte": lambda: value <= operand,
        "contains": lambda: value.like(_like(str(operand)), escape="\\"),
    }
    clause: ColumnElement[bool] = compare[c.op]()
    return clause


def _activity_clause(c: LastActivityCondition, now: datetime) -> ColumnElement[bool]:
    at: ColumnElement[datetime | None] = Contact.last_inbound_at  # type: ignore[assignment]
    if c.op == "never":
        return at.is_(None)
    if c.op == "ever":
        return at.is_not(None)
    if c.op in ("within_days", "older_than_days"):
        days = c.value if isinstance(c.value, int) else 0
        cutoff = now - timedelta(days=days)
        return at >= cutoff if c.op == "within_days" else at < cutoff
    moment = c.value if isinstance(c.value, datetime) else now
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return at < moment if c.op == "before" else at > moment


def has_tag(workspace_id: str, name: str) -> ColumnElement[bool]:
    return exists().where(
        ContactTag.contact_id == Contact.id,
        ContactTag.tag_id == TagRow.id,
        TagRow.workspace_id == workspace_id,
        TagRow.name == name,
    )


def compile_rules(
    rules: RuleSet, types: dict[str, str], workspace_id: str, now: datetime
) -> ColumnElement[bool]:
    """The WHERE clause selecting the contacts a rule set describes (within one workspace)."""
    parts: list[ColumnElement[bool]] = []
    for c in rules.conditions:
        if isinstance(c, RuleSet):
            parts.append(compile_rules(c, types, workspace_id, now))
        elif isinstance(c, TagCondition):
            found = has_tag(workspace_id, c.value)
            parts.append(found if c.op == "has" else ~found)
        elif isinstance(c, AttributeCondition):
            parts.append(_attribute_clause(c, types.get(c.key, "text")))
        elif isinstance(c, LastActivityCondition):
            parts.append(_activity_clause(c, now))
        else:
            parts.append(Contact.opted_out == c.value)
    if not parts:
        return true()
    return and_(*parts) if rules.match == "all" else or_(*parts)


def attribute_filter(text: str, types: dict[str, str], index: int) -> AttributeCondition:
    """`key:op:value` from the list's `attr` query parameter (`age:gte:18`, `vip:eq:true`)."""
    where = f"attr[{index}]"
    key, _, rest = text.partition(":")
    op, _, raw = rest.partition(":")
    type_ = types.get(key, "text")
    value: Any = raw
    if type_ == "number" and raw:
        try:
            value = float(raw)
        except ValueError:
            raise _bad(where, f"attribute {key!r} is a number: {raw!r} is not") from None
    elif type_ == "boolean" and raw:
        lowered = raw.lower()
        if lowered not in ("true", "false"):
            raise _bad(where, f"attribute {key!r} is a boolean: use true or false")
        value = lowered == "true"
    try:
        condition = AttributeCondition.model_validate(
            {"field": "attribute", "key": key, "op": op, "value": value if raw else None}
        )
    except ValidationError:
        raise _bad(where, "write it as key:op:value, e.g. age:gte:18 or city:eq:Rosario") from None
    condition.value = attribute_operand(condition, type_, where)
    return condition
