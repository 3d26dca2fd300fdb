"""Matching what a contact typed: trigger keywords, replies to options/lists, question answers.

Everything compares *folded* text (trimmed, accents removed, case-folded, spaces collapsed) so
"¡Hola!", "hola" and "HOLA " are the same word, and matches whole words only, so the keyword
"hola" never fires on "cholado" (the original's substring bug, report §12.2 #16).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from finnegans.flows.safe_regex import regex_search

DEFAULT_KEYWORD = "default"
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_OPT_ID = re.compile(r"opt-(\d+)")
_NUMBER_PICK = re.compile(r"(\d{1,2})\s*[.)]?")
_EDGE_PUNCT = " \t\n\r!¡?¿.,;:…\"'()[]{}*_~-"


def fold(text: str | None) -> str:
    """Trim, drop accents (NFKD + combining marks), case-fold and collapse whitespace."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def _loose(text: str | None) -> str:
    """Folded, without punctuation around it: "Ventas!" and "ventas" compare equal."""
    return fold(text).strip(_EDGE_PUNCT)


def _words(folded: str) -> list[str]:
    return _WORD.findall(folded)


# --- triggers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TriggerSpec:
    node_id: str
    keywords: tuple[str, ...]
    match: str = "word"  # word | exact | regex
    pattern: str | None = None


@dataclass(frozen=True)
class TriggerMatch:
    node_id: str
    score: int  # higher is better: twice the matched length, +1 when it is the whole message
    keyword: str


def keyword_score(keyword: str, mode: str, text: str) -> int | None:
    """Score of one keyword against one message, or None when it does not match."""
    key = _loose(keyword)
    message = _loose(text)
    if not key or not message:
        return None
    whole = 2 * len(key) + 1
    if key == message:
        return whole
    if mode == "exact":
        return None
    key_words = _words(key)
    if not key_words:  # an emoji or punctuation keyword: only the whole message can match it
        return None
    words = _words(message)
    size = len(key_words)
    for start in range(len(words) - size + 1):
        if words[start : start + size] == key_words:
            return 2 * len(key)
    return None


def regex_score(pattern: str, text: str) -> int | None:
    """Regex triggers are case-insensitive and searched, on the text as typed or folded.

    A regex counts as long as its pattern (capped at the message length) when ranking it
    against keywords: the pattern is the closest thing it has to a keyword length.
    """
    for candidate in (text.strip(), fold(text)):
        if candidate and regex_search(pattern, candidate, ignore_case=True):
            return 2 * min(len(candidate), len(pattern))
    return None


def match_triggers(
    triggers: Sequence[TriggerSpec],
    text: str,
    *,
    reply_id: str | None = None,
    reply_title: str | None = None,
) -> TriggerMatch | None:
    """The best trigger for a message; a button/list reply also matches by its id or title.

    The longest matching keyword wins; equal scores go to the first trigger in definition
    order. The reserved keyword `default` never matches here (see `default_trigger`).
    """
    candidates = [c for c in (text, reply_title, reply_id) if c and c.strip()]
    best: TriggerMatch | None = None
    for spec in triggers:
        if spec.match == "regex":
            if not spec.pattern:
                continue
            for candidate in candidates:
                score = regex_score(spec.pattern, candidate)
                if score is not None and (best is None or score > best.score):
                    best = TriggerMatch(spec.node_id, score, spec.pattern)
            continue
        for keyword in spec.keywords:
            if fold(keyword) == DEFAULT_KEYWORD:
                continue
            for candidate in candidates:
                score = keyword_score(keyword, spec.match, candidate)
                if score is not None and (best is None or score > best.score):
                    best = TriggerMatch(spec.node_id, score, keyword)
    return best


def default_trigger(triggers: Sequence[TriggerSpec]) -> str | None:
    """The trigger whose keyword is `default` (the original's fallback), else the first one."""
    for spec in triggers:
        if any(fold(k) == DEFAULT_KEYWORD for k in spec.keywords):
            return spec.node_id
    return triggers[0].node_id if triggers else None


# --- replies to options, lists and choice questions --------------------------------------------


def legacy_option_id(title: str) -> str:
    """The id the original derived from a button title (`toLcUnderscore`)."""
    return _SPACES.sub("_", title.strip().lower()) or "opt"


