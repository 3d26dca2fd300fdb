"""`{{...}}` templating (docs/flows.md §4)."""

from __future__ import annotations

from typing import Any

import pytest

from finnegans.flows.templating import build_scope, json_escape, render, set_path

from .helpers import CONTACT

VARIABLES: dict[str, Any] = {
    "name": "Ana",
    "empty": "",
    "count": 3,
    "price": 2.0,
    "ratio": 0.5,
    "ok": True,
    "nothing": None,
    "order": {"id": "A-1", "items": [{"title": "Mate"}, {"title": "Yerba"}]},
    "tags": ["a", "b"],
}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("Hola {{name}}", "Hola Ana"),
        ("Hola {{ name }}!", "Hola Ana!"),
        ("{{missing}}", ""),
        ("{{missing|amigo}}", "amigo"),
        ("{{ missing | querido amigo }}", "querido amigo"),
        ("{{empty|vacío}}", "vacío"),
        ("{{nothing|nada}}", "nada"),
        ("{{name|x}}", "Ana"),
        ("{{count}} / {{price}} / {{ratio}} / {{ok}}", "3 / 2 / 0.5 / true"),
        ("{{order.id}}", "A-1"),
        ("{{order.items.1.title}}", "Yerba"),
        ("{{order.items[0].title}}", "Mate"),
        ("{{order.items.5.title|none}}", "none"),
        ("{{order.items.0}}", '{"title":"Mate"}'),
        ("{{tags}}", '["a","b"]'),
        ("{{context.name}}", "Ana"),
        ("{{context.order.items.0.title}}", "Mate"),
        ("no placeholders", "no placeholders"),
        ("{{ unclosed", "{{ unclosed"),
        ("", ""),
    ],
)
def test_render(template: str, expected: str) -> None:
    assert render(template, build_scope(VARIABLES, CONTACT)) == expected


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{contact.name}}", "Ana"),
        ("{{contact.phone}}", "+54 9 11 0000-0000"),
        ("{{contact.wa_id}}", "5491100000000"),
        ("{{contact.attributes.plan}}", "gold"),
        ("{{contact.attributes.city|CABA}}", "CABA"),
        ("{{contact.tags}}", '["vip"]'),
    ],
)
def test_contact_fields(template: str, expected: str) -> None:
    assert render(template, build_scope({}, CONTACT)) == expected


def test_contact_without_name_uses_the_default() -> None:
    scope = build_scope({}, None)
    assert render("Hello {{contact.name|there}}!", scope) == "Hello there!"


def test_escape_applies_to_inserted_values_only() -> None:
    scope = {"input": 'He said "hi"\n'}
    body = render('{"text": "{{input}}"}', scope, escape=json_escape)
    assert body == '{"text": "He said \\"hi\\"\\n"}'


def test_set_path_creates_and_replaces_levels() -> None:
    variables: dict[str, Any] = {"a": "text"}
    set_path(variables, "a.b.c", 1)
    set_path(variables, "context.x", "y")
    assert variables == {"a": {"b": {"c": 1}}, "x": "y"}
