"""The state of one engine call and the vocabulary node handlers use to answer it.

A handler gets the per-call `Run` (state, contact, effects so far) and the node, may add
effects, and returns an `Outcome`: follow an exit, jump (goto), or stop (wait / finish). Invalid
node data or a message Meta would refuse raises `Halt`, which the engine turns into an
`errored` session whose reason names the node.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from finnegans.flows.definition import FlowGraph, Node
from finnegans.flows.engine_types import (
    ContactView,
    Effect,
    Inbound,
    SendMessage,
    SessionState,
)
from finnegans.flows.nodes import NodeData
from finnegans.flows.templating import build_scope, render
from finnegans.whatsapp.graph.errors import MessageValidationError


class Halt(Exception):
    """Stop the run as `errored` with this reason."""


@dataclass(frozen=True)
class Follow:
    handle: str | None
    or_default: bool = False  # when `handle` is not connected, take the default exit instead


@dataclass(frozen=True)
class Jump:
    node_id: str


@dataclass(frozen=True)
class Stop:
    status: str


Outcome = Follow | Jump | Stop


@dataclass
class Run:
    """Everything one engine call accumulates."""

    graph: FlowGraph
    state: SessionState
    contact: ContactView
    max_sends: int
    effects: list[Effect] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    visits: Counter[str] = field(default_factory=Counter)
    sends: int = 0
    steps: int = 0

    @property
    def variables(self) -> dict[str, Any]:
        return self.state.variables

    def render(self, text: str | None) -> str:
        return render(text or "", build_scope(self.variables, self.contact))

    def render_opt(self, text: str | None) -> str | None:
        rendered = self.render(text)
        return rendered if rendered.strip() else None

    def send(self, node: Node, build: Callable[[], dict[str, Any]]) -> None:
        if self.sends >= self.max_sends:
            raise Halt(f"Node {node.id}: more than {self.max_sends} messages in one run")
        try:
            payload = build()
        except MessageValidationError as exc:
            raise Halt(f"Node {node.id}: the message cannot be sent ({exc})") from None
        self.sends += 1
        self.effects.append(SendMessage(node.id, payload))


D = TypeVar("D", bound=NodeData)


def data_of(node: Node, model: type[D]) -> D:
    if isinstance(node.data, model):
        return node.data
    if not node.known_type:
        raise Halt(f"Node {node.id}: unknown node type {node.type!r}")
    where, message = node.problems[0] if node.problems else ("data", "invalid")
    raise Halt(f"Node {node.id}: invalid {where} ({message})")


def record_inbound(variables: dict[str, Any], inbound: Inbound) -> None:
    """The original's per-message variables, without its unbounded histories."""
    text = inbound.text or inbound.reply_title or ""
    variables["input"] = text
    variables["lastUserMessage"] = text
    variables["last_reply_id"] = inbound.reply_id or ""
    count = variables.get("messageCount")
    variables["messageCount"] = (count if isinstance(count, int) else 0) + 1


def remember_choice(run: Run, titles: list[str], index: int | None) -> None:
    run.variables["lastSelectedOptionIndex"] = index if index is not None else -1
    run.variables["lastSelectedOption"] = titles[index] if index is not None else None
