"""Validation problems: each names the node and field, with the right severity."""

from __future__ import annotations

from typing import Any

import pytest

from finnegans.flows.validation import Problem, validate_definition

from .helpers import chain, edge, flow, node


def problems_of(definition: Any, **kwargs: Any) -> list[Problem]:
    return validate_definition(definition, **kwargs)


def find(problems: list[Problem], severity: str, node_id: str | None, field: str | None) -> Problem:
    for problem in problems:
        if (problem.severity, problem.node, problem.field) == (severity, node_id, field):
            return problem
    listing = "\n".join(str(p.to_json()) for p in problems)
    raise AssertionError(f"no {severity} at {node_id}/{field} in:\n{listing}")


def with_trigger(*nodes: dict[str, Any], edges: list[dict[str, Any]] | None = None) -> Any:
    first = nodes[0]["id"]
    return flow(
        node("t", "trigger", keywords=["hola"]), *nodes, edges=[edge("t", first), *(edges or [])]
    )


def test_a_complete_flow_has_no_problems() -> None:
    definition = with_trigger(
        node("m", "message", text="Hola {{contact.name|}}"),
        node("q", "question", text="¿Edad?", variable="age", validation="number"),
        node("c", "condition", expression="age >= 18"),
        node("y", "end"),
        node("n", "end"),
        edges=[edge("m", "q"), edge("q", "c"), edge("q", "n", "fallback"),
               edge("c", "y", "true"), edge("c", "n", "false")],
    )  # fmt: skip
    assert problems_of(definition) == []


def test_problem_to_json() -> None:
    problem = Problem("n3", "options[3]", "at most 20 characters", "error")
    assert problem.to_json() == {
        "node": "n3",
        "field": "options[3]",
        "message": "at most 20 characters",
        "severity": "error",
    }


# --- errors (block saving) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad_node", "field"),
    [
        (node("x", "carousel"), "type"),
        (node("x", "options", text="Elegí", options=["a" * 21, "b"]), "options[0]"),
        (node("x", "options", text="Elegí", options=[str(i) for i in range(11)]), "options"),
        (node("x", "options", text="x" * 1025, options=["a"]), "text"),
        (node("x", "options", text="Elegí", options=["a", "a"]), "options[1]"),
        (node("x", "options", text="Elegí", options=["a"], header="h" * 61), "header"),
        (node("x", "list", text="t", buttonText="Ver",
              sections=[{"rows": [{"title": f"r{i}"} for i in range(11)]}]), "sections"),
        (node("x", "list", text="t", buttonText="Ver",
              sections=[{"rows": [{"title": "a"}, {"title": "b"}, {"title": "c" * 25}]}]),
         "sections[0].rows[2].title"),
        (node("x", "list", text="t", buttonText="Ver",
              sections=[{"rows": [{"title": "a", "description": "d" * 73}]}]),
         "sections[0].rows[0].description"),
        (node("x", "list", text="t", buttonText="b" * 21, sections=[{"rows": [{"title": "a"}]}]),
         "buttonText"),
        (node("x", "cta_url", text="t", buttonText="Abrir", url="ftp://x"), "url"),
        (node("x", "message", text="x" * 4097), "text"),
        (node("x", "media", url="https://x/y.png", caption="c" * 1025), "caption"),
        (node("x", "condition", expression="process.exit()"), "expression"),
        (node("x", "condition", expression="input ==="), "expression"),
        (node("x", "condition", expression="lookup(input)"), "expression"),
        (node("x", "delay", seconds=0), "seconds"),
        (node("x", "delay", seconds=2_592_001), "seconds"),
        (node("x", "delay", seconds="soon"), "seconds"),
        (node("x", "wait", timeoutSeconds=30), "timeoutSeconds"),
        (node("x", "http", url="https://x", method="FETCH"), "method"),
        (node("x", "http", url="https://x", timeoutSeconds=31), "timeoutSeconds"),
        (node("x", "question", text="?", variable="1bad"), "variable"),
        (node("x", "question", text="?", variable="v", validation="regex", pattern="("),
         "pattern"),
        (node("x", "question", text="?", variable="v", validation="choice",
              choices=["Una opción demasiado larga"]), "choices[0]"),
        (node("x", "question", text="?", variable="v", maxAttempts=11), "maxAttempts"),
        (node("x", "assign", key="a b", value="1"), "key"),
        (node("x", "assign", key="a", value="v" * 501), "value"),
        (node("x", "tag", tags=[f"t{i}" for i in range(11)]), "tags"),
        (node("x", "whatsapp_flow", body="b", flowId="1", screen="S", cta="c" * 21), "cta"),
        (node("x", "handoff", returnAfterMinutes=10_081), "returnAfterMinutes"),
        (node("x", "template", templateName="t", language="es",
              parameters=[{"component": "footer", "value": "x"}]), "parameters[0].component"),
        (node("x", "template", templateName="t", language="es",
              parameters=[{"component": "button", "index": 10, "value": "x"}]),
         "parameters[0].index"),
        (node("x", "trigger", keywords=["k" * 65]), "keywords[0]"),
        (node("x", "trigger", match="regex", pattern="(?<=a)b"), "pattern"),
        (node("x", "end", name="n" * 61), "name"),
    ],
)  # fmt: skip
def test_errors_name_the_node_and_field(bad_node: dict[str, Any], field: str) -> None:
    definition = with_trigger(bad_node)
    find(problems_of(definition), "error", "x", field)


