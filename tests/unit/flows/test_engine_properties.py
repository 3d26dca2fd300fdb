"""Property tests: random valid graphs and random conversations never break the engine.

For any valid graph (random node types with valid data, random edges including cycles) and
any sequence of inputs (texts, button taps, WhatsApp Flow answers, timers, HTTP results,
"resume bot"), every engine call returns without raising, stays within its step and message
limits, keeps the HTTP call last, and leaves a state that survives a JSON round trip.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finnegans.flows.definition import parse_definition
from finnegans.flows.engine import (
    Engine,
    HttpCall,
    HttpResponse,
    Inbound,
    SendMessage,
    SessionState,
    StepResult,
)
from finnegans.flows.engine_types import STATUSES
from finnegans.flows.nodes import handles_of
from finnegans.flows.validation import validate_definition

from .helpers import CONTACT

KEYWORDS = ["hola", "menu", "precio", "ayuda"]
TEXTS = ["Hola {{contact.name|amigo}}", "Total: {{order.total}}", "{{input}}", "Listo", "{{x.y.0}}"]
TITLES = ["Sí", "No", "Ventas", "Soporte", "Otro", "Más info", "Salir"]
CONDITIONS = [
    'input == "hola"',
    "size(input) > 3",
    "missing_var > 10",
    'input.lowerAscii().contains("precio")',
    'contact.attributes.plan in ["gold"]',
    "messageCount > 2",
]
NODE_TYPES = [
    "message", "options", "list", "cta_url", "question", "media", "template", "delay", "wait",
    "condition", "api", "http", "assign", "set_attribute", "tag", "whatsapp_flow", "handoff",
    "start_flow", "goto", "end",
]  # fmt: skip


@st.composite
def node_data(draw: st.DrawFn, kind: str, node_id: str, others: list[str]) -> dict[str, Any]:
    text = draw(st.sampled_from(TEXTS))
    if kind == "message":
        return {"text": text}
    if kind == "options":
        options = draw(st.lists(st.sampled_from(TITLES), min_size=1, max_size=6, unique=True))
        # More than 3 reply buttons is invalid; the list display carries up to 10.
        display = "list" if len(options) > 3 else draw(st.sampled_from(["buttons", "list"]))
        return {"text": text, "options": options, "display": display}
    if kind == "list":
        titles = draw(st.lists(st.sampled_from(TITLES), min_size=1, max_size=5, unique=True))
        return {"text": text, "buttonText": "Ver", "sections": [
            {"title": "A", "rows": [{"title": t} for t in titles[:2]]},
            *([{"title": "B", "rows": [{"title": t} for t in titles[2:]]}] if titles[2:] else []),
        ]}  # fmt: skip
    if kind == "cta_url":
        return {"text": text, "buttonText": "Abrir", "url": "https://x.test/{{input}}"}
    if kind == "question":
        validation = draw(st.sampled_from(
            ["text", "number", "email", "phone", "date", "regex", "choice"]))  # fmt: skip
        data: dict[str, Any] = {"text": text, "variable": "answer", "validation": validation,
                                "maxAttempts": draw(st.integers(1, 3))}  # fmt: skip
        if validation == "regex":
            data["pattern"] = r"\d+"
        if validation == "choice":
            data["choices"] = draw(st.lists(st.sampled_from(TITLES), min_size=1, max_size=4,
                                            unique=True))  # fmt: skip
        return data
    if kind == "media":
        return {"mediaType": draw(st.sampled_from(["image", "video", "audio", "document"])),
                "url": "https://x.test/file", "caption": text}  # fmt: skip
    if kind == "template":
        return {"templateName": "hello", "language": "en_US",
                "parameters": [{"component": "body", "value": "{{input|x}}"}]}  # fmt: skip
    if kind == "delay":
        return {"seconds": draw(st.integers(1, 100))}
    if kind == "wait":
        return {"variable": "reply", "timeoutSeconds": draw(st.sampled_from([0, 60]))}
    if kind == "condition":
        if draw(st.booleans()):
            return {"expression": draw(st.sampled_from(CONDITIONS))}
        return {"rules": {"match": draw(st.sampled_from(["all", "any"])), "conditions": [
            {"left": "{{input}}", "op": draw(st.sampled_from(["eq", "contains", "gt", "matches"])),
             "right": "1"}]}}  # fmt: skip
    if kind in ("api", "http"):
        return {"url": "https://api.test/{{input}}", "method": "POST",
                "body": '{"q": "{{input}}"}', "assignTo": "result",
                "responseMapping": {"name": "data.name"}}  # fmt: skip
    if kind == "assign":
        return {"key": draw(st.sampled_from(["x", "order.total", "a.b.c"])), "value": text}
    if kind == "set_attribute":
        return {"key": "city", "value": text}
    if kind == "tag":
        return {"action": draw(st.sampled_from(["add", "remove"])), "tags": ["lead"]}
    if kind == "whatsapp_flow":
        return {"body": text, "flowId": "123", "screen": "START"}
    if kind == "handoff":
        return {"queue": "Ventas", "note": text}
    if kind == "start_flow":
        return {"flowId": "other"}
    if kind == "goto":
        return {"targetNodeId": draw(st.sampled_from(others))}
    return {"reason": "end"}


@st.composite
def graphs(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(1, 10))
    ids = [f"n{i}" for i in range(count)]
    nodes: list[dict[str, Any]] = [
        {"id": "t0", "type": "trigger",
         "data": {"keywords": draw(st.lists(st.sampled_from(KEYWORDS), min_size=1, max_size=2,
                                            unique=True))}},
    ]  # fmt: skip
    for node_id in ids:
        kind = draw(st.sampled_from(NODE_TYPES))
        others = [i for i in ids if i != node_id] or ["t0"]
        data = draw(node_data(kind, node_id, others))
        nodes.append({"id": node_id, "type": kind, "data": data})
    all_ids = ["t0", *ids]
    edges = []
    for raw in nodes:
        parsed = parse_definition({"version": 2, "nodes": [raw]}).nodes[raw["id"]]
        for handle in handles_of(raw["type"], parsed.data, raw["data"]):
            if raw["id"] == "t0" or draw(st.integers(0, 4)) > 0:  # most exits connected
                # Any node, so cycles happen; the trigger itself leads into the flow.
                target = draw(st.sampled_from(ids if raw["id"] == "t0" else all_ids))
                edges.append({"id": f"e{len(edges)}", "source": raw["id"], "target": target,
                              "sourceHandle": handle})  # fmt: skip
    return {"version": 2, "nodes": nodes, "edges": edges}


EVENTS = st.one_of(
    st.tuples(st.just("text"), st.sampled_from([*KEYWORDS, *TITLES, "1", "2", "42", "x", "",
                                                "ana@x.com", "9/3/2024", "+54 11 4567-8901"])),
    st.tuples(st.just("tap"), st.integers(0, 6)),
    st.tuples(st.just("flow"), st.just({"name": "Zoe"})),
    st.tuples(st.just("timer"), st.sampled_from(["delay", "timeout"])),
    st.tuples(st.just("http"), st.sampled_from([200, 404, 500, None])),
    st.tuples(st.just("resume"), st.none()),
    st.tuples(st.just("restart"), st.sampled_from(KEYWORDS)),
)  # fmt: skip


def check(result: StepResult, engine: Engine) -> SessionState:
    assert len(result.path) <= engine.max_steps
    assert sum(isinstance(e, SendMessage) for e in result.effects) <= engine.max_sends
    calls = [i for i, e in enumerate(result.effects) if isinstance(e, HttpCall)]
    assert calls in ([], [len(result.effects) - 1])
    if calls:
        assert result.state.status == "waiting_http"
    assert result.state.status in STATUSES
    if result.state.status == "errored":
        assert result.state.error
    stored = json.loads(json.dumps(result.state.to_json()))  # JSON-serialisable
    loaded = SessionState.from_json(stored)
    assert loaded.to_json() == stored  # and round-trips
    return loaded


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    definition=graphs(),
    first=st.sampled_from([*KEYWORDS, "nada"]),
    events=st.lists(EVENTS, max_size=12),
    limits=st.sampled_from([(100, 10, 3), (5, 2, 1), (30, 4, 2)]),
)
def test_random_graphs_and_conversations_never_break_the_engine(
    definition: dict[str, Any],
    first: str,
    events: list[tuple[str, Any]],
    limits: tuple[int, int, int],
) -> None:
    errors = [p for p in validate_definition(definition) if p.severity == "error"]
    assert errors == [], errors  # the generator only builds valid graphs
    max_steps, max_sends, max_visits = limits
    engine = Engine(
        parse_definition(definition),
        max_steps=max_steps,
        max_sends=max_sends,
        max_visits=max_visits,
    )
    state = check(engine.start(CONTACT, Inbound(text=first)), engine)
    for kind, value in events:
        if kind == "text":
            result = engine.receive(state, CONTACT, Inbound(text=value))
        elif kind == "tap":
            inbound = Inbound(text=TITLES[value], type="interactive", reply_id=f"opt-{value}",
                              reply_title=TITLES[value])  # fmt: skip
            result = engine.receive(state, CONTACT, inbound)
        elif kind == "flow":
            result = engine.receive(state, CONTACT, Inbound(text="", flow_response=value))
        elif kind == "timer":
            result = engine.fire_timer(state, CONTACT, value)
        elif kind == "http":
            body = '{"data": {"name": "Zoe"}}' if value == 200 else "oops"
            error = "timeout" if value is None else None
            result = engine.http_result(state, CONTACT, HttpResponse(value, body, error))
        elif kind == "resume":
            result = engine.resume(state, CONTACT)
        else:
            result = engine.start(CONTACT, Inbound(text=value))
        state = check(result, engine)
