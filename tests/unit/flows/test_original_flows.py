"""Flows from the original builder import unchanged and run as the original intended."""

from __future__ import annotations

import json
from typing import Any

import pytest

from finnegans.flows.definition import normalize_definition, parse_definition
from finnegans.flows.engine import (
    Handoff,
    HttpCall,
    ScheduleTimer,
)
from finnegans.flows.nodes import ORIGINAL_NODE_TYPES
from finnegans.flows.validation import validate_definition

from .helpers import Bot, payloads, texts

# The builder's default new flow (original-system.md §2.1), exactly as the original stored it.
DEFAULT_FLOW: dict[str, Any] = {
    "nodes": [
        {"id": "n1", "type": "trigger", "position": {"x": 0, "y": 0},
         "data": {"name": "Comienzo", "keyword": "Hola"}},
        {"id": "n2", "type": "message", "position": {"x": 0, "y": 160},
         "data": {"name": "Bienvenida", "text": "Bienvenido! ¿Cómo puedo ayudarte?",
                  "useTemplate": False}},
        {"id": "n3", "type": "options", "position": {"x": 0, "y": 320},
         "data": {"name": "Menú Principal", "text": "Elegí una opción:",
                  "options": ["Soporte", "Ventas", "Información"]}},
        {"id": "n4", "type": "end", "position": {"x": -220, "y": 520},
         "data": {"name": "Fin", "reason": "fin del flujo"}},
    ],
    "edges": [
        {"id": "e1-2", "source": "n1", "target": "n2", "type": "smoothstep",
         "markerEnd": {"type": "arrowclosed"}},
        {"id": "e2-3", "source": "n2", "target": "n3", "type": "smoothstep",
         "markerEnd": {"type": "arrowclosed"}},
        {"id": "e3-4a", "source": "n3", "sourceHandle": "opt-0", "target": "n4"},
        {"id": "e3-4b", "source": "n3", "sourceHandle": "no-match", "target": "n4"},
    ],
}  # fmt: skip


def _sales_branch() -> dict[str, Any]:
    """The default flow with its "Ventas" (opt-1) exit connected to a message."""
    definition = json.loads(json.dumps(DEFAULT_FLOW))
    definition["nodes"].append(
        {"id": "n5", "type": "message", "position": {"x": 220, "y": 520},
         "data": {"name": "Ventas", "text": "Te paso con ventas", "useTemplate": False},
         "selected": True, "width": 180}
    )  # fmt: skip
    definition["edges"].append({"id": "e3-5", "source": "n3", "sourceHandle": "opt-1",
                                "target": "n5", "type": "smoothstep"})  # fmt: skip
    return definition


