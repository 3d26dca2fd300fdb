"""Which CSV column is which contact field: the suggestion shown after upload, and its checks.

A mapping has one target per column, in column order: `phone`, `name`, `tags`, `opted_out`,
`notes`, `attribute:<key>` or `ignore`. Headers are recognised in English and Spanish
(teléfono, celular, nombre, etiquetas ...), case, accents and punctuation ignored; the
export's own headers map back to themselves, so an export re-imports with the suggestion as is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from finnegans.flows.matching import fold
from finnegans.kit.errors import BadRequest

FIELDS = ("phone", "name", "tags", "opted_out", "notes")
ATTRIBUTE_PREFIX = "attribute:"
IGNORE = "ignore"

_ALIASES: dict[str, frozenset[str]] = {
    "phone": frozenset({
        "phone", "phonenumber", "phoneno", "telephone", "tel", "telefono", "numerodetelefono",
        "nrodetelefono", "telefonomovil", "telefonocelular", "celular", "cel", "movil", "mobile",
        "mobilephone", "mobilenumber", "cellphone", "cell", "whatsapp", "numerodewhatsapp",
        "whatsappnumber", "numero", "number", "msisdn", "e164",
    }),
    "name": frozenset({
        "name", "nombre", "fullname", "nombrecompleto", "nombreyapellido", "contact",
        "contacto", "contactname", "nombredecontacto", "cliente", "customer", "customername",
        "displayname", "profilename",
    }),
    "tags": frozenset({"tags", "tag", "etiquetas", "etiqueta", "labels", "label"}),
    "opted_out": frozenset({
        "optedout", "optout", "unsubscribed", "dadodebaja", "baja", "desuscrito", "noenviar",
    }),
    "notes": frozenset({
        "notes", "notas", "note", "nota", "comments", "comentarios", "comentario",
        "observaciones",
    }),
}  # fmt: skip
# Columns the export writes that an import must not write back (derived or read-only).
_READ_ONLY = frozenset({
    "waid", "whatsappid", "id", "createdat", "updatedat", "lastactivity", "lastactivityat",
    "creado", "actualizado",
})  # fmt: skip
_LOOKS_LIKE_PHONE = re.compile(r"^\+?[\d\s().\-]{7,24}$")


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", fold(header))


def _attribute_of(header: str, definitions: Mapping[str, str]) -> str | None:
    """The attribute a header names: "attribute:age", or an attribute's key or label."""
    text = header.strip()
    if text.casefold().startswith(ATTRIBUTE_PREFIX):
        key = text[len(ATTRIBUTE_PREFIX) :].strip()
        return key if key in definitions else None
    folded = _key(text)
    for key, label in definitions.items():
        if folded and folded in (_key(key), _key(label)):
            return key
    return None


def _phone_like(values: Sequence[str]) -> bool:
    filled = [v.strip() for v in values if v.strip()]
    if not filled:
        return False
    good = [v for v in filled if _LOOKS_LIKE_PHONE.match(v) and sum(c.isdigit() for c in v) >= 7]
    return len(good) / len(filled) >= 0.6


def suggest_mapping(
    headers: Sequence[str], samples: Sequence[Sequence[str]], definitions: Mapping[str, str]
) -> list[str]:
    """A target per column; `definitions` is attribute key → label."""
    mapping = [IGNORE] * len(headers)
    taken: set[str] = set()
    for i, header in enumerate(headers):
        key = _attribute_of(header, definitions)
        if key is not None and f"{ATTRIBUTE_PREFIX}{key}" not in taken:
            mapping[i] = f"{ATTRIBUTE_PREFIX}{key}"
            taken.add(mapping[i])
            continue
        folded = _key(header)
        if folded in _READ_ONLY:
            continue
        for target, aliases in _ALIASES.items():
            if folded in aliases and target not in taken:
                mapping[i] = target
                taken.add(target)
                break
    if "phone" not in taken:
        # No header says "phone": take the first free column whose samples look like numbers.
        for i in range(len(headers)):
            column = [row[i] for row in samples if i < len(row)]
            if mapping[i] == IGNORE and _key(headers[i]) not in _READ_ONLY and _phone_like(column):
                mapping[i] = "phone"
                break
    return mapping


