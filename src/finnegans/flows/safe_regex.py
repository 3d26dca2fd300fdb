"""Regular expressions written by flow authors, run without the risk of catastrophic backtracking.

Patterns come from tenants and are matched against text from anyone on WhatsApp, so Python's
backtracking `re` could be made to spin for minutes on one message (ReDoS). CEL's `matches()`
runs RE2-style regexes in linear time, so every author pattern goes through it. The syntax is
RE2's: everything common (classes, anchors, `\\d`, `\\w`, `(?i)`, non-capturing groups) but no
look-around or back-references; `regex_error` reports those at save time.
"""

from __future__ import annotations

from functools import lru_cache

import cel

MAX_PATTERN = 500
_MATCHES = cel.compile("text.matches(pattern)")


@lru_cache(maxsize=1024)
def _wrapped(pattern: str, ignore_case: bool, full: bool) -> str:
    if full:
        pattern = f"^(?:{pattern})$"
    if ignore_case:
        pattern = f"(?i){pattern}"
    return pattern


def regex_search(pattern: str, text: str, *, ignore_case: bool = False, full: bool = False) -> bool:
    """Whether `pattern` is found in `text` (`full`: matches all of it). Invalid → False."""
    if not pattern or len(pattern) > MAX_PATTERN:
        return False
    try:
        result = _MATCHES.execute({"text": text, "pattern": _wrapped(pattern, ignore_case, full)})
    except Exception:
        return False
    return result is True


def regex_error(pattern: str) -> str | None:
    """Why `pattern` cannot be used, or None when it is fine."""
    if not pattern:
        return "is required"
    if len(pattern) > MAX_PATTERN:
        return f"at most {MAX_PATTERN} characters (got {len(pattern)})"
    try:
        _MATCHES.execute({"text": "", "pattern": pattern})
    except Exception as exc:
        detail = str(exc).split("\n")
        reason = next((line for line in reversed(detail) if line.startswith("error:")), "")
        reason = reason.removeprefix("error:").split(". Check function")[0].strip()
        return f"not a valid regular expression ({reason or 'syntax error'})"
    return None
