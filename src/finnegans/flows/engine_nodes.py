"""What each node type does when the run enters it (see `engine_run` for the vocabulary)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import quote

from finnegans.flows import outbound
from finnegans.flows.definition import Node
from finnegans.flows.engine_run import Follow, Halt, Jump, Outcome, Run, Stop, data_of
from finnegans.flows.engine_types import (
    ChangeTags,
    Handoff,
    HttpCall,
    ScheduleTimer,
    SetAttribute,
    StartFlow,
    json_safe,
)
from finnegans.flows.expressions import ExpressionError, compile_condition, evaluate, evaluate_rules
from finnegans.flows.nodes import (
    AssignData,
    ConditionData,
    CtaUrlData,
    DelayData,
    EndData,
    GotoData,
    HandoffData,
    HttpData,
    ListData,
    MediaData,
    MessageData,
    OptionsData,
    QuestionData,
    SetAttributeData,
    StartFlowData,
    TagData,
    TemplateData,
    TemplateParam,
    WaitData,
    WhatsAppFlowData,
)
from finnegans.flows.templating import build_scope, json_escape, render, set_path
from finnegans.whatsapp.graph.limits import REPLY_BUTTONS_MAX
from finnegans.whatsapp.graph.messages import text_message

DEFAULT_FLOW_CTA = "Open"
MAX_DELAY_SECONDS = 2_592_000
MAX_HTTP_TIMEOUT = 30.0
# Characters allowed to stay as they are in a rendered URL; everything else (spaces, quotes,
# non-ASCII from a contact's reply) is percent-encoded.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%-._~"


def _pass(run: Run, node: Node) -> Outcome:
    return Follow(None)


def _template_params(
    run: Run, params: tuple[TemplateParam, ...]
) -> list[outbound.TemplateParameter]:
    return [
        outbound.TemplateParameter(
            component=p.component,
            type=p.type,
            value=run.render(p.value),
            sub_type=p.subType,
            index=p.index,
        )
        for p in params
    ]


def _message(run: Run, node: Node) -> Outcome:
    data = data_of(node, MessageData)
    to = run.contact.address
    if data.useTemplate:
        params = _template_params(run, data.templateParameters)
        run.send(
            node,
            lambda: outbound.template_payload(to, data.templateName, data.templateLanguage, params),
        )
    else:
        body = run.render(data.text)
        run.send(node, lambda: text_message(to, body))
    return Follow(None)


def _template(run: Run, node: Node) -> Outcome:
    data = data_of(node, TemplateData)
    params = _template_params(run, data.parameters)
    to = run.contact.address
    run.send(node, lambda: outbound.template_payload(to, data.templateName, data.language, params))
    return Follow(None)


def _options(run: Run, node: Node) -> Outcome:
    data = data_of(node, OptionsData)
    body, header, footer = (
        run.render(data.text),
        run.render_opt(data.header),
        run.render_opt(data.footer),
    )
    to = run.contact.address
    run.send(
        node,
        lambda: outbound.choices_message(
            to,
            body,
            list(data.options),
            header=header,
            footer=footer,
            button_text=data.buttonText,
            as_list=data.display == "list",
        ),
    )
    return Stop("waiting_input")


def _list(run: Run, node: Node) -> Outcome:
    data = data_of(node, ListData)
    sections = [
        outbound.Section(s.title, [outbound.Row(r.title, r.description) for r in s.rows])
        for s in data.sections
    ]
    body, header, footer = (
        run.render(data.text),
        run.render_opt(data.header),
        run.render_opt(data.footer),
    )
    to = run.contact.address
    run.send(
        node,
        lambda: outbound.sections_message(
            to, body, data.buttonText, sections, header=header, footer=footer
        ),
    )
    return Stop("waiting_input")


def _cta_url(run: Run, node: Node) -> Outcome:
    data = data_of(node, CtaUrlData)
    body, url = run.render(data.text), _render_url(run, data.url)
    header, footer = run.render_opt(data.header), run.render_opt(data.footer)
    to = run.contact.address
    run.send(
        node,
        lambda: outbound.cta_message(to, body, data.buttonText, url, header=header, footer=footer),
    )
    return Follow(None)


def ask(run: Run, node: Node, data: QuestionData, text: str) -> None:
    body = run.render(text)
    to = run.contact.address
    if data.validation == "choice" and 0 < len(data.choices) <= REPLY_BUTTONS_MAX:
        run.send(node, lambda: outbound.choices_message(to, body, list(data.choices)))
    else:
        run.send(node, lambda: text_message(to, body))


def _question(run: Run, node: Node) -> Outcome:
    data = data_of(node, QuestionData)
    ask(run, node, data, data.text)
    return Stop("waiting_input")


def _media(run: Run, node: Node) -> Outcome:
    data = data_of(node, MediaData)
    media_id, url = run.render_opt(data.id), run.render_opt(data.url)
    caption = run.render_opt(data.caption)
    to = run.contact.address
    run.send(
        node,
        lambda: outbound.media_payload(
            to,
            data.mediaType,
            media_id=media_id,
            url=_url_quote(url) if url else None,
            caption=caption,
            filename=data.filename,
        ),
    )
    return Follow(None)


def _delay(run: Run, node: Node) -> Outcome:
    data = data_of(node, DelayData)
    seconds = data.seconds if math.isfinite(data.seconds) else 1
    seconds = min(max(1, math.ceil(seconds)), MAX_DELAY_SECONDS)
    run.effects.append(ScheduleTimer(node.id, int(seconds), "delay"))
    return Stop("waiting_timer")


def _wait(run: Run, node: Node) -> Outcome:
    data = data_of(node, WaitData)
    if data.timeoutSeconds > 0:
        seconds = min(data.timeoutSeconds, MAX_DELAY_SECONDS)
        run.effects.append(ScheduleTimer(node.id, seconds, "timeout"))
    return Stop("waiting_input")


def _condition(run: Run, node: Node) -> Outcome:
    data = data_of(node, ConditionData)
    if data.expression:
        try:
            compiled = compile_condition(data.expression)
        except ExpressionError as exc:
            raise Halt(f"Node {node.id}: invalid expression ({exc})") from None
        result = evaluate(compiled, run.variables, run.contact)
    elif data.rules is not None and data.rules.conditions:
        result = evaluate_rules(data.rules, build_scope(run.variables, run.contact))
    else:
        raise Halt(f"Node {node.id}: the condition has no expression or rules")
    return Follow("true" if result else "false")


def _url_quote(url: str) -> str:
    return quote(url.strip(), safe=_URL_SAFE)


def _render_url(run: Run, template: str) -> str:
    return _url_quote(run.render(template))


def _http(run: Run, node: Node) -> Outcome:
    data = data_of(node, HttpData)
    url = _render_url(run, data.url)
    if not url.lower().startswith(("http://", "https://")):
        raise Halt(f"Node {node.id}: the URL must start with http:// or https:// (got {url!r})")
    headers = {str(k): run.render(v) for k, v in data.headers.items()}
    body: str | None = None
    if data.method != "GET" and data.body:
        scope = build_scope(run.variables, run.contact)
        # Values land inside JSON string literals: escape them so a quote in a reply cannot
        # break (or inject into) the JSON document.
        body = render(data.body, scope, escape=json_escape)
        if not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = "application/json"
    timeout = data.timeoutSeconds if math.isfinite(data.timeoutSeconds) else 10.0
    timeout = min(max(1.0, float(timeout)), MAX_HTTP_TIMEOUT)
    run.effects.append(HttpCall(node.id, data.method, url, headers, body, timeout))
    return Stop("waiting_http")


def _assign(run: Run, node: Node) -> Outcome:
    data = data_of(node, AssignData)
    if not data.key.strip():
        raise Halt(f"Node {node.id}: the variable name (key) is empty")
    set_path(run.variables, data.key, run.render(data.value))  # always text, as in the original
    return Follow(None)


def _set_attribute(run: Run, node: Node) -> Outcome:
    data = data_of(node, SetAttributeData)
    key = data.key.strip()
    if not key:
        raise Halt(f"Node {node.id}: the attribute name (key) is empty")
    value = run.render(data.value)
    run.effects.append(SetAttribute(node.id, key, value))
    # Later nodes of this run see the new value in {{contact.attributes.<key>}}.
    run.contact = replace(run.contact, attributes={**run.contact.attributes, key: value})
    return Follow(None)


def _tag(run: Run, node: Node) -> Outcome:
    data = data_of(node, TagData)
    tags = tuple(dict.fromkeys(t.strip() for t in data.tags if t.strip()))
    if data.action == "remove":
        run.effects.append(ChangeTags(node.id, (), tags))
        kept = tuple(t for t in run.contact.tags if t not in tags)
    else:
        run.effects.append(ChangeTags(node.id, tags, ()))
        kept = tuple(dict.fromkeys((*run.contact.tags, *tags)))
    run.contact = replace(run.contact, tags=kept)
    return Follow(None)


def _whatsapp_flow(run: Run, node: Node) -> Outcome:
    data = data_of(node, WhatsAppFlowData)
    body, header, footer = (
        run.render(data.body),
        run.render_opt(data.header),
        run.render_opt(data.footer),
    )
    cta = run.render_opt(data.cta) or DEFAULT_FLOW_CTA
    to = run.contact.address
    if not data.flowId.strip():
        # An original node (no Meta Flow to open): send what it says as text and go on,
        # instead of the original's pretending to have sent a Flow.
        text = "\n\n".join(part for part in (header, body, footer) if part)
        run.send(node, lambda: text_message(to, text))
        return Follow(None)
    run.send(
        node,
        lambda: outbound.flow_payload(
            to,
            body=body,
            flow_id=data.flowId,
            cta=cta,
            action=data.flowAction,
            screen=data.screen,
            mode=data.mode,
            header=header,
            footer=footer,
        ),
    )
    return Stop("waiting_input")


def _handoff(run: Run, node: Node) -> Outcome:
    data = data_of(node, HandoffData)
    note = run.render(data.note)
    run.variables["handoffQueue"] = data.queue
    run.variables["handoffNote"] = note
    minutes = max(0, data.returnAfterMinutes)
    run.effects.append(Handoff(node.id, data.queue, note, data.assigneeId, minutes))
    return Stop("handed_off")


def _start_flow(run: Run, node: Node) -> Outcome:
    data = data_of(node, StartFlowData)
    if not data.flowId.strip():
        raise Halt(f"Node {node.id}: no flow to start (flowId is empty)")
    run.effects.append(StartFlow(node.id, data.flowId.strip(), json_safe(run.variables)))
    return Stop("completed")


def _goto(run: Run, node: Node) -> Outcome:
    data = data_of(node, GotoData)
    target = data.targetNodeId.strip()
    if not target:
        raise Halt(f"Node {node.id}: the goto has no target")
    return Jump(target)


def _end(run: Run, node: Node) -> Outcome:
    data = data_of(node, EndData)
    run.variables["endReason"] = data.reason
    return Stop("completed")


ENTER: dict[str, Callable[[Run, Node], Outcome]] = {
    "trigger": _pass,
    "message": _message,
    "template": _template,
    "options": _options,
    "list": _list,
    "cta_url": _cta_url,
    "question": _question,
    "media": _media,
    "delay": _delay,
    "wait": _wait,
    "condition": _condition,
    "api": _http,
    "http": _http,
    "assign": _assign,
    "set_attribute": _set_attribute,
    "tag": _tag,
    "whatsapp_flow": _whatsapp_flow,
    "handoff": _handoff,
    "start_flow": _start_flow,
    "goto": _goto,
    "end": _end,
}
