"""Conditions: CEL expressions, the original's JavaScript translated to CEL, structured rules.

The original ran condition text as JavaScript on the server (`new Function`), which let any
flow author execute code (report §12.2/§12.1). Here nothing is ever executed as code: CEL
(https://cel.dev) is a side-effect-free expression language evaluated by the
`common-expression-language` library (a Rust implementation), and the original JavaScript is
*translated* token by token from a small whitelist of idioms (docs/flows.md §5). Anything
outside that whitelist is refused with a message, never run. No Python `eval` anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import cel
from cel import stdlib

from finnegans.flows.engine_types import ContactView
from finnegans.flows.matching import fold
from finnegans.flows.nodes import RuleData, RulesData
from finnegans.flows.safe_regex import regex_search
from finnegans.flows.templating import render

MAX_EXPRESSION = 500
# Comprehensions nested deeper than this could multiply list sizes into minutes of work.
MAX_MACRO_NESTING = 2


class ExpressionError(ValueError):
    """A condition that cannot be used: bad CEL, or JavaScript that cannot be translated."""


# --- JavaScript → CEL ----------------------------------------------------------------------------

_JS_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<string>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
  | (?P<op>===|!==|==|!=|<=|>=|&&|\|\||\?\.|\+\+|--|=>|[-+*/%<>!?:().,\[\]=;{}`])
    """,
    re.VERBOSE,
)
_JS_METHODS = {
    "includes": "contains",
    "toLowerCase": "lowerAscii",
    "toUpperCase": "upperAscii",
    "trim": "trim",
    "startsWith": "startsWith",
    "endsWith": "endsWith",
}
_JS_REFUSED_OPS = {
    ";": "`;` is not allowed: a condition is a single expression",
    "{": "`{` is not allowed: no blocks or object literals",
    "}": "`}` is not allowed: no blocks or object literals",
    "=": "assignments are not allowed",
    "=>": "functions are not allowed",
    "++": "`++` is not allowed",
    "--": "`--` is not allowed",
    "`": "template strings are not supported",
}
_JS_REFUSED_NAMES = frozenset(
    {
        "function", "new", "this", "var", "let", "const", "return", "class", "delete",
        "typeof", "instanceof", "void", "async", "await", "yield", "import", "require",
        "process", "global", "globalThis", "window", "document", "eval", "constructor",
        "prototype", "__proto__", "Function", "Reflect", "Proxy", "Object", "module",
        "exports", "NaN", "Infinity", "if", "else", "for", "while", "do", "switch", "throw",
        "try", "catch", "with",
    }
)  # fmt: skip


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    space: str  # whitespace before the token, kept in the output


