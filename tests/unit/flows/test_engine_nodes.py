"""What each node type does, seen from the contact's side (messages) and the runtime's (effects)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from finnegans.flows.engine import (
    CancelTimers,
    ChangeTags,
    Handoff,
    HttpCall,
    Inbound,
    ScheduleTimer,
    SetAttribute,
    StartFlow,
)

from .helpers import Bot, chain, edge, flow, node, payloads, texts


def started(*nodes: dict[str, Any], edges: list[dict[str, Any]] | None = None) -> Bot:
    """A bot whose flow starts with a `hola` trigger leading to the first node."""
    first = nodes[0]["id"]
    definition = flow(
        node("t", "trigger", keywords=["hola"]), *nodes, edges=[edge("t", first), *(edges or [])]
    )
    bot = Bot(definition)
    bot.start("hola")
    return bot


# --- messages -----------------------------------------------------------------------------------


def test_message_renders_variables_and_contact() -> None:
    bot = started(node("m", "message", text="Hola {{contact.name}}, dijiste {{input}}"))
    assert texts(bot.last) == ["Hola Ana, dijiste hola"]  # type: ignore[arg-type]
    assert bot.state.status == "completed"


def test_message_with_template_groups_parameters() -> None:
    bot = started(
        node("m", "message", useTemplate=True, templateName="pedido_listo",
             templateLanguage="es_AR", templateParameters=[
                 {"component": "body", "type": "text", "value": "{{contact.name}}"},
                 {"component": "BODY", "value": "A-1"},
                 {"component": "button", "subType": "url", "index": 0, "value": "A-1"},
             ])
    )  # fmt: skip
    template = payloads(bot.last)[0]["template"]  # type: ignore[arg-type]
    assert template["name"] == "pedido_listo"
    assert template["language"] == {"code": "es_AR"}
    assert template["components"] == [
        {"type": "body", "parameters": [{"type": "text", "text": "Ana"},
                                        {"type": "text", "text": "A-1"}]},
        {"type": "button", "sub_type": "url", "index": "0",
         "parameters": [{"type": "text", "text": "A-1"}]},
    ]  # fmt: skip


def test_template_node_with_media_header_and_quick_reply() -> None:
    bot = started(
        node("tp", "template", templateName="promo", language="en_US", parameters=[
            {"component": "header", "type": "image", "value": "https://x.test/a.png"},
            {"component": "button", "type": "payload", "subType": "quick_reply", "index": 1,
             "value": "BUY"},
        ])
    )  # fmt: skip
    components = payloads(bot.last)[0]["template"]["components"]  # type: ignore[arg-type]
    assert components[0] == {
        "type": "header",
        "parameters": [{"type": "image", "image": {"link": "https://x.test/a.png"}}],
    }
    assert components[1]["sub_type"] == "quick_reply"
    assert components[1]["parameters"] == [{"type": "payload", "payload": "BUY"}]


def test_options_up_to_three_are_reply_buttons() -> None:
    bot = started(node("o", "options", text="¿{{contact.name}}?", options=["A", "B"],
                       header="Menú", footer="Pie"))  # fmt: skip
    interactive = payloads(bot.last)[0]["interactive"]  # type: ignore[arg-type]
    assert interactive["type"] == "button"
    assert interactive["header"] == {"type": "text", "text": "Menú"}
    assert interactive["body"] == {"text": "¿Ana?"}
    assert interactive["footer"] == {"text": "Pie"}
    assert bot.state.status == "waiting_input"


def test_options_four_to_ten_are_a_list_message() -> None:
    options = [f"Opción {i}" for i in range(1, 6)]
    bot = started(node("o", "options", text="Elegí", options=options))
    interactive = payloads(bot.last)[0]["interactive"]  # type: ignore[arg-type]
    assert interactive["type"] == "list"
    assert interactive["action"]["button"] == "Options"
    rows = interactive["action"]["sections"][0]["rows"]
    assert [r["id"] for r in rows] == [f"opt-{i}" for i in range(5)]
    bot2 = started(node("o", "options", text="Elegí", options=options, buttonText="Ver"))
    assert payloads(bot2.last)[0]["interactive"]["action"]["button"] == "Ver"  # type: ignore[arg-type]


LIST = node("l", "list", text="Menú", buttonText="Ver", sections=[
    {"title": "Comidas", "rows": [{"title": "Pizza", "description": "Muzza"}, {"title": "Pasta"}]},
    {"title": "Bebidas", "rows": [{"title": "Agua"}]},
])  # fmt: skip


def test_list_numbers_rows_across_sections() -> None:
    bot = started(
        LIST, node("agua", "message", text="Agua!"), node("nm", "message", text="¿Qué?"),
        edges=[edge("l", "agua", "opt-2"), edge("l", "nm", "no-match")],
    )  # fmt: skip
    sections = payloads(bot.last)[0]["interactive"]["action"]["sections"]  # type: ignore[arg-type]
    assert sections[0]["rows"][0] == {"id": "opt-0", "title": "Pizza", "description": "Muzza"}
    assert sections[1] == {"title": "Bebidas", "rows": [{"id": "opt-2", "title": "Agua"}]}
    result = bot.tap("opt-2", "Agua")
    assert texts(result) == ["Agua!"]


def test_list_unknown_reply_follows_no_match() -> None:
    bot = started(LIST, node("nm", "message", text="¿Qué?"), edges=[edge("l", "nm", "no-match")])
    assert texts(bot.say("sushi")) == ["¿Qué?"]


def test_cta_url() -> None:
    bot = started(node("c", "cta_url", text="Mirá", buttonText="Abrir",
                       url="https://shop.test/p?name={{contact.name}} x"))  # fmt: skip
    action = payloads(bot.last)[0]["interactive"]["action"]  # type: ignore[arg-type]
    assert action == {
        "name": "cta_url",
        "parameters": {"display_text": "Abrir", "url": "https://shop.test/p?name=Ana%20x"},
    }


@pytest.mark.parametrize(
    ("data", "payload_key", "expected"),
    [
        ({"mediaType": "image", "url": "https://x.test/a.png", "caption": "Hola {{contact.name}}"},
         "image", {"link": "https://x.test/a.png", "caption": "Hola Ana"}),
        ({"mediaType": "video", "id": "998877"}, "video", {"id": "998877"}),
        ({"mediaType": "document", "url": "https://x.test/f.pdf", "filename": "f.pdf"},
         "document", {"link": "https://x.test/f.pdf", "filename": "f.pdf"}),
        ({"mediaType": "audio", "url": "https://x.test/a.ogg", "caption": "ignored"},
         "audio", {"link": "https://x.test/a.ogg"}),
    ],
)  # fmt: skip
def test_media(data: dict[str, Any], payload_key: str, expected: dict[str, Any]) -> None:
    bot = started(node("m", "media", **data))
    assert payloads(bot.last)[0][payload_key] == expected  # type: ignore[arg-type]


# --- questions ----------------------------------------------------------------------------------


def question_bot(**data: Any) -> Bot:
    return started(
        node("q", "question", text="¿Dato?", variable="answer", **data),
        node("ok", "message", text="Gracias: {{answer}}"),
        node("fb", "message", text="Te paso con alguien"),
        edges=[edge("q", "ok"), edge("q", "fb", "fallback")],
    )


@pytest.mark.parametrize(
    ("validation", "extra", "bad", "good", "stored"),
    [
        ("text", {}, "", "Ana María", "Ana María"),
        ("number", {}, "muchos", "3", 3),
        ("number", {}, "tres", "2,5", 2.5),
        ("email", {}, "ana(at)x", "ana@x.com", "ana@x.com"),
        ("phone", {}, "123", "+54 11 4567-8901", "+541145678901"),
        ("date", {}, "ayer", "9/3/2024", "2024-03-09"),
        ("regex", {"pattern": r"[A-Z]{3}-\d+"}, "abc", "ABC-12", "ABC-12"),
        ("choice", {"choices": ["Mañana", "Tarde"]}, "noche", "tarde", "Tarde"),
    ],
)
def test_question_validators_reprompt_then_store(
    validation: str, extra: dict[str, Any], bad: str, good: str, stored: object
) -> None:
    bot = question_bot(validation=validation, **extra)
    retry = bot.say(bad)
    assert texts(retry) == ["Sorry, I didn't get that. Please try again."]
    assert bot.state.status == "waiting_input" and bot.state.attempts == 1
    result = bot.say(good)
    assert bot.variables["answer"] == stored
    assert texts(result) == [f"Gracias: {stored}"]
    assert bot.state.attempts == 0


def test_question_max_attempts_then_fallback() -> None:
    bot = question_bot(validation="number", maxAttempts=2, retryText="Un número, {{contact.name}}")
    assert texts(bot.say("x")) == ["Un número, Ana"]
    result = bot.say("y")
    assert texts(result) == ["Te paso con alguien"]
    assert "answer" not in bot.variables


def test_choice_question_with_few_choices_uses_buttons_and_takes_taps() -> None:
    bot = question_bot(validation="choice", choices=["Sí", "No"])
    buttons = payloads(bot.last)[0]["interactive"]["action"]["buttons"]  # type: ignore[arg-type]
    assert [b["reply"]["id"] for b in buttons] == ["opt-0", "opt-1"]
    bot.tap("opt-1", "No")
    assert bot.variables["answer"] == "No"
    assert bot.variables["lastSelectedOption"] == "No"


def test_question_number_stores_an_int_usable_in_conditions() -> None:
    bot = started(
        node("q", "question", text="¿Edad?", variable="age", validation="number"),
        node("c", "condition", expression="age >= 18"),
        node("adult", "message", text="ok"),
        node("minor", "message", text="no"),
        edges=[edge("q", "c"), edge("c", "adult", "true"), edge("c", "minor", "false")],
    )
    assert texts(bot.say("21")) == ["ok"]


# --- timers --------------------------------------------------------------------------------------


def test_delay_schedules_a_durable_timer_and_continues_when_it_fires() -> None:
    bot = started(node("d", "delay", seconds=90.2), node("m", "message", text="¡Listo!"),
                  edges=chain("d", "m"))  # fmt: skip
    assert bot.last is not None and bot.last.effects == [ScheduleTimer("d", 91, "delay")]
    assert bot.state.status == "waiting_timer"
    assert bot.say("¿hola?").effects == []  # messages during a delay do not move the flow
    assert bot.timer("timeout").effects == []  # the wrong kind of timer is ignored
    assert texts(bot.timer("delay")) == ["¡Listo!"]
    assert bot.timer("delay").effects == []  # a second firing is stale


def wait_bot(timeout: int) -> Bot:
    return started(
        node("w", "wait", variable="reply", timeoutSeconds=timeout),
        node("m", "message", text="Dijiste {{reply}}"),
        node("late", "message", text="¿Seguís ahí?"),
        edges=[edge("w", "m"), edge("w", "late", "timeout")],
    )


def test_wait_stores_the_reply_and_cancels_its_timeout() -> None:
    bot = wait_bot(120)
    assert bot.last is not None and bot.last.effects == [ScheduleTimer("w", 120, "timeout")]
    result = bot.say("acá estoy")
    assert result.effects[0] == CancelTimers()
    assert texts(result) == ["Dijiste acá estoy"]
    assert bot.timer("timeout").effects == []  # a late timeout is stale


def test_wait_times_out() -> None:
    bot = wait_bot(60)
    assert texts(bot.timer("timeout")) == ["¿Seguís ahí?"]


def test_wait_without_timeout_schedules_nothing() -> None:
    bot = wait_bot(0)
    assert bot.last is not None and bot.last.effects == []
    assert bot.timer("timeout").effects == []
    assert texts(bot.say("x")) == ["Dijiste x"]


# --- conditions -----------------------------------------------------------------------------------


def condition_bot(**data: Any) -> Bot:
    return Bot(
        flow(
            node("t", "trigger", keywords=["precio", "hola"]),
            node("c", "condition", **data),
            node("yes", "message", text="yes"),
            node("no", "message", text="no"),
            edges=[edge("t", "c"), edge("c", "yes", "true"), edge("c", "no", "false")],
        )
    )


@pytest.mark.parametrize(
    ("data", "message", "expected"),
    [
        ({"expression": 'input.lowerAscii().contains("precio")'}, "PRECIO?", "yes"),
        ({"expression": 'input.lowerAscii().contains("precio")'}, "hola", "no"),
        ({"expression": "missing > 3"}, "hola", "no"),
        ({"expression": 'contact.attributes.plan == "gold"'}, "hola", "yes"),
        ({"rules": {"match": "any", "conditions": [
            {"left": "{{input}}", "op": "contains", "right": "precio"},
            {"left": "{{contact.name}}", "op": "eq", "right": "Bob"}]}}, "Precio!", "yes"),
        ({"rules": {"conditions": [{"left": "{{input}}", "op": "eq", "right": "chau"}]}},
         "hola", "no"),
    ],
)  # fmt: skip
def test_condition(data: dict[str, Any], message: str, expected: str) -> None:
    assert texts(condition_bot(**data).start(message)) == [expected]


def test_original_js_condition_runs_translated() -> None:
    original = {
        "nodes": [
            {"id": "t", "type": "trigger", "data": {"keyword": "hola"}},
            {"id": "c", "type": "condition",
             "data": {"expression": "context.input?.toLowerCase?.().includes('ok')"}},
            {"id": "y", "type": "message", "data": {"text": "yes"}},
            {"id": "n", "type": "message", "data": {"text": "no"}},
        ],
        "edges": [{"id": "1", "source": "t", "target": "c"},
                  {"id": "2", "source": "c", "sourceHandle": "true", "target": "y"},
                  {"id": "3", "source": "c", "sourceHandle": "false", "target": "n"}],
    }  # fmt: skip
    assert texts(Bot(original).start("hola, todo OK")) == ["yes"]
    assert texts(Bot(original).start("hola")) == ["no"]


def test_condition_with_untranslatable_js_errors_instead_of_running() -> None:
    original = {
        "nodes": [{"id": "t", "type": "trigger", "data": {"keyword": "hola"}},
                  {"id": "c", "type": "condition", "data": {"expression": "process.exit(1)"}}],
        "edges": [{"id": "1", "source": "t", "target": "c"}],
    }  # fmt: skip
    bot = Bot(original)
    bot.start("hola")
    assert bot.state.status == "errored"
    assert bot.state.error is not None and bot.state.error.startswith("Node c:")


def test_condition_with_no_branch_connected_completes() -> None:
    bot = Bot(flow(node("t", "trigger", keywords=["x"]), node("c", "condition", expression="true"),
                   edges=chain("t", "c")))  # fmt: skip
    bot.start("x")
    assert bot.state.status == "completed" and bot.state.node_id == "c"


# --- HTTP ---------------------------------------------------------------------------------------


def http_bot(kind: str = "http", **data: Any) -> Bot:
    return started(
        node("h", kind, **data),
        node("ok", "message", text="ok {{name}}"),
        node("ko", "message", text="ko"),
        node("next", "message", text="next"),
        edges=[edge("h", "ok", "success"), edge("h", "ko", "error"), edge("h", "next")]
        if kind == "api"
        else [edge("h", "ok", "success"), edge("h", "ko", "error")],
    )


def test_http_call_is_the_last_effect_and_waits() -> None:
    bot = http_bot(url="https://api.test/u/{{contact.name}}?q={{input}} x", method="post",
                   headers={"Authorization": "Bearer {{contact.attributes.plan}}"},
                   body='{"msg": "{{input}}", "quote": "{{contact.name}} said \\"hi\\""}',
                   timeoutSeconds=5)  # fmt: skip
    call = bot.last.effects[-1]  # type: ignore[union-attr]
    assert isinstance(call, HttpCall)
    assert call.method == "POST"
    assert call.url == "https://api.test/u/Ana?q=hola%20x"
    assert call.headers == {"Authorization": "Bearer gold", "Content-Type": "application/json"}
    assert json.loads(call.body or "") == {"msg": "hola", "quote": 'Ana said "hi"'}
    assert call.timeout_seconds == 5
    assert bot.state.status == "waiting_http"


def test_http_body_values_are_json_escaped() -> None:
    bot = http_bot(url="https://api.test", method="POST", body='{"msg": "{{input}}"}')
    bot2 = Bot(bot.definition)
    bot2.start('hola "amigo"\n')
    call = bot2.last.effects[-1]  # type: ignore[union-attr]
    assert isinstance(call, HttpCall)
    assert json.loads(call.body or "") == {"msg": 'hola "amigo"\n'}


def test_http_get_sends_no_body() -> None:
    bot = http_bot(url="https://api.test", body='{"a": 1}')
    call = bot.last.effects[-1]  # type: ignore[union-attr]
    assert isinstance(call, HttpCall) and call.method == "GET" and call.body is None


def test_http_success_maps_the_response() -> None:
    bot = http_bot(
        url="https://api.test",
        assignTo="result",
        responseMapping={"name": "data.users.0.name", "nope": "data.missing"},
    )
    result = bot.http(200, '{"data": {"users": [{"name": "Zoe"}]}}')
    assert texts(result) == ["ok Zoe"]
    assert bot.variables["result"] == {"data": {"users": [{"name": "Zoe"}]}}
    assert bot.variables["nope"] is None


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [(500, '{"error": "boom"}', None), (404, "not found", None), (None, None, "timeout"),
     (None, None, "refused: private address")],
)  # fmt: skip
def test_http_failure_takes_the_error_exit(
    status: int | None, body: str | None, error: str | None
) -> None:
    bot = http_bot(url="https://api.test", assignTo="result")
    assert texts(bot.http(status, body, error)) == ["ko"]


def test_http_result_when_not_waiting_is_ignored() -> None:
    bot = started(node("m", "message", text="hi"))
    assert bot.http(200, "{}").effects == []
    assert bot.state.status == "completed"


def test_api_node_stores_api_result_and_uses_success_error_when_connected() -> None:
    bot = http_bot("api", url="https://api.test", body='{"echo": "{{ input }}"}')
    call = bot.last.effects[-1]  # type: ignore[union-attr]
    assert isinstance(call, HttpCall) and call.method == "POST"
    assert texts(bot.http(200, '{"id": 1}')) == ["ok "]
    assert bot.variables["apiResult"] == {"id": 1}
    bot = http_bot("api", url="https://api.test")
    assert texts(bot.http(502, "bad gateway")) == ["ko"]
    assert bot.variables["apiResult"] == "bad gateway"  # the original stored any body


def test_api_node_with_only_a_default_exit_continues_either_way() -> None:
    for status in (200, 500):
        bot = started(node("a", "api", url="https://api.test"), node("m", "message", text="next"),
                      edges=chain("a", "m"))  # fmt: skip
        assert texts(bot.http(status, "{}")) == ["next"]


# --- variables, contact, tags ---------------------------------------------------------------------


def test_assign_keeps_strings_and_creates_nested_keys() -> None:
    bot = started(
        node("a", "assign", key="order.total", value="{{input}}-1"),
        node("b", "assign", key="count", value=5),
        node("m", "message", text="{{order.total}} {{count}}"),
        edges=chain("a", "b", "m"),
    )
    assert bot.variables["order"] == {"total": "hola-1"}
    assert bot.variables["count"] == "5"
    assert texts(bot.last) == ["hola-1 5"]  # type: ignore[arg-type]


def test_set_attribute_and_tags_are_effects_and_visible_later_in_the_run() -> None:
    bot = started(
        node("s", "set_attribute", key="city", value="{{input}}"),
        node("t1", "tag", tags=["lead", "lead"]),
        node("t2", "tag", action="remove", tags=["vip"]),
        node("m", "message", text="{{contact.attributes.city}} {{contact.tags}}"),
        edges=chain("s", "t1", "t2", "m"),
    )
    effects = bot.last.effects  # type: ignore[union-attr]
    assert effects[:3] == [
        SetAttribute("s", "city", "hola"),
        ChangeTags("t1", ("lead",), ()),
        ChangeTags("t2", (), ("vip",)),
    ]
    assert texts(bot.last) == ['hola ["lead"]']  # type: ignore[arg-type]


def test_inbound_variables_are_the_originals_and_nothing_more() -> None:
    bot = started(node("w", "wait"), node("w2", "wait"), edges=chain("w", "w2"))
    bot.tap("btn-7", "Comprar")
    assert bot.variables == {
        "input": "Comprar",
        "lastUserMessage": "Comprar",
        "last_reply_id": "btn-7",
        "messageCount": 2,
        "triggerMessage": "hola",
        "trigger_message": "hola",
    }


# --- WhatsApp Flows, handoff, start_flow, goto, end ---------------------------------------------


def flow_bot(*, no_match: bool) -> Bot:
    edges = [edge("f", "done")] + ([edge("f", "other", "no-match")] if no_match else [])
    return started(
        node("f", "whatsapp_flow", body="Completá el formulario", flowId="555", screen="START",
             cta="Abrir", header="Alta", footer="Gracias", variable="form", mode="draft"),
        node("done", "message", text="Gracias {{form.name}}"),
        node("other", "message", text="Usá el formulario"),
        edges=edges,
    )  # fmt: skip


def test_whatsapp_flow_message_shape() -> None:
    bot = flow_bot(no_match=True)
    payload = payloads(bot.last)[0]  # type: ignore[arg-type]
    assert payload["type"] == "interactive"
    assert payload["interactive"] == {
        "type": "flow",
        "header": {"type": "text", "text": "Alta"},
        "body": {"text": "Completá el formulario"},
        "footer": {"text": "Gracias"},
        "action": {
            "name": "flow",
            "parameters": {
                "flow_message_version": "3",
                "flow_id": "555",
                "flow_cta": "Abrir",
                "flow_action": "navigate",
                "flow_action_payload": {"screen": "START"},
                "mode": "draft",
            },
        },
    }


def test_whatsapp_flow_answers_land_in_the_variable() -> None:
    bot = flow_bot(no_match=True)
    result = bot.send(Inbound(text="", type="interactive", flow_response={"name": "Zoe"}))
    assert texts(result) == ["Gracias Zoe"]


def test_whatsapp_flow_other_message_follows_no_match_or_keeps_waiting() -> None:
    bot = flow_bot(no_match=True)
    assert texts(bot.say("hola?")) == ["Usá el formulario"]
    bot = flow_bot(no_match=False)
    assert bot.say("hola?").effects == []
    assert bot.state.status == "waiting_input"
    assert texts(bot.send(Inbound(text="", flow_response={"name": "Zoe"}))) == ["Gracias Zoe"]


def test_handoff_then_resume_continues_on_the_default_exit() -> None:
    bot = started(
        node("h", "handoff", queue="Soporte", note="Cliente {{contact.name}}",
             assigneeId="u-1", returnAfterMinutes=30),
        node("back", "message", text="¡Volví!"),
        edges=chain("h", "back"),
    )  # fmt: skip
    assert bot.last is not None
    assert bot.last.effects == [Handoff("h", "Soporte", "Cliente Ana", "u-1", 30)]
    assert bot.state.status == "handed_off"
    assert bot.say("hola?").effects == []
    assert bot.timer("delay").effects == []
    assert texts(bot.resume()) == ["¡Volví!"]
    assert bot.state.status == "completed"
    assert bot.resume().effects == []  # resuming a session that is not handed off does nothing


def test_start_flow_hands_the_variables_over_and_completes() -> None:
    bot = started(node("a", "assign", key="x", value="1"), node("s", "start_flow", flowId="f-2"),
                  edges=chain("a", "s"))  # fmt: skip
    assert bot.last is not None
    start = bot.last.effects[-1]
    assert isinstance(start, StartFlow) and start.flow_id == "f-2"
    assert start.variables["x"] == "1" and start.variables["input"] == "hola"
    assert bot.state.status == "completed"


def test_goto_jumps_and_end_completes() -> None:
    bot = started(
        node("g", "goto", targetNodeId="m"),
        node("skipped", "message", text="never"),
        node("m", "message", text="here"),
        node("e", "end", reason="done"),
        edges=[edge("g", "skipped"), edge("m", "e")],
    )
    assert bot.last is not None and bot.last.path == ["t", "g", "m", "e"]
    assert texts(bot.last) == ["here"]
    assert bot.state.status == "completed" and bot.state.node_id == "e"
    assert bot.variables["endReason"] == "done"