# A flow using all twelve original node types, in the original format (no version, `keyword`,
# JavaScript condition, React Flow extras).
ALL_TYPES: dict[str, Any] = {
    "nodes": [
        {"id": "n1", "type": "trigger", "position": {"x": 0, "y": 0},
         "data": {"name": "Entrada", "keyword": "pedido"}, "selected": False, "width": 150},
        {"id": "n2", "type": "message", "position": {"x": 0, "y": 100},
         "data": {"name": "Eco", "text": "Recibimos: {{ input }}", "useTemplate": False}},
        {"id": "n3", "type": "assign", "position": {"x": 0, "y": 200},
         "data": {"name": "Guardar", "key": "customer.message", "value": "{{input}}"}},
        {"id": "n4", "type": "api", "position": {"x": 0, "y": 300},
         "data": {"name": "API", "url": "https://api.example.com/orders", "method": "POST",
                  "headers": {"X-Token": "t-{{customer.message}}"},
                  "body": "{\"echo\":\"{{ input }}\"}", "assignTo": "apiResult"}},
        {"id": "n5", "type": "condition", "position": {"x": 0, "y": 400},
         "data": {"name": "¿OK?", "expression": "context.apiResult.ok === true"}},
        {"id": "n6", "type": "media", "position": {"x": 0, "y": 500},
         "data": {"name": "Foto", "mediaType": "image", "url": "https://example.com/cat.png",
                  "caption": "Pedido {{apiResult.id}}"}},
        {"id": "n7", "type": "delay", "position": {"x": 0, "y": 600},
         "data": {"name": "Pausa", "seconds": 5}},
        {"id": "n8", "type": "options", "position": {"x": 0, "y": 700},
         "data": {"name": "Más", "text": "¿Algo más?", "options": ["Sí", "No"]}},
        {"id": "n9", "type": "whatsapp_flow", "position": {"x": 0, "y": 800},
         "data": {"name": "Form", "header": "Completar información", "body": "Abrí el Flow",
                  "footer": "Gracias", "cta": "Abrir Flow", "flowId": "1234567890",
                  "screen": "WELCOME"}},
        {"id": "n10", "type": "handoff", "position": {"x": 200, "y": 800},
         "data": {"name": "Agente", "queue": "Ventas", "note": "VIP {{input}}"}},
        {"id": "n11", "type": "message", "position": {"x": 200, "y": 500},
         "data": {"name": "Error", "text": "No pudimos registrar el pedido", "useTemplate": False}},
        {"id": "n12", "type": "goto", "position": {"x": 400, "y": 800},
         "data": {"name": "Ir", "targetNodeId": "n13"}},
        {"id": "n13", "type": "end", "position": {"x": 0, "y": 900},
         "data": {"name": "Fin", "reason": "fin"}},
    ],
    "edges": [
        {"id": "a", "source": "n1", "target": "n2", "type": "smoothstep"},
        {"id": "b", "source": "n2", "target": "n3", "markerEnd": {"type": "arrowclosed"}},
        {"id": "c", "source": "n3", "target": "n4"},
        {"id": "d", "source": "n4", "target": "n5"},
        {"id": "e", "source": "n5", "sourceHandle": "true", "target": "n6"},
        {"id": "f", "source": "n5", "sourceHandle": "false", "target": "n11"},
        {"id": "g", "source": "n6", "target": "n7"},
        {"id": "h", "source": "n7", "target": "n8"},
        {"id": "i", "source": "n8", "sourceHandle": "opt-0", "target": "n9"},
        {"id": "j", "source": "n8", "sourceHandle": "opt-1", "target": "n12"},
        {"id": "k", "source": "n8", "sourceHandle": "no-match", "target": "n10"},
        {"id": "l", "source": "n9", "target": "n13"},
        {"id": "m", "source": "n11", "target": "n13"},
    ],
}  # fmt: skip


def test_all_types_flow_really_uses_every_original_type() -> None:
    assert {n["type"] for n in ALL_TYPES["nodes"]} == set(ORIGINAL_NODE_TYPES)


# --- the default flow ----------------------------------------------------------------------------


def test_default_flow_imports_unchanged_except_the_documented_additions() -> None:
    stored = normalize_definition(DEFAULT_FLOW)
    assert stored["version"] == 2
    trigger = stored["nodes"][0]["data"]
    assert trigger == {"name": "Comienzo", "keyword": "Hola", "keywords": ["Hola"]}
    assert stored["edges"] == DEFAULT_FLOW["edges"]  # React Flow extras kept
    assert normalize_definition(stored) == stored  # idempotent
    assert normalize_definition(json.dumps(DEFAULT_FLOW)) == stored  # a JSON string works too


def test_default_flow_has_no_errors_and_reports_unconnected_options() -> None:
    problems = validate_definition(DEFAULT_FLOW)
    assert [p for p in problems if p.severity == "error"] == []
    assert [p for p in problems if p.severity == "incomplete"] == []  # it can be published
    unconnected = {p.field for p in problems if p.severity == "warning"}
    assert unconnected == {"options[1]", "options[2]"}