def test_edge_from_a_handle_the_node_does_not_have() -> None:
    definition = with_trigger(
        node("m", "message", text="hi"),
        node("e", "end"),
        edges=[edge("m", "e", "true")],
    )
    problem = find(problems_of(definition), "error", "m", "edges[1].sourceHandle")
    assert "'true'" in problem.message


def test_edge_to_or_from_a_missing_node() -> None:
    definition = with_trigger(
        node("m", "message", text="hi"),
        edges=[edge("m", "ghost"), edge("nobody", "m")],
    )
    problems = problems_of(definition)
    find(problems, "error", "m", "edges[1].target")
    find(problems, "error", "nobody", "edges[2].source")


def test_goto_to_a_missing_node_or_itself() -> None:
    problems = problems_of(with_trigger(node("g", "goto", targetNodeId="nowhere")))
    find(problems, "error", "g", "targetNodeId")
    problems = problems_of(with_trigger(node("g", "goto", targetNodeId="g")))
    assert "itself" in find(problems, "error", "g", "targetNodeId").message


def test_start_flow_to_an_unknown_flow_when_the_flows_are_known() -> None:
    definition = with_trigger(node("s", "start_flow", flowId="f-404"))
    find(problems_of(definition, known_flow_ids={"f-1"}), "error", "s", "flowId")
    assert problems_of(definition, known_flow_ids={"f-404"}) == []
    assert problems_of(definition) == []  # not checked when the flows are not given


def test_501_nodes() -> None:
    definition = flow(*(node(f"n{i}", "end") for i in range(501)))
    problems = problems_of(definition)
    assert problems == [Problem(None, "nodes", "at most 500 nodes (got 501)", "error")]


def test_envelope_errors() -> None:
    problems = problems_of(
        {"nodes": [{"type": "end"}, "junk", node("d", "end"), node("d", "end")],
         "edges": [{"source": "d"}]}
    )  # fmt: skip
    find(problems, "error", None, "nodes[0].id")
    find(problems, "error", None, "nodes[1]")
    find(problems, "error", "d", "id")
    find(problems, "error", "d", "edges[0].target")
    assert problems_of("{broken")[0].severity == "error"


# --- incomplete (blocks publishing, not saving) -------------------------------------------------


def test_no_trigger() -> None:
    find(problems_of(flow(node("e", "end"))), "incomplete", None, "nodes")


@pytest.mark.parametrize(
    ("nodes", "edges", "node_id", "field"),
    [
        ([node("o", "options", text="Elegí", options=["a", "b"])], [], "o", "exits"),
        ([node("l", "list", text="t", buttonText="Ver",
               sections=[{"title": "S", "rows": [{"title": "a"}]}])], [], "l", "exits"),
        ([node("c", "condition", expression="true")], [], "c", "exits"),
        ([node("h", "http", url="https://x")], [], "h", "exits"),
        ([node("q", "question", text="?", variable="v")], [], "q", "exits"),
        ([node("w", "wait", timeoutSeconds=60)], [], "w", "exits"),
        ([node("m", "message", text="  ")], [], "m", "text"),
        ([node("o", "options", options=["a"])], [], "o", "text"),
        ([node("o", "options", text="x")], [], "o", "options"),
        ([node("g", "goto", targetNodeId="")], [], "g", "targetNodeId"),
        ([node("c", "condition")], [], "c", "expression"),
        ([node("m", "media", mediaType="image")], [], "m", "url"),
        ([node("f", "whatsapp_flow", body="b", flowId="123")], [], "f", "screen"),
        ([node("h", "http", url="")], [], "h", "url"),
        ([node("t2", "tag", tags=[])], [], "t2", "tags"),
        ([node("a", "assign", key="", value="x")], [], "a", "key"),
    ],
)  # fmt: skip
def test_incomplete(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]], node_id: str, field: str
) -> None:
    find(problems_of(with_trigger(*nodes, edges=edges)), "incomplete", node_id, field)


def test_a_loop_in_which_nothing_waits() -> None:
    definition = with_trigger(
        node("a", "assign", key="x", value="1"),
        node("c", "condition", expression="x == '1'"),
        node("e", "end"),
        edges=[edge("a", "c"), edge("c", "a", "true"), edge("c", "e", "false")],
    )
    problem = find(problems_of(definition), "incomplete", "a", "exits")
    assert "a → c" in problem.message


