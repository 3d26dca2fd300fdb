"""Small builders for flow definitions and a driver that talks to the engine like a contact."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from finnegans.flows.definition import FlowGraph, parse_definition
from finnegans.flows.engine import (
    ContactView,
    Engine,
    HttpResponse,
    Inbound,
    SendMessage,
    SessionState,
    StepResult,
)

CONTACT = ContactView(
    id="c1",
    address="5491100000000",
    name="Ana",
    phone="+54 9 11 0000-0000",
    wa_id="5491100000000",
    attributes={"plan": "gold"},
    tags=("vip",),
)


def node(node_id: str, kind: str, **data: Any) -> dict[str, Any]:
    return {"id": node_id, "type": kind, "position": {"x": 0, "y": 0}, "data": data}


def edge(source: str, target: str, handle: str | None = None) -> dict[str, Any]:
    return {
        "id": f"{source}-{handle or 'd'}-{target}",
        "source": source,
        "target": target,
        "sourceHandle": handle,
    }


def flow(*nodes: dict[str, Any], edges: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"version": 2, "nodes": list(nodes), "edges": edges or []}


def chain(*ids: str) -> list[dict[str, Any]]:
    """Default edges n1 → n2 → n3 ..."""
    return [edge(a, b) for a, b in itertools.pairwise(ids)]


def payloads(result: StepResult) -> list[dict[str, Any]]:
    return [e.payload for e in result.effects if isinstance(e, SendMessage)]


def body_of(payload: dict[str, Any]) -> str:
    """The visible text of a sent message, whatever its type."""
    kind = payload["type"]
    if kind == "text":
        return str(payload["text"]["body"])
    if kind == "interactive":
        return str(payload["interactive"]["body"]["text"])
    if kind in ("image", "video", "document"):
        return str(payload[kind].get("caption", ""))
    return ""


def texts(result: StepResult) -> list[str]:
    return [body_of(p) for p in payloads(result)]


@dataclass
class Bot:
    """Drives the engine through a conversation, keeping the state like the runtime would."""

    definition: dict[str, Any] | str
    contact: ContactView = CONTACT
    max_steps: int = 100
    max_sends: int = 10
    max_visits: int = 3
    state: SessionState = field(default_factory=SessionState)
    last: StepResult | None = None

    def __post_init__(self) -> None:
        self.graph: FlowGraph = parse_definition(self.definition)
        self.engine = Engine(
            self.graph,
            max_steps=self.max_steps,
            max_sends=self.max_sends,
            max_visits=self.max_visits,
        )

    def _keep(self, result: StepResult) -> StepResult:
        # What the runtime stores is JSON: go through it, as a real session would.
        stored = json.loads(json.dumps(result.state.to_json()))
        self.state = SessionState.from_json(stored)
        self.last = result
        return result

    def start(self, text: str | None = None, **kwargs: Any) -> StepResult:
        inbound = Inbound(text=text) if text is not None else None
        return self._keep(self.engine.start(self.contact, inbound, **kwargs))

    def say(self, text: str) -> StepResult:
        return self._keep(self.engine.receive(self.state, self.contact, Inbound(text=text)))

    def tap(self, reply_id: str, title: str) -> StepResult:
        inbound = Inbound(text=title, type="interactive", reply_id=reply_id, reply_title=title)
        return self._keep(self.engine.receive(self.state, self.contact, inbound))

    def send(self, inbound: Inbound) -> StepResult:
        return self._keep(self.engine.receive(self.state, self.contact, inbound))

    def timer(self, kind: str) -> StepResult:
        return self._keep(self.engine.fire_timer(self.state, self.contact, kind))

    def http(self, status: int | None, body: str | None, error: str | None = None) -> StepResult:
        response = HttpResponse(status=status, body=body, error=error)
        return self._keep(self.engine.http_result(self.state, self.contact, response))

    def resume(self) -> StepResult:
        return self._keep(self.engine.resume(self.state, self.contact))

    @property
    def variables(self) -> dict[str, Any]:
        return self.state.variables
