"""Parsing and normalising definitions (docs/flows.md §1)."""

from __future__ import annotations

import pytest

from finnegans.flows.definition import (
    DefinitionError,
    FlowGraph,
    normalize_definition,
    parse_definition,
)
from finnegans.flows.engine import Inbound
from finnegans.flows.nodes import OptionsData, TriggerData

from .helpers import edge, flow, node


def test_unknown_keys_and_positions_are_kept_and_coerced() -> None:
    raw = {
        "nodes": [
            {"id": "n1", "type": "trigger", "data": {"keyword": "hi", "color": "red"},
             "position": {"x": "12", "y": None}, "selected": True, "width": 150},
            {"id": "n2", "type": "message", "data": "not an object"},
        ],
        "edges": [{"id": "e", "source": "n1", "target": "n2", "type": "smoothstep",
                   "markerEnd": {"type": "arrowclosed"}}],
        "viewport": {"zoom": 1},
    }  # fmt: skip
    stored = normalize_definition(raw)
    first = stored["nodes"][0]
    assert first["position"] == {"x": 12.0, "y": 0}
    assert first["selected"] is True and first["width"] == 150
    assert first["data"] == {"keyword": "hi", "color": "red", "keywords": ["hi"]}
    assert stored["nodes"][1]["data"] == {}
    assert stored["nodes"][1]["position"] == {"x": 0, "y": 0}
    assert stored["edges"][0]["markerEnd"] == {"type": "arrowclosed"}
    assert stored["viewport"] == {"zoom": 1}
    assert stored["version"] == 2
    assert "version" not in raw  # the input is not modified


def test_v2_conditions_are_not_translated_again() -> None:
    raw = flow(node("c", "condition", expression="input == 'x'"))
    assert normalize_definition(raw)["nodes"][0]["data"] == {"expression": "input == 'x'"}


def test_untranslatable_js_is_kept_for_the_validator_to_report() -> None:
    raw = {"nodes": [{"id": "c", "type": "condition", "data": {"expression": "process.exit()"}}]}
    data = normalize_definition(raw)["nodes"][0]["data"]
    assert data == {"expression": "process.exit()", "originalExpression": "process.exit()"}


@pytest.mark.parametrize("bad", ["{not json", "[1, 2]", "42"])
def test_bad_json_is_a_definition_error(bad: str) -> None:
    with pytest.raises(DefinitionError):
        normalize_definition(bad)


def test_empty_string_is_an_empty_flow() -> None:
    graph = parse_definition("")
    assert graph.nodes == {} and graph.edges == ()


def test_more_than_500_nodes_is_refused() -> None:
    raw = flow(*(node(f"n{i}", "end") for i in range(501)))
    with pytest.raises(DefinitionError, match="500"):
        parse_definition(raw)
    assert len(parse_definition(flow(*(node(f"n{i}", "end") for i in range(500)))).nodes) == 500


def test_typed_data_with_original_coercions() -> None:
    graph = FlowGraph.parse(
        flow(
            node("t", "trigger", keyword="Hola"),
            node("o", "options", text=5, options=["A", 2]),
            node("d", "delay", seconds="30"),
            node("x", "options", options="not a list of options"),
        )
    )
    trigger = graph.nodes["t"].data
    assert isinstance(trigger, TriggerData) and trigger.all_keywords() == ("Hola",)
    options = graph.nodes["o"].data
    assert isinstance(options, OptionsData) and options.text == "5"
    assert options.options == ("A", "2")
    assert graph.nodes["d"].data is not None
    assert graph.nodes["x"].data is not None  # a single string is a one-item list


def test_invalid_data_keeps_the_node_with_its_problems() -> None:
    graph = parse_definition(flow(node("d", "delay", seconds="soon"), node("u", "weird")))
    assert graph.nodes["d"].data is None
    assert graph.nodes["d"].problems[0][0] == "seconds"
    assert graph.nodes["u"].problems == (("type", "unknown node type 'weird'"),)


def test_exits_take_the_first_edge_per_handle_in_array_order() -> None:
    graph = parse_definition(
        flow(
            node("a", "message", text="x"),
            node("b", "end"),
            node("c", "end"),
            edges=[edge("a", "b"), edge("a", "c"), {"source": "a", "target": "c",
                                                    "sourceHandle": ""}],
        )
    )  # fmt: skip
    assert graph.exits("a") == {None: "b"}
    assert len(graph.edges_from("a")) == 3  # "" is the default handle too


def test_trigger_helpers() -> None:
    graph = parse_definition(
        flow(
            node("t1", "trigger", keywords=["hola", "buenas"]),
            node("t2", "trigger", keyword="default"),
            node("t3", "trigger", match="regex", pattern="^pedido"),
        )
    )
    assert [t.id for t in graph.triggers()] == ["t1", "t2", "t3"]
    assert graph.default_trigger_id() == "t2"
    match = graph.match_trigger(Inbound(text="Buenas!"))
    assert match is not None and match.node_id == "t1"
    regex = graph.match_trigger(Inbound(text="Pedido 12"))
    assert regex is not None and regex.node_id == "t3"
    assert graph.match_trigger(Inbound(text="nada que ver")) is None