@pytest.mark.parametrize("greeting", ["Hola", "hola", "Hola!", "¡Hola, buenas!", "HOLA "])
def test_hola_sends_welcome_then_three_reply_buttons(greeting: str) -> None:
    bot = Bot(DEFAULT_FLOW)
    result = bot.start(greeting)
    assert result.path == ["n1", "n2", "n3"]
    assert texts(result) == ["Bienvenido! ¿Cómo puedo ayudarte?", "Elegí una opción:"]
    buttons = payloads(result)[1]["interactive"]["action"]["buttons"]
    assert [(b["reply"]["id"], b["reply"]["title"]) for b in buttons] == [
        ("opt-0", "Soporte"),
        ("opt-1", "Ventas"),
        ("opt-2", "Información"),
    ]
    assert payloads(result)[0]["to"] == bot.contact.address
    assert bot.state.status == "waiting_input"
    assert bot.variables["triggerMessage"] == greeting


def test_cholado_does_not_start_the_flow_at_the_hola_trigger() -> None:
    graph = parse_definition(DEFAULT_FLOW)
    from finnegans.flows.engine import Inbound

    assert graph.match_trigger(Inbound(text="cholado")) is None
    assert graph.match_trigger(Inbound(text="Hola!")) is not None


@pytest.mark.parametrize(
    ("how", "value"),
    [("typed", "Ventas"), ("button", "opt-1"), ("number", "2"), ("typed", "ventas"),
     ("typed", "VENTAS!"), ("legacy id", "ventas")],
)  # fmt: skip
def test_every_way_of_choosing_ventas_follows_opt_1(how: str, value: str) -> None:
    bot = Bot(_sales_branch())
    bot.start("hola")
    if how == "button":
        result = bot.tap(value, "Ventas")
    elif how == "legacy id":
        result = bot.tap(value, "")  # the original derived button ids from titles
    else:
        result = bot.say(value)
    assert result.path == ["n5"]
    assert texts(result) == ["Te paso con ventas"]
    assert bot.variables["lastSelectedOption"] == "Ventas"
    assert bot.variables["lastSelectedOptionIndex"] == 1
    assert bot.state.status == "completed"  # n5 has no exit


def test_soporte_and_unknown_reply_end_the_flow_with_its_reason() -> None:
    bot = Bot(DEFAULT_FLOW)
    bot.start("hola")
    result = bot.say("quiero un humano")
    assert result.path == ["n4"]
    assert bot.state.status == "completed"
    assert bot.state.node_id == "n4"
    assert bot.variables["endReason"] == "fin del flujo"
    assert bot.variables["lastSelectedOption"] is None


def test_an_unconnected_choice_completes_instead_of_leaving_a_sticky_session() -> None:
    bot = Bot(DEFAULT_FLOW)
    bot.start("hola")
    result = bot.say("Información")  # opt-2 is not connected in the default flow
    assert result.effects == []
    assert bot.state.status == "completed"
    assert bot.state.node_id == "n3"


# --- all twelve types ----------------------------------------------------------------------------


def test_all_types_flow_validates_without_errors_or_gaps() -> None:
    problems = validate_definition(ALL_TYPES)
    assert [p for p in problems if p.severity != "warning"] == []


def test_all_types_flow_translates_its_javascript_condition() -> None:
    stored = normalize_definition(ALL_TYPES)
    condition = next(n for n in stored["nodes"] if n["id"] == "n5")["data"]
    assert condition["expression"] == "apiResult.ok == true"
    assert condition["originalExpression"] == "context.apiResult.ok === true"
    assert stored["nodes"][0]["selected"] is False  # passthrough keys survive