def _js_tokens(expr: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    position, space = 0, ""
    while position < len(expr):
        match = _JS_TOKEN.match(expr, position)
        if match is None:
            raise ExpressionError(f"unexpected character {expr[position]!r} at {position + 1}")
        kind = match.lastgroup or ""
        if kind == "space":
            space += match.group()
        else:
            tokens.append(_Tok(kind, match.group(), space))
            space = ""
        position = match.end()
    return tokens


def translate_js(expr: str) -> str:
    """The original builder's JavaScript condition as CEL; `ExpressionError` if impossible."""
    if not expr or not expr.strip():
        raise ExpressionError("is empty")
    if len(expr) > MAX_EXPRESSION:
        raise ExpressionError(f"at most {MAX_EXPRESSION} characters (got {len(expr)})")
    tokens = _js_tokens(expr.strip())
    out: list[str] = []
    i = 0

    def text_at(index: int) -> str:
        return tokens[index].text if index < len(tokens) else ""

    while i < len(tokens):
        tok = tokens[i]
        if tok.kind == "op" and tok.text in _JS_REFUSED_OPS:
            raise ExpressionError(_JS_REFUSED_OPS[tok.text])
        if tok.kind == "op" and tok.text in (".", "?."):
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if nxt is None or nxt.kind != "name":
                if tok.text == "?." and text_at(i + 1) in ("(", "["):
                    i += 1  # `a?.[0]`, `f?.()`: the optional part is dropped
                    continue
                raise ExpressionError("`.` must be followed by a property name")
            i = _translate_member(tokens, i, out)
            continue
        if tok.kind == "op":
            if tok.text == "(" and i > 0 and text_at(i - 1) in (")", "]"):
                raise ExpressionError("calling the result of an expression is not supported")
            out.append(tok.space + {"===": "==", "!==": "!="}.get(tok.text, tok.text))
            i += 1
            continue
        if tok.kind == "name":
            i = _translate_name(tokens, i, out)
            continue
        out.append(tok.space + tok.text)
        i += 1
    translated = "".join(out).strip()
    try:
        compile_condition(translated)
    except ExpressionError as exc:
        raise ExpressionError(f"cannot be translated to CEL ({exc})") from None
    return translated


def _translate_name(tokens: list[_Tok], i: int, out: list[str]) -> int:
    tok = tokens[i]
    name = tok.text
    if name in _JS_REFUSED_NAMES:
        raise ExpressionError(f"`{name}` is not allowed")
    if "$" in name:
        raise ExpressionError(f"`{name}`: `$` is not allowed in names")
    nxt = tokens[i + 1].text if i + 1 < len(tokens) else ""
    if nxt == "(":
        raise ExpressionError(f"calling `{name}(...)` is not supported")
    if name == "context" and nxt in (".", "?.") and i + 2 < len(tokens):
        after = tokens[i + 2]
        if after.kind == "name":
            # `context.x` → `x`: the original's variables are CEL's top-level names.
            tokens[i + 2] = _Tok(after.kind, after.text, tok.space)
            return i + 2
    if name == "context" and nxt == "[" and i + 3 < len(tokens):
        key, close = tokens[i + 2], tokens[i + 3]
        if key.kind == "string" and close.text == "]" and key.text[1:-1].isidentifier():
            out.append(tok.space + key.text[1:-1])
            return i + 4
    out.append(tok.space + ("null" if name == "undefined" else name))
    return i + 1


def _translate_member(tokens: list[_Tok], i: int, out: list[str]) -> int:
    """`.name`, `?.name`, `.method(`, `?.method?.(`, `.length` starting at tokens[i]."""
    dot, member = tokens[i], tokens[i + 1]
    name = member.text
    if name in _JS_REFUSED_NAMES:
        raise ExpressionError(f"`.{name}` is not allowed")
    j = i + 2
    if j + 1 < len(tokens) and tokens[j].text == "?." and tokens[j + 1].text == "(":
        j += 1  # `toLowerCase?.()`: the optional call is just a call
    is_call = j < len(tokens) and tokens[j].text == "("
    if is_call:
        if name not in _JS_METHODS:
            raise ExpressionError(f"the method `.{name}()` is not supported")
        out.append(dot.space + "." + member.space + _JS_METHODS[name])
        out.append(tokens[j].space + "(")
        return j + 1
    if "$" in name:
        raise ExpressionError(f"`{name}`: `$` is not allowed in names")
    if name == "length":
        out.append(dot.space + ".size()")
    else:
        out.append(dot.space + "." + member.space + name)
    return i + 2


# --- CEL ----------------------------------------------------------------------------------------


class _Failed:
    """Returned by a helper that failed: CEL cannot convert it, so the expression errors."""


def _quiet(function: Callable[..., Any]) -> Callable[..., Any]:
    # The library logs a warning for every exception raised by a Python helper; a condition
    # applied to the wrong type (`5.lowerAscii()`) is ordinary user data, not a warning.
    def call(*args: Any) -> Any:
        try:
            return function(*args)
        except Exception:
            return _Failed()

    return call


# The cel-go string extension (lowerAscii, trim, ...) and list helpers, minus `lists.range`, the
# only function that can make a large value out of a small expression.
_FUNCTIONS: dict[str, Any] = {
    name: _quiet(function)
    for library in ("core", "strings", "math", "lists")
    for name, function in stdlib.EXTENSIONS[library].items()
    if name != "lists.range"
}
_NATIVE_FUNCTIONS = frozenset(
    {
        "size", "contains", "startsWith", "endsWith", "matches", "int", "uint", "double",
        "string", "bytes", "timestamp", "duration", "type", "dyn", "getFullYear", "getMonth",
        "getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear", "getHours", "getMinutes",
        "getSeconds", "getMilliseconds",
    }
)  # fmt: skip
KNOWN_FUNCTIONS = _NATIVE_FUNCTIONS | frozenset(_FUNCTIONS)
_STRING_LITERAL = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")
_MACRO = re.compile(r"\.\s*(?:all|exists|exists_one|map|filter)\s*\($")


@dataclass(frozen=True, eq=False)
class CompiledCondition:
    source: str
    program: cel.Program = field(repr=False)
    # Top-level names the expression reads: only these are converted for CEL on each run, so
    # the cost does not grow with every variable a long session has collected.
    names: frozenset[str] = frozenset()


_ROOT_NAME = re.compile(r"(?<![.\w])([A-Za-z_]\w*)")


def _referenced_names(source: str) -> frozenset[str]:
    return frozenset(_ROOT_NAME.findall(_STRING_LITERAL.sub('""', source)))


def _macro_nesting(source: str) -> int:
    """How deeply `.all/.exists/.map/.filter(` comprehensions nest in the expression."""
    code = _STRING_LITERAL.sub('""', source)
    stack: list[bool] = []
    deepest = 0
    for index, char in enumerate(code):
        if char == "(":
            stack.append(bool(_MACRO.search(code[: index + 1])))
            deepest = max(deepest, sum(stack))
        elif char == ")" and stack:
            stack.pop()
    return deepest


@lru_cache(maxsize=2048)
def compile_condition(expr: str) -> CompiledCondition:
    """Parse and check a CEL condition once; the result is cached by its text."""
    source = (expr or "").strip()
    if not source:
        raise ExpressionError("is empty")
    if len(source) > MAX_EXPRESSION:
        raise ExpressionError(f"at most {MAX_EXPRESSION} characters (got {len(source)})")
    if _macro_nesting(source) > MAX_MACRO_NESTING:
        raise ExpressionError(f"comprehensions nest at most {MAX_MACRO_NESTING} deep")
    try:
        program = cel.compile(source)
    except Exception as exc:
        message = str(exc).split("ERROR: <input>:", 1)[-1].split("\n", 1)[0].strip()
        raise ExpressionError(f"not a valid CEL expression ({message})") from None
    for name in program.functions():
        if name[:1].isalpha() and name not in KNOWN_FUNCTIONS:
            raise ExpressionError(f"unknown function `{name}()`")
    return CompiledCondition(source, program, _referenced_names(source))


def evaluate(
    compiled: CompiledCondition,
    variables: Mapping[str, Any],
    contact: ContactView | Mapping[str, Any] | None,
) -> bool:
    """True only when the expression yields boolean true; missing data and errors are false."""
    names = compiled.names
    activation: dict[str, Any] = {k: variables[k] for k in names if k in variables}
    if "context" in names and "context" not in activation:
        activation["context"] = dict(variables)  # `context.x` written by hand in CEL
    if "contact" in names:
        if isinstance(contact, ContactView):
            activation["contact"] = contact.to_scope()
        elif contact is not None:
            activation["contact"] = dict(contact)
    try:
        result = compiled.program.execute(cel.Context(variables=activation, functions=_FUNCTIONS))
    except Exception:
        return False
    return result is True


# --- structured rules ---------------------------------------------------------------------------

_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def _number(text: str) -> float | None:
    value = text.strip()
    return float(value) if _PLAIN_NUMBER.fullmatch(value) else None


def evaluate_rule(rule: RuleData, scope: Mapping[str, Any]) -> bool:
    """One `{left, op, right}`; text compares case- and accent-insensitively, numbers as numbers."""
    left, right = render(rule.left, scope), render(rule.right, scope)
    op = rule.op
    if op == "is_empty":
        return not left.strip()
    if op == "not_empty":
        return bool(left.strip())
    if op == "matches":
        return regex_search(right, left)
    a, b = _number(left), _number(right)
    both_numbers = a is not None and b is not None
    if op in ("eq", "neq"):
        equal = a == b if both_numbers else fold(left) == fold(right)
        return equal if op == "eq" else not equal
    if op in ("gt", "gte", "lt", "lte"):
        if a is None or b is None:
            return False
        return {"gt": a > b, "gte": a >= b, "lt": a < b, "lte": a <= b}[op]
    folded_left, folded_right = fold(left), fold(right)
    if op == "contains":
        return folded_right in folded_left
    if op == "not_contains":
        return folded_right not in folded_left
    if op == "starts_with":
        return folded_left.startswith(folded_right)
    if op == "ends_with":
        return folded_left.endswith(folded_right)
    return False


def evaluate_rules(rules: RulesData, scope: Mapping[str, Any]) -> bool:
    """`all` (default) or `any` of the conditions; no conditions → false."""
    if not rules.conditions:
        return False
    results = (evaluate_rule(rule, scope) for rule in rules.conditions)
    return all(results) if rules.match == "all" else any(results)
