"""The seeded demo flow is valid and runs: a new user's first chat must work."""

from __future__ import annotations

import json

from finnegans.flows.definition import FlowGraph, normalize_definition
from finnegans.flows.engine import ContactView, Engine, Inbound, SendMessage
from finnegans.flows.validation import validate_definition
from finnegans.seed import DEMO_FLOW


def test_demo_flow_publishes_and_answers_hola() -> None:
    definition = normalize_definition(json.loads(DEMO_FLOW.read_text(encoding="utf-8")))
    blocking = [p for p in validate_definition(definition) if p.severity != "warning"]
    assert blocking == []
    types = {node["type"] for node in definition["nodes"]}
    assert len(types) >= 12  # it shows off the node types

    engine = Engine(FlowGraph.parse(definition))
    contact = ContactView(id="c", address="15550001234", name="Lucía")
    first = engine.start(contact, Inbound(text="Hola!"))
    sent = [e.payload for e in first.effects if isinstance(e, SendMessage)]
    assert sent[0]["text"]["body"] == "Hi Lucía! 👋 I'm the Finnegans demo bot."
    assert sent[1]["interactive"]["type"] == "button"
    assert first.state.status == "waiting_input"

    products = engine.receive(first.state, contact, Inbound(text="1"))
    [listing] = [e.payload for e in products.effects if isinstance(e, SendMessage)]
    assert listing["interactive"]["type"] == "list"
    picked = engine.receive(
        products.state,
        contact,
        Inbound(text="Hand grinder", type="interactive", reply_id="opt-2",
                reply_title="Hand grinder"),
    )  # fmt: skip
    asked = [e.payload for e in picked.effects if isinstance(e, SendMessage)]
    assert "Hand grinder" in asked[0]["text"]["body"]
    done = engine.receive(picked.state, contact, Inbound(text="ana@example.com"))
    texts = [e.payload["text"]["body"] for e in done.effects if isinstance(e, SendMessage)]
    assert texts == ["Thanks! The price list is on its way to ana@example.com."]
    assert done.state.status == "waiting_timer"  # the short pause before "anything else?"
