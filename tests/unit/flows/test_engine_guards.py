"""Loop guards, broken graphs and odd states: the session errors with a reason, never raises."""

from __future__ import annotations

import json
from typing import Any

from finnegans.flows.definition import parse_definition
from finnegans.flows.engine import (
    ContactView,
    Engine,
    HttpCall,
    Inbound,
    SendMessage,
    SessionState,
)

from .helpers import CONTACT, Bot, chain, edge, flow, node, payloads


def trigger(*nodes: dict[str, Any], edges: list[dict[str, Any]]) -> dict[str, Any]:
    return flow(
        node("t", "trigger", keywords=["go"]), *nodes, edges=[edge("t", nodes[0]["id"]), *edges]
    )


def test_a_loop_that_never_waits_stops_after_three_visits_naming_the_node() -> None:
    bot = Bot(trigger(node("m", "message", text="spam"), node("g", "goto", targetNodeId="m"),
                      edges=[edge("m", "g")]))  # fmt: skip
    result = bot.start("go")
    assert bot.state.status == "errored"
    assert bot.state.error is not None and bot.state.error.startswith("Node m:")
    assert "3 times" in bot.state.error
    assert len(payloads(result)) == 3
    assert bot.state.node_id == "g"  # the last node entered


def test_at_most_ten_messages_per_run() -> None:
    ids = [f"m{i}" for i in range(12)]
    bot = Bot(trigger(*(node(i, "message", text=i) for i in ids), edges=chain(*ids)))
    result = bot.start("go")
    assert len(payloads(result)) == 10
    assert bot.state.status == "errored"
    assert bot.state.error == "Node m10: more than 10 messages in one run"


def test_at_most_max_steps_nodes_per_run() -> None:
    ids = [f"a{i}" for i in range(30)]
    bot = Bot(trigger(*(node(i, "assign", key="x", value=i) for i in ids), edges=chain(*ids)),
              max_steps=20)  # fmt: skip
    result = bot.start("go")
    assert len(result.path) == 20
    assert bot.state.status == "errored"
    assert bot.state.error is not None and "more than 20 steps" in bot.state.error


def test_an_edge_to_a_missing_node_errors_naming_where_it_came_from() -> None:
    bot = Bot(trigger(node("m", "message", text="hi"), edges=[edge("m", "ghost")]))
    result = bot.start("go")
    assert len(payloads(result)) == 1  # what was sent before stays sent
    assert bot.state.status == "errored"
    assert bot.state.error == "Node m: leads to node 'ghost', which does not exist"
    assert bot.state.node_id == "m"


def test_invalid_node_data_errors_naming_node_and_field() -> None:
    bot = Bot(trigger(node("d", "delay", seconds="pronto"), edges=[]))
    bot.start("go")
    assert bot.state.status == "errored"
    assert bot.state.error is not None and bot.state.error.startswith("Node d: invalid seconds")


def test_unknown_node_type_errors() -> None:
    bot = Bot(trigger(node("x", "carousel"), edges=[]))
    bot.start("go")
    assert bot.state.error == "Node x: unknown node type 'carousel'"


def test_a_message_meta_would_refuse_errors_instead_of_being_sent() -> None:
    bot = Bot(trigger(node("o", "options", text="{{input}}", options=["a" * 21]), edges=[]))
    result = bot.start("go")
    assert not any(isinstance(e, SendMessage) for e in result.effects)
    assert bot.state.status == "errored"
    assert bot.state.error is not None and "Node o: the message cannot be sent" in bot.state.error


def test_templated_text_longer_than_the_limit_errors() -> None:
    bot = Bot(trigger(node("m", "message", text="{{input}}" * 600), edges=[]))
    bot.start("go " + "x" * 10)  # 13 × 600 characters: more than WhatsApp's 4096
    assert bot.state.status == "errored"
    assert bot.state.error is not None and "4096" in bot.state.error


def test_start_without_any_trigger() -> None:
    bot = Bot(flow(node("m", "message", text="hi")))
    bot.start("go")
    assert bot.state.status == "errored" and bot.state.error == "The flow has no trigger node"


