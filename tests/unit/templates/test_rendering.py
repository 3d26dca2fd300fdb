"""templates/rendering.py: parameters a template needs, checks, preview text, Graph objects."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finnegans.templates.rendering import (
    ParameterProblems,
    TemplateDefinition,
    prepare,
)

POSITIONAL: list[dict[str, Any]] = [
    {"type": "BODY", "text": "Hi {{1}}, your {{2}} is ready. Thanks {{1}}!",
     "example": {"body_text": [["Ana", "order"]]}},
]  # fmt: skip
NAMED: list[dict[str, Any]] = [
    {"type": "HEADER", "format": "TEXT", "text": "Hello {{first_name}}",
     "example": {"header_text_named_params": [{"param_name": "first_name", "example": "Ana"}]}},
    {"type": "BODY", "text": "Your code is {{code}}, {{first_name}}.",
     "example": {"body_text_named_params": [{"param_name": "code", "example": "1234"},
                                            {"param_name": "first_name", "example": "Ana"}]}},
]  # fmt: skip
MEDIA_AND_BUTTONS: list[dict[str, Any]] = [
    {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": ["https://x/y.png"]}},
    {"type": "BODY", "text": "Your receipt"},
    {"type": "FOOTER", "text": "Shop"},
    {"type": "BUTTONS", "buttons": [
        {"type": "QUICK_REPLY", "text": "Thanks"},
        {"type": "URL", "text": "Static", "url": "https://shop.example/help"},
        {"type": "URL", "text": "Receipt", "url": "https://shop.example/r/{{1}}",
         "example": ["https://shop.example/r/42"]},
        {"type": "PHONE_NUMBER", "text": "Call", "phone_number": "+15550100"},
    ]},
]  # fmt: skip


def _prepared(components: list[dict[str, Any]], fmt: str = "positional") -> Any:
    return prepare(TemplateDefinition("t", "en_US", components, fmt))


def test_positional_parameters_in_number_order_with_examples() -> None:
    t = _prepared([{"type": "BODY", "text": "{{2}} then {{1}}",
                    "example": {"body_text": [["one", "two"]]}}])  # fmt: skip
    assert [(p.key, p.example) for p in t.parameters] == [("body.1", "one"), ("body.2", "two")]
    t = _prepared(POSITIONAL)
    assert [p.key for p in t.parameters] == ["body.1", "body.2"]  # {{1}} twice is one parameter
    assert t.render({"body.1": "Ana"}).body == "Hi Ana, your {{2}} is ready. Thanks Ana!"
    assert t.graph_template({"body.1": "Ana", "body.2": "order"}) == {
        "name": "t",
        "language": {"code": "en_US"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "Ana"},
                                                       {"type": "text", "text": "order"}]}],
    }  # fmt: skip


def test_named_parameters_carry_parameter_name() -> None:
    t = _prepared(NAMED, "named")
    assert [(p.key, p.example) for p in t.parameters] == [
        ("header.first_name", "Ana"),
        ("body.code", "1234"),
        ("body.first_name", "Ana"),
    ]
    values = {"header.first_name": "Bo", "body.code": "99", "body.first_name": "Bo"}
    rendered = t.render(values)
    assert (rendered.header, rendered.body) == ("Hello Bo", "Your code is 99, Bo.")
    assert t.graph_components(values) == [
        {"type": "header",
         "parameters": [{"type": "text", "parameter_name": "first_name", "text": "Bo"}]},
        {"type": "body", "parameters": [
            {"type": "text", "parameter_name": "code", "text": "99"},
            {"type": "text", "parameter_name": "first_name", "text": "Bo"}]},
    ]  # fmt: skip


def test_missing_empty_extra_and_bad_values_are_each_named() -> None:
    t = _prepared(POSITIONAL)
    problems = t.check({"body.2": "  ", "body.3": "x"})
    assert [(p.key, p.reason) for p in problems] == [
        ("body.1", "missing"), ("body.2", "must not be empty"),
        ("body.3", "not a parameter of this template")]  # fmt: skip
    with pytest.raises(ParameterProblems) as caught:
        t.graph_template({"body.1": "a\nb", "body.2": "ok"})
    assert caught.value.fields() == {
        "parameters.body.1": "no new lines, tabs or more than 3 consecutive spaces"
    }


def test_media_header_and_url_button_suffixes() -> None:
    t = _prepared(MEDIA_AND_BUTTONS)
    assert [(p.key, p.type, p.example) for p in t.parameters] == [
        ("header.image", "image", "https://x/y.png"),
        ("button.2", "text", "https://shop.example/r/42"),
    ]
    assert t.check({"header.image": "not a link", "button.2": "42"})[0].key == "header.image"
    by_link = {"header.image": "https://cdn.example/r.png", "button.2": "42"}
    assert t.graph_components(by_link) == [
        {"type": "header", "parameters": [
            {"type": "image", "image": {"link": "https://cdn.example/r.png"}}]},
        {"type": "button", "sub_type": "url", "index": "2",
         "parameters": [{"type": "text", "text": "42"}]},
    ]  # fmt: skip
    by_id = t.graph_components({"header.image": "1234567890", "button.2": "42"})
    assert by_id[0]["parameters"][0] == {"type": "image", "image": {"id": "1234567890"}}
    rendered = t.render(by_link)
    assert rendered.header is None and rendered.header_media == {
        "type": "image",
        "link": "https://cdn.example/r.png",
    }
    assert [(b.type, b.url, b.phone_number) for b in rendered.buttons] == [
        ("QUICK_REPLY", None, None),
        ("URL", "https://shop.example/help", None),
        ("URL", "https://shop.example/r/42", None),
        ("PHONE_NUMBER", None, "+15550100"),
    ]
    assert rendered.footer == "Shop"


def test_location_header() -> None:
    t = _prepared([{"type": "HEADER", "format": "LOCATION"}, {"type": "BODY", "text": "Here"}])
    assert t.check({"header.location": "north"})[0].reason == '"latitude,longitude" expected'
    [header] = t.graph_components({"header.location": "-34.6, -58.4"})
    assert header["parameters"][0] == {
        "type": "location",
        "location": {"latitude": -34.6, "longitude": -58.4},
    }


def test_components_written_by_hand_are_read_back_into_keys() -> None:
    t = _prepared(NAMED, "named")
    values = t.values_from_components([
        {"type": "header", "parameters": [{"type": "text", "parameter_name": "first_name",
                                           "text": "Bo"}]},
        {"type": "body", "parameters": [{"type": "text", "parameter_name": "code", "text": "9"}]},
    ])  # fmt: skip
    assert values == {"header.first_name": "Bo", "body.code": "9"}
    assert [p.key for p in t.check(values)] == ["body.first_name"]
    positional = _prepared(POSITIONAL).values_from_components([{"type": "body", "parameters": [
        {"type": "text", "text": "a"}, {"type": "currency", "currency": {
            "fallback_value": "$5", "code": "USD", "amount_1000": 5000}},
        {"type": "text", "text": "extra"}]}])  # fmt: skip
    assert positional == {"body.1": "a", "body.2": "$5", "body.3": "extra"}


def test_one_prepared_template_serves_many_recipients() -> None:
    t = _prepared(POSITIONAL)
    sends = [t.graph_template({"body.1": name, "body.2": "order"}) for name in ("Ana", "Bo")]
    assert [s["components"][0]["parameters"][0]["text"] for s in sends] == ["Ana", "Bo"]
    assert "components" not in _prepared([{"type": "BODY", "text": "Hi"}]).graph_template({})


_KEYS = st.sampled_from(
    ["type", "format", "text", "example", "buttons", "url", "header_text", "body_text"]
)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_KEYS, children, max_size=5),
    max_leaves=20,
)
_component = st.fixed_dictionaries(
    {"type": st.sampled_from(["HEADER", "BODY", "FOOTER", "BUTTONS", "CAROUSEL", "body"])},
    optional={
        "format": st.sampled_from(["TEXT", "IMAGE", "LOCATION", "weird"]) | _json,
        "text": st.text(alphabet="ab{}1_ ", max_size=30) | _json,
        "example": _json,
        "buttons": st.lists(_json, max_size=3) | _json,
    },
)


@settings(max_examples=300, deadline=None)
@given(
    components=st.lists(_component, max_size=5),
    values=st.dictionaries(st.text(max_size=12), st.text(max_size=12), max_size=5),
)
def test_any_components_from_meta_never_crash(
    components: list[dict[str, Any]], values: dict[str, str]
) -> None:
    """Whatever Meta (or a stored row) holds, rendering answers or names problems; no crash."""
    t = _prepared(components)
    t.render(values)
    t.check(values)
    t.values_from_components(components)
    problems = t.check(values)
    if problems:
        with pytest.raises(ParameterProblems):
            t.graph_template(values)
    else:
        t.graph_template(values)
