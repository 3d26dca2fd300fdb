"""CEL conditions, the JavaScript → CEL translation table and structured rules."""

from __future__ import annotations

from typing import Any

import pytest

from finnegans.flows.expressions import (
    ExpressionError,
    compile_condition,
    evaluate,
    evaluate_rules,
    translate_js,
)
from finnegans.flows.nodes import RulesData
from finnegans.flows.safe_regex import regex_error, regex_search
from finnegans.flows.templating import build_scope

from .helpers import CONTACT


def check(expr: str, variables: dict[str, Any]) -> bool:
    return evaluate(compile_condition(expr), variables, CONTACT)


# docs/flows.md §5, row by row.
@pytest.mark.parametrize(
    ("js", "cel"),
    [
        ("context.input === 'si'", "input == 'si'"),
        ("context.input == 'si'", "input == 'si'"),
        ("context.input !== 'no'", "input != 'no'"),
        ("context.input != 'no'", "input != 'no'"),
        ("context.a > 1 && context.b < 2 || !context.c", "a > 1 && b < 2 || !c"),
        ("context.input.includes('ok')", "input.contains('ok')"),
        ("context.input.toLowerCase() == 'ok'", "input.lowerAscii() == 'ok'"),
        ("context.input.toUpperCase() == 'OK'", "input.upperAscii() == 'OK'"),
        ("context.input.trim() == 'ok'", "input.trim() == 'ok'"),
        ("context.input.startsWith('a')", "input.startsWith('a')"),
        ("context.input.endsWith('z')", "input.endsWith('z')"),
        ("context.input?.toLowerCase?.().includes('ok')", "input.lowerAscii().contains('ok')"),
        ('context.user?.name == "Ana"', 'user.name == "Ana"'),
        ("context.items.length > 0", "items.size() > 0"),
        ("context.x == undefined", "x == null"),
        ("context['plan'] == 'gold'", "plan == 'gold'"),
        ("['a', 'b'].includes(context.x)", "['a', 'b'].contains(x)"),
        ("(context.total >= 100) ? true : false", "(total >= 100) ? true : false"),
    ],
)
def test_js_translation_table(js: str, cel: str) -> None:
    assert translate_js(js) == cel


@pytest.mark.parametrize(
    "js",
    [
        "process.exit()",
        "context.constructor.constructor('return this')()",
        "a = 1",
        "a; b",
        "{ a: 1 }",
        "function () { return true }",
        "() => true",
        "x => x",
        "require('fs')",
        "eval('1')",
        "globalThis.x",
        "context.input.indexOf('a') > -1",
        "parseInt(context.x) > 1",
        "context.x++",
        "`template ${x}`",
        "new Date()",
        "typeof x === 'string'",
        "context.x.__proto__",
        "",
    ],
)
def test_js_that_cannot_be_translated_is_refused_never_run(js: str) -> None:
    with pytest.raises(ExpressionError):
        translate_js(js)


def test_translated_conditions_evaluate_like_the_original_intended() -> None:
    cel = translate_js("context.input?.toLowerCase?.().includes('ok')")
    assert check(cel, {"input": "Is it OK?"})
    assert not check(cel, {"input": "no"})
    assert not check(cel, {})  # input missing → false, not an error
    total = translate_js("context.order_total > 100 && context.country === 'AR'")
    assert check(total, {"order_total": 150, "country": "AR"})
    assert check(total, {"order_total": 100.5, "country": "AR"})  # int vs double compare
    assert not check(total, {"order_total": 50, "country": "AR"})


@pytest.mark.parametrize(
    ("expr", "variables", "expected"),
    [
        ('input == "yes"', {"input": "yes"}, True),
        ('input.lowerAscii().contains("ok")', {"input": "OK!"}, True),
        ('contact.attributes.plan in ["gold", "platinum"]', {}, True),
        ('"vip" in contact.tags', {}, True),
        ('contact.name == "Ana"', {}, True),
        ("missing == 1", {}, False),  # missing variable → false
        ("input.lowerAscii() == 'a'", {"input": 5}, False),  # wrong type → false
        ("count", {"count": 1}, False),  # not a boolean → false
        ("size(input)", {"input": "abc"}, False),
        ("context.x == 1", {"x": 1}, True),  # context.<var> written by hand in CEL
        ("order.items[0].qty > 1", {"order": {"items": [{"qty": 2}]}}, True),
        ("order.items[3].qty > 1", {"order": {"items": []}}, False),
    ],
)
def test_cel_evaluation(expr: str, variables: dict[str, Any], expected: bool) -> None:
    assert check(expr, variables) is expected


@pytest.mark.parametrize(
    ("expr", "reason"),
    [
        ("1 +", "not a valid CEL"),
        ("process.exit()", "unknown function"),
        ("foo(1)", "unknown function"),
        ("[1].map(a, [1].map(b, [1].map(c, c)))", "nest"),
        ("x" * 501, "at most 500"),
        ("   ", "empty"),
    ],
)
def test_invalid_cel_is_refused_at_compile_time(expr: str, reason: str) -> None:
    with pytest.raises(ExpressionError, match=reason):
        compile_condition(expr)


def test_compile_is_cached_by_text() -> None:
    assert compile_condition("a == 1") is compile_condition("a == 1")


def _rules(match: str, *conditions: tuple[str, str, str]) -> RulesData:
    return RulesData.model_validate(
        {"match": match, "conditions": [{"left": a, "op": o, "right": b} for a, o, b in conditions]}
    )


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (("{{input}}", "eq", "Sí"), True),  # case- and accent-insensitive
        (("{{input}}", "neq", "no"), True),
        (("{{total}}", "eq", "10.0"), True),  # numbers compare numerically
        (("{{total}}", "gt", "9"), True),
        (("{{total}}", "gte", "10"), True),
        (("{{total}}", "lt", "10"), False),
        (("{{total}}", "lte", "10"), True),
        (("{{input}}", "gt", "1"), False),  # not numbers → false
        (("{{message}}", "contains", "PRECIO"), True),
        (("{{message}}", "not_contains", "envío"), True),
        (("{{message}}", "starts_with", "cuál"), True),
        (("{{message}}", "ends_with", "precio?"), True),
        (("{{missing}}", "is_empty", ""), True),
        (("{{input}}", "not_empty", ""), True),
        (("{{message}}", "matches", "^Cu.l"), True),
        (("{{message}}", "matches", "("), False),  # bad regex → false
        (("{{contact.attributes.plan}}", "eq", "gold"), True),
    ],
)
def test_rules(condition: tuple[str, str, str], expected: bool) -> None:
    scope = build_scope({"input": "si", "total": 10, "message": "Cuál es el precio?"}, CONTACT)
    assert evaluate_rules(_rules("all", condition), scope) is expected


def test_rules_all_and_any() -> None:
    scope = build_scope({"a": "1"}, None)
    yes, no = ("{{a}}", "eq", "1"), ("{{a}}", "eq", "2")
    assert evaluate_rules(_rules("all", yes, yes), scope)
    assert not evaluate_rules(_rules("all", yes, no), scope)
    assert evaluate_rules(_rules("any", no, yes), scope)
    assert not evaluate_rules(_rules("any"), scope)


def test_author_regexes_run_in_linear_time_and_report_unsupported_syntax() -> None:
    assert not regex_search(r"(a+)+$", "a" * 5000 + "b")  # catastrophic for backtracking
    assert regex_error("(") is not None
    assert regex_error(r"(?=x)y") is not None  # look-ahead is not supported
    assert regex_error(r"\d+") is None