def test_start_at_a_given_trigger_with_variables_and_no_message() -> None:
    definition = flow(
        node("t1", "trigger", keywords=["a"]),
        node("t2", "trigger", keywords=["b"]),
        node("m1", "message", text="one"),
        node("m2", "message", text="two {{order}}"),
        edges=[edge("t1", "m1"), edge("t2", "m2")],
    )
    bot = Bot(definition)
    result = bot.start(None, trigger_node_id="t2", variables={"order": "A-1"})
    assert [p["text"]["body"] for p in payloads(result)] == ["two A-1"]
    assert "input" not in bot.variables
    assert Bot(definition).start("b").path == ["t2", "m2"]  # matched by keyword
    assert Bot(definition).start("zzz").path == ["t1", "m1"]  # first trigger as fallback


def test_start_at_a_missing_node() -> None:
    bot = Bot(flow(node("t", "trigger", keywords=["a"])))
    bot.start("a", trigger_node_id="nope")
    assert bot.state.status == "errored"


def test_calls_in_the_wrong_state_do_nothing() -> None:
    engine = Engine(parse_definition(trigger(node("w", "wait"), edges=[])))
    for status in ("completed", "errored", "expired", "handed_off", "waiting_timer", "active"):
        state = SessionState(node_id="w", status=status, variables={"a": 1})
        result = engine.receive(state, CONTACT, Inbound(text="x"))
        assert result.effects == [] and result.path == []
        assert result.state.status == status and result.state.variables == {"a": 1}


def test_a_state_pointing_at_a_removed_node_errors() -> None:
    engine = Engine(parse_definition(trigger(node("w", "wait"), edges=[])))
    state = SessionState(node_id="gone", status="waiting_input")
    result = engine.receive(state, CONTACT, Inbound(text="x"))
    assert result.state.status == "errored"
    assert result.state.error == "Node gone: no longer exists in this flow"
    assert engine.fire_timer(state, CONTACT, "delay").effects == []
    assert engine.resume(state, CONTACT).effects == []


def test_receive_at_a_node_that_does_not_wait_errors() -> None:
    engine = Engine(parse_definition(trigger(node("m", "message", text="x"), edges=[])))
    result = engine.receive(SessionState(node_id="m", status="waiting_input"), CONTACT, Inbound(""))
    assert result.state.status == "errored"


def test_the_input_state_is_never_modified() -> None:
    engine = Engine(parse_definition(trigger(node("w", "wait", variable="v"), edges=[])))
    state = SessionState(node_id="w", status="waiting_input", variables={"keep": [1]})
    before = json.dumps(state.to_json())
    engine.receive(state, CONTACT, Inbound(text="x"))
    assert json.dumps(state.to_json()) == before


def test_an_invalid_recipient_errors_instead_of_raising() -> None:
    contact = ContactView(id="c", address="not a phone")
    bot = Bot(trigger(node("m", "message", text="hi"), edges=[]), contact=contact)
    bot.start("go")
    assert bot.state.status == "errored"


def test_http_call_is_always_last_and_the_state_waits() -> None:
    bot = Bot(trigger(node("m", "message", text="hi"), node("h", "http", url="https://x.test"),
                      edges=[edge("m", "h")]))  # fmt: skip
    result = bot.start("go")
    assert isinstance(result.effects[-1], HttpCall)
    assert bot.state.status == "waiting_http"


def test_state_json_round_trip_and_tolerant_loading() -> None:
    state = SessionState("n1", "waiting_input", {"a": {"b": [1, 2.5, None]}, "t": (1,)}, 2, None)
    raw = json.dumps(state.to_json())
    loaded = SessionState.from_json(raw)
    assert loaded.to_json() == json.loads(raw)
    assert loaded.variables["t"] == [1]
    odd = SessionState.from_json({"status": "weird", "attempts": -1, "variables": "x"})
    assert (odd.status, odd.attempts, odd.variables) == ("active", 0, {})