@dataclass(frozen=True)
class Plan:
    """A checked mapping, as column indexes."""

    phone: int
    name: int | None
    notes: int | None
    opted_out: int | None
    tags: tuple[int, ...]
    attributes: tuple[tuple[int, str, str], ...]  # (column, key, type)


def _bad(field: str, message: str) -> BadRequest:
    return BadRequest(f"{field}: {message}", fields={field: message})


def as_targets(mapping: Sequence[str] | Mapping[str, str], headers: Sequence[str]) -> list[str]:
    """The mapping in its list form (one target per column), from a list or {header: target}."""
    if isinstance(mapping, Mapping):
        duplicated = sorted({h for h in headers if headers.count(h) > 1})
        if duplicated:
            raise _bad("mapping", f"the file has repeated headers ({', '.join(duplicated)}): "
                       "give the mapping as a list, one target per column")  # fmt: skip
        unknown = [h for h in mapping if h not in headers]
        if unknown:
            raise _bad("mapping", f"{unknown[0]!r} is not a column of this file "
                       f"(columns: {', '.join(headers)})")  # fmt: skip
        return [mapping.get(h, IGNORE) for h in headers]
    if len(mapping) != len(headers):
        raise _bad("mapping", f"the file has {len(headers)} columns: give one target per "
                   f"column (got {len(mapping)})")  # fmt: skip
    return [str(t) for t in mapping]


def check_mapping(
    targets: Sequence[str], headers: Sequence[str], types: Mapping[str, str]
) -> tuple[Plan, list[str]]:
    """The plan for a mapping, and the attribute keys it names that have no definition yet.

    `types` is attribute key → type of the workspace's definitions. A 400 names the column.
    """
    phone: list[int] = []
    singles: dict[str, int] = {}
    tags: list[int] = []
    attributes: list[tuple[int, str, str]] = []
    missing: list[str] = []
    for i, raw in enumerate(targets):
        target = raw.strip()
        where = f"mapping[{i}]"
        label = f"column {i + 1} ({headers[i]!r})" if i < len(headers) else f"column {i + 1}"
        if target == IGNORE:
            continue
        if target == "phone":
            phone.append(i)
        elif target == "tags":
            tags.append(i)
        elif target in FIELDS:
            if target in singles:
                raise _bad(where, f"{label} and column {singles[target] + 1} are both {target}")
            singles[target] = i
        elif target.startswith(ATTRIBUTE_PREFIX):
            key = target[len(ATTRIBUTE_PREFIX) :]
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,63}", key):
                raise _bad(where, f"{key!r} is not an attribute key (letters, digits and _)")
            if any(key == k for _, k, _ in attributes):
                raise _bad(where, f"{label}: attribute {key!r} is mapped twice")
            if key not in types:
                missing.append(key)
            attributes.append((i, key, types.get(key, "text")))
        else:
            raise _bad(where, f"{target!r} is not a target: use phone, name, tags, opted_out, "
                       "notes, attribute:<key> or ignore")  # fmt: skip
    if not phone:
        raise _bad("mapping", "no column is mapped to phone: every contact needs a phone number")
    if len(phone) > 1:
        columns = " and ".join(str(i + 1) for i in phone)
        raise _bad("mapping", f"columns {columns} are all mapped to phone: choose one")
    plan = Plan(
        phone=phone[0], name=singles.get("name"), notes=singles.get("notes"),
        opted_out=singles.get("opted_out"), tags=tuple(tags), attributes=tuple(attributes),
    )  # fmt: skip
    return plan, missing
