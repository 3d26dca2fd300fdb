"""What waiting nodes do with the contact's answer, and http/api nodes with the response."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from finnegans.flows import outbound
from finnegans.flows.definition import Node
from finnegans.flows.engine_nodes import ask
from finnegans.flows.engine_run import Follow, Outcome, Run, Stop, data_of, remember_choice
from finnegans.flows.engine_types import CancelTimers, HttpResponse, Inbound, json_safe
from finnegans.flows.matching import match_option, validate_answer
from finnegans.flows.nodes import (
    HttpData,
    ListData,
    OptionsData,
    QuestionData,
    WaitData,
    WhatsAppFlowData,
)
from finnegans.flows.templating import MISSING, lookup, set_path, split_path

DEFAULT_RETRY_TEXT = "Sorry, I didn't get that. Please try again."


def _reply_options(run: Run, node: Node, inbound: Inbound) -> Outcome:
    data = data_of(node, OptionsData)
    return _pick(run, list(data.options), inbound)


def _reply_list(run: Run, node: Node, inbound: Inbound) -> Outcome:
    data = data_of(node, ListData)
    return _pick(run, [row.title for row in data.rows()], inbound)


def _pick(run: Run, titles: list[str], inbound: Inbound) -> Outcome:
    index = match_option(
        titles, inbound.text, reply_id=inbound.reply_id, reply_title=inbound.reply_title
    )
    remember_choice(run, titles, index)
    return Follow(outbound.option_id(index) if index is not None else "no-match")


def _reply_question(run: Run, node: Node, inbound: Inbound) -> Outcome:
    data = data_of(node, QuestionData)
    answer = validate_answer(
        data.validation,
        inbound.text,
        pattern=data.pattern,
        choices=data.choices,
        reply_id=inbound.reply_id,
        reply_title=inbound.reply_title,
    )
    if answer.ok:
        if data.validation == "choice":
            choices = list(data.choices)
            remember_choice(run, choices, choices.index(answer.value))
        if data.variable.strip():
            set_path(run.variables, data.variable, answer.value)
        run.state.attempts = 0
        return Follow(None)
    run.state.attempts += 1
    if run.state.attempts >= max(1, data.maxAttempts):
        run.state.attempts = 0
        return Follow("fallback")
    ask(run, node, data, data.retryText or DEFAULT_RETRY_TEXT)
    return Stop("waiting_input")


def _reply_wait(run: Run, node: Node, inbound: Inbound) -> Outcome:
    data = data_of(node, WaitData)
    if data.variable and data.variable.strip():
        set_path(run.variables, data.variable, inbound.text or inbound.reply_title or "")
    if data.timeoutSeconds > 0:
        run.effects.append(CancelTimers())
    return Follow(None)


def _reply_whatsapp_flow(run: Run, node: Node, inbound: Inbound) -> Outcome:
    data = data_of(node, WhatsAppFlowData)
    if inbound.flow_response is not None:
        set_path(run.variables, data.variable, json_safe(dict(inbound.flow_response)))
        return Follow(None)
    if "no-match" in run.graph.exits(node.id):
        return Follow("no-match")
    # Not connected: keep waiting, so the form's answers are still taken when they arrive.
    return Stop("waiting_input")


REPLY: dict[str, Callable[[Run, Node, Inbound], Outcome]] = {
    "options": _reply_options,
    "list": _reply_list,
    "question": _reply_question,
    "wait": _reply_wait,
    "whatsapp_flow": _reply_whatsapp_flow,
}


# --- HTTP results ----------------------------------------------------------------------------


def _parse_body(body: str | None) -> Any:
    if body is None:
        return None
    try:
        return json_safe(json.loads(body))
    except ValueError:
        return body


def http_outcome(run: Run, node: Node, response: HttpResponse) -> Outcome:
    data = data_of(node, HttpData)
    ok = response.error is None and response.status is not None and 200 <= response.status < 300
    if response.error is not None or response.status is None:
        # The original stored this shape on network errors and timeouts.
        result: Any = {"error": response.error or "API call failed"}
    else:
        result = _parse_body(response.body)
    if data.assignTo and data.assignTo.strip():
        set_path(run.variables, data.assignTo, result)
    if ok:
        for variable, path in data.responseMapping.items():
            value = lookup(result, split_path(path)) if path.strip() else result
            set_path(run.variables, variable, None if value is MISSING else json_safe(value))
    handle = "success" if ok else "error"
    # `api` (the original node) has one default exit; success/error are optional extras.
    return Follow(handle, or_default=node.type == "api")