def match_option(
    titles: Sequence[str],
    text: str,
    *,
    reply_id: str | None = None,
    reply_title: str | None = None,
) -> int | None:
    """Index of the chosen option: by id, then title, then folded typed text, then `1`..`n`."""
    count = len(titles)
    if reply_id and reply_id.strip():
        wanted = reply_id.strip().lower()
        by_index = _OPT_ID.fullmatch(wanted)
        if by_index and int(by_index.group(1)) < count:
            return int(by_index.group(1))
        for index, title in enumerate(titles):
            if wanted == legacy_option_id(title):
                return index
    for candidate in (reply_title, text):
        if candidate is None:
            continue
        for index, title in enumerate(titles):
            if candidate.strip() == title.strip():
                return index
    for candidate in (reply_title, text):
        loose = _loose(candidate)
        if not loose:
            continue
        for index, title in enumerate(titles):
            if _loose(title) == loose:
                return index
    picked = _NUMBER_PICK.fullmatch(text.strip()) if text else None
    if picked and 1 <= int(picked.group(1)) <= count:
        return int(picked.group(1)) - 1
    return None


# --- question answers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    ok: bool
    value: Any = None  # the normalised value to store when ok


_INVALID = Answer(False)
_INT = re.compile(r"[+-]?\d+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_DMY_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})")


def parse_number(text: str) -> int | float | None:
    """ "12" → 12, "-3,5" → -3.5, "1.234,5" → 1234.5, "1,234.5" → 1234.5."""
    value = text.strip().replace(" ", "").replace("\u00a0", "")
    if not value:
        return None
    if _INT.fullmatch(value):
        return int(value)
    sign = ""
    if value[0] in "+-":
        sign, value = value[0], value[1:]
    if not re.fullmatch(r"[\d.,]+", value) or not any(ch.isdigit() for ch in value):
        return None
    last_dot, last_comma = value.rfind("."), value.rfind(",")
    if last_dot >= 0 and last_comma >= 0:  # both: the last one is the decimal separator
        decimal = "." if last_dot > last_comma else ","
        thousands = "," if decimal == "." else "."
        value = value.replace(thousands, "").replace(decimal, ".")
    else:
        sep = "." if last_dot >= 0 else ","
        # Repeated ("1.234.567"): thousands separators; once ("3,5"): the decimal separator.
        value = value.replace(sep, "") if value.count(sep) > 1 else value.replace(sep, ".")
    try:
        number = float(sign + value)
    except ValueError:
        return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return int(number) if number.is_integer() and "." not in value else number


def parse_date(text: str) -> str | None:
    """ISO (2024-03-09) or day-first (9/3/2024, 09-03-24, 9.3.2024) → "2024-03-09"."""
    value = text.strip()
    iso = _ISO_DATE.fullmatch(value)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    else:
        dmy = _DMY_DATE.fullmatch(value)
        if not dmy:
            return None
        day, month, year = (int(g) for g in dmy.groups())
        if len(dmy.group(3)) == 2:  # POSIX convention for two-digit years
            year += 2000 if year < 69 else 1900
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_phone(text: str) -> str | None:
    """Digits with an optional leading + (or 00), 6..15 of them.

    "+54 9 11 1234-5678" → "+5491112345678"; "011 4567-8901" → "01145678901".
    """
    value = re.sub(r"[\s().\-]", "", text.strip())
    international = value.startswith(("+", "00"))
    digits = value.lstrip("+")
    if value.startswith("00"):
        digits = value[2:]
    if not digits.isdigit() or not 6 <= len(digits) <= 15:
        return None
    return f"+{digits}" if international else digits


def validate_answer(
    validation: str,
    text: str,
    *,
    pattern: str | None = None,
    choices: Sequence[str] = (),
    reply_id: str | None = None,
    reply_title: str | None = None,
) -> Answer:
    """Check a reply to a `question` node and return the value to store."""
    value = text.strip()
    if validation == "choice":
        index = match_option(choices, text, reply_id=reply_id, reply_title=reply_title)
        return Answer(True, choices[index]) if index is not None else _INVALID
    if not value:
        return _INVALID
    if validation == "number":
        number = parse_number(value)
        return Answer(True, number) if number is not None else _INVALID
    if validation == "email":
        if not _EMAIL.fullmatch(value):
            return _INVALID
        local, _, domain = value.rpartition("@")
        return Answer(True, f"{local}@{domain.lower()}")
    if validation == "phone":
        phone = parse_phone(value)
        return Answer(True, phone) if phone is not None else _INVALID
    if validation == "date":
        iso = parse_date(value)
        return Answer(True, iso) if iso is not None else _INVALID
    if validation == "regex":
        if not pattern:
            return _INVALID
        return Answer(True, value) if regex_search(pattern, value, full=True) else _INVALID
    return Answer(True, value)
