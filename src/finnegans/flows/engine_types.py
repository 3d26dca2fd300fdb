"""What goes into the engine (contact, inbound message, session state) and what comes out (effects).

Plain frozen dataclasses, so the runtime can store, log and compare them; `SessionState` is the
only mutable one and round-trips through JSON (`to_json`/`from_json`) for storage.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

STATUSES = (
    "active",
    "waiting_input",
    "waiting_timer",
    "waiting_http",
    "handed_off",
    "completed",
    "errored",
    "expired",
)
ENDED = frozenset({"completed", "errored", "expired"})


@dataclass(frozen=True)
class ContactView:
    id: str
    address: str  # recipient for sends: wa_id, phone or BSUID
    name: str | None = None
    phone: str | None = None
    wa_id: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()

    def to_scope(self) -> dict[str, Any]:
        """The contact as templates and conditions see it (`contact.name`, ...)."""
        return {
            "id": self.id,
            "name": self.name,
            "phone": self.phone,
            "wa_id": self.wa_id,
            "attributes": dict(self.attributes),
            "tags": list(self.tags),
        }


@dataclass(frozen=True)
class Inbound:
    text: str  # text body, caption, button/list reply title, "" for none
    type: str = "text"  # WhatsApp message type: text, interactive, button, image, location, ...
    reply_id: str | None = None  # button_reply/list_reply id, template quick-reply payload
    reply_title: str | None = None
    flow_response: Mapping[str, Any] | None = None  # parsed nfm_reply response_json
    media: Mapping[str, Any] | None = None


@dataclass
class SessionState:
    node_id: str | None = None
    status: str = "active"
    variables: dict[str, Any] = field(default_factory=dict)
    attempts: int = 0  # question re-prompts used at node_id
    error: str | None = None  # reason when errored (names the node)

    def to_json(self) -> dict[str, Any]:
        return {
            "node_id": self.node_id,
            "status": self.status,
            "variables": json_safe(self.variables),
            "attempts": self.attempts,
            "error": self.error,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any] | str) -> SessionState:
        data: Any = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(data, Mapping):
            return cls()
        variables = data.get("variables")
        attempts = data.get("attempts")
        node_id = data.get("node_id")
        error = data.get("error")
        status = data.get("status")
        return cls(
            node_id=node_id if isinstance(node_id, str) else None,
            status=status if isinstance(status, str) and status in STATUSES else "active",
            variables=json_safe(variables) if isinstance(variables, Mapping) else {},
            attempts=attempts if isinstance(attempts, int) and attempts >= 0 else 0,
            error=error if isinstance(error, str) else None,
        )

    def copy(self) -> SessionState:
        return SessionState(
            node_id=self.node_id,
            status=self.status,
            variables=json_safe(self.variables),
            attempts=self.attempts,
            error=self.error,
        )


def json_safe(value: Any) -> Any:
    """A deep copy holding only JSON types (tuples → lists, NaN/∞ and other objects → text)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return str(value)


# --- effects: executed by the runtime in list order ---------------------------------------------


@dataclass(frozen=True)
class SendMessage:
    node_id: str
    payload: dict[str, Any]  # the full Graph payload, addressed to contact.address


@dataclass(frozen=True)
class ScheduleTimer:
    node_id: str
    seconds: int
    kind: Literal["delay", "timeout"]


@dataclass(frozen=True)
class CancelTimers:
    """An earlier wait timeout is moot (the contact answered)."""


@dataclass(frozen=True)
class HttpCall:
    """Always the last effect of a step; the state is then `waiting_http`."""

    node_id: str
    method: str
    url: str
    headers: dict[str, str]
    body: str | None
    timeout_seconds: float


@dataclass(frozen=True)
class Handoff:
    node_id: str
    queue: str
    note: str
    assignee_id: str | None
    return_after_minutes: int


@dataclass(frozen=True)
class ChangeTags:
    node_id: str
    add: tuple[str, ...]
    remove: tuple[str, ...]


@dataclass(frozen=True)
class SetAttribute:
    node_id: str
    key: str
    value: str


@dataclass(frozen=True)
class StartFlow:
    """The current session is completed; the runtime starts the other flow."""

    node_id: str
    flow_id: str
    variables: dict[str, Any]


Effect = (
    SendMessage
    | ScheduleTimer
    | CancelTimers
    | HttpCall
    | Handoff
    | ChangeTags
    | SetAttribute
    | StartFlow
)


@dataclass(frozen=True)
class HttpResponse:
    status: int | None
    body: str | None
    error: str | None = None  # timeout / refused address / network


@dataclass
class StepResult:
    state: SessionState
    effects: list[Effect]
    path: list[str]  # node ids entered, in order