def test_a_loop_through_a_waiting_node_is_fine() -> None:
    definition = with_trigger(
        node("o", "options", text="¿Otra vez?", options=["Sí", "No"]),
        node("m", "message", text="Otra vez"),
        node("e", "end"),
        edges=[edge("o", "m", "opt-0"), edge("o", "e", "opt-1"), edge("o", "o", "no-match"),
               edge("m", "o")],
    )  # fmt: skip
    assert problems_of(definition) == []


def test_goto_loops_count_too() -> None:
    definition = with_trigger(
        node("m", "message", text="hi"),
        node("g", "goto", targetNodeId="m"),
        edges=[edge("m", "g")],
    )
    find(problems_of(definition), "incomplete", "m", "exits")


# --- warnings (never block) -----------------------------------------------------------------------


def test_unreachable_node() -> None:
    definition = with_trigger(node("e", "end"), node("lost", "end"))
    assert find(problems_of(definition), "warning", "lost", None).message.startswith("not reach")


def test_extra_edges_from_a_single_exit_node() -> None:
    definition = with_trigger(
        node("m", "message", text="hi"),
        node("a", "end"),
        node("b", "end"),
        edges=[edge("m", "a"), edge("m", "b")],
    )
    problem = find(problems_of(definition), "warning", "m", "exits.default")
    assert "only the first (to a)" in problem.message


def test_keyword_used_by_another_active_flow() -> None:
    definition = flow(node("t", "trigger", keywords=["Precios", "hola"]), node("e", "end"),
                      edges=chain("t", "e"))  # fmt: skip
    problems = problems_of(definition, other_active_keywords={"precios": "Ventas"})
    assert "Ventas" in find(problems, "warning", "t", "keywords[0]").message
    assert [p.severity for p in problems] == ["warning"]


def test_goto_edges_from_the_original_builder_are_only_a_warning() -> None:
    definition = with_trigger(
        node("g", "goto", targetNodeId="e"),
        node("e", "end"),
        edges=[edge("g", "e")],
    )
    find(problems_of(definition), "warning", "g", "edges[1].sourceHandle")


def test_similar_options_are_a_warning() -> None:
    definition = with_trigger(
        node("o", "options", text="?", options=["Sí", "si"]),
        node("e", "end"),
        edges=[edge("o", "e", "opt-0"), edge("o", "e", "opt-1"), edge("o", "e", "no-match")],
    )
    find(problems_of(definition), "warning", "o", "options[1]")


def test_errors_come_first() -> None:
    definition = with_trigger(node("x", "carousel"), node("lost", "end"))
    severities = [p.severity for p in problems_of(definition)]
    assert severities == sorted(severities, key=["error", "incomplete", "warning"].index)


@pytest.mark.parametrize(
    ("nodes", "edges", "node_id", "field"),
    [
        ([node("o", "options", text="Elegí", options=["a", "b"]), node("e", "end")],
         [edge("o", "e", "opt-0")], "o", "options[1]"),
        ([node("o", "options", text="Elegí", options=["a", "b"]), node("e", "end")],
         [edge("o", "e", "opt-0")], "o", "exits.no-match"),
        ([node("l", "list", text="t", buttonText="Ver",
               sections=[{"title": "S", "rows": [{"title": "a"}]},
                         {"title": "T", "rows": [{"title": "b"}, {"title": "c"}]}]),
          node("e", "end")],
         [edge("l", "e", "opt-0")], "l", "sections[1].rows[1]"),
        ([node("c", "condition", expression="true"), node("e", "end")],
         [edge("c", "e", "true")], "c", "exits.false"),
        ([node("q", "question", text="?", variable="v"), node("e", "end")],
         [edge("q", "e")], "q", "exits.fallback"),
        ([node("m", "message", text="hi")], [], "m", "exits"),
        ([node("f", "whatsapp_flow", body="b"), node("e", "end")], [edge("f", "e")], "f",
         "flowId"),
    ],
)  # fmt: skip
def test_one_unconnected_branch_is_a_warning(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]], node_id: str, field: str
) -> None:
    """Taking an unconnected branch ends the session; the original's default flow has them."""
    problems = problems_of(with_trigger(*nodes, edges=edges))
    find(problems, "warning", node_id, field)
    assert not [p for p in problems if p.severity != "warning"], problems


def test_four_reply_buttons_are_an_error_unless_shown_as_a_list() -> None:
    four = ["Uno", "Dos", "Tres", "Cuatro"]
    problem = find(
        problems_of(with_trigger(node("o", "options", text="Elegí", options=four))),
        "error", "o", "options[3]",
    )  # fmt: skip
    assert "at most 3 reply buttons" in problem.message
    as_list = problems_of(
        with_trigger(node("o", "options", text="Elegí", options=four, display="list"))
    )
    assert not [p for p in as_list if p.severity == "error"]