def _run_to_options(bot: Bot) -> None:
    result = bot.start("Quiero hacer un pedido")
    assert result.path == ["n1", "n2", "n3", "n4"]
    assert texts(result) == ["Recibimos: Quiero hacer un pedido"]
    call = result.effects[-1]
    assert isinstance(call, HttpCall)
    assert (call.method, call.url) == ("POST", "https://api.example.com/orders")
    assert call.headers["X-Token"] == "t-Quiero hacer un pedido"
    assert json.loads(call.body or "") == {"echo": "Quiero hacer un pedido"}
    assert bot.state.status == "waiting_http"
    assert bot.variables["customer"] == {"message": "Quiero hacer un pedido"}

    result = bot.http(200, '{"ok": true, "id": "A-17"}')
    assert result.path == ["n5", "n6", "n7"]
    media = payloads(result)[0]
    assert media["image"] == {"link": "https://example.com/cat.png", "caption": "Pedido A-17"}
    assert result.effects[-1] == ScheduleTimer("n7", 5, "delay")
    assert bot.state.status == "waiting_timer"

    result = bot.timer("delay")
    assert result.path == ["n8"]
    assert texts(result) == ["¿Algo más?"]
    assert bot.state.status == "waiting_input"


def test_all_types_flow_no_goes_through_goto_to_end() -> None:
    bot = Bot(ALL_TYPES)
    _run_to_options(bot)
    result = bot.say("no")
    assert result.path == ["n12", "n13"]
    assert bot.state.status == "completed"
    assert bot.variables["endReason"] == "fin"


def test_all_types_flow_si_opens_the_whatsapp_flow_and_stores_its_answers() -> None:
    bot = Bot(ALL_TYPES)
    _run_to_options(bot)
    result = bot.tap("opt-0", "Sí")
    assert result.path == ["n9"]
    interactive = payloads(result)[0]["interactive"]
    assert interactive["type"] == "flow"
    assert interactive["action"]["parameters"]["flow_cta"] == "Abrir Flow"
    assert bot.state.status == "waiting_input"

    from finnegans.flows.engine import Inbound

    result = bot.send(
        Inbound(text="Sent", type="interactive", flow_response={"name": "Ana", "flow_token": "x"})
    )
    assert result.path == ["n13"]
    assert bot.variables["flow"] == {"name": "Ana", "flow_token": "x"}
    assert bot.state.status == "completed"


def test_all_types_flow_unknown_reply_hands_off_and_the_bot_stays_silent() -> None:
    bot = Bot(ALL_TYPES)
    _run_to_options(bot)
    result = bot.say("mmm no sé")
    assert result.path == ["n10"]
    assert result.effects == [Handoff("n10", "Ventas", "VIP mmm no sé", None, 0)]
    assert bot.state.status == "handed_off"
    silent = bot.say("hola? hay alguien?")
    assert silent.effects == [] and silent.path == []
    assert bot.state.status == "handed_off"


def test_all_types_flow_failed_api_call_takes_the_false_branch() -> None:
    bot = Bot(ALL_TYPES)
    bot.start("pedido")
    result = bot.http(None, None, error="timed out after 10 s")
    assert result.path == ["n5", "n11", "n13"]
    assert texts(result) == ["No pudimos registrar el pedido"]
    assert bot.variables["apiResult"] == {"error": "timed out after 10 s"}


def test_original_whatsapp_flow_node_without_a_meta_flow_id_sends_its_text() -> None:
    """No Meta Flow to open: the node's text goes out as a message (the original sent nothing
    and still showed it as sent) and the flow carries on."""
    definition = {
        "nodes": [
            {"id": "n1", "type": "trigger", "data": {"keyword": "form"}},
            {"id": "n2", "type": "whatsapp_flow",
             "data": {"header": "Completar información", "body": "Abrí el Flow",
                      "footer": "Gracias por tu tiempo", "cta": "Abrir Flow"}},
            {"id": "n3", "type": "end", "data": {}},
        ],
        "edges": [{"id": "e", "source": "n1", "target": "n2"},
                  {"id": "f", "source": "n2", "target": "n3"}],
    }  # fmt: skip
    problems = validate_definition(definition)
    assert [(p.node, p.field, p.severity) for p in problems] == [("n2", "flowId", "warning")]
    bot = Bot(definition)
    result = bot.start("form")
    assert texts(result) == ["Completar información\n\nAbrí el Flow\n\nGracias por tu tiempo"]
    assert bot.state.status == "completed"
