"""What the flows API accepts and answers (docs/flows.md §6)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from finnegans.kit.schemas import InputModel

FlowStatus = Literal["Draft", "Active", "Inactive"]

# The original API also knew these (api repo enum); they mean "not live".
_STATUS_ALIASES = {"draft": "Draft", "active": "Active", "inactive": "Inactive",
                   "paused": "Inactive", "archived": "Inactive"}  # fmt: skip


def _status(value: Any) -> Any:
    if isinstance(value, str):
        return _STATUS_ALIASES.get(value.strip().lower(), value)
    return value


class FlowIn(InputModel):
    """A flow's fields; on update, omitted fields keep their value."""

    name: str | None = Field(default=None, min_length=1, max_length=120)
    trigger: str | None = Field(default=None, max_length=255)
    status: FlowStatus | None = None
    # A graph object, or (as the original API allowed) a JSON string holding one.
    definition: dict[str, Any] | str | None = None
    is_default: bool | None = Field(default=None, alias="isDefault")
    interrupts: bool | None = None

    _normalise_status = field_validator("status", mode="before")(_status)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be blank")
        return value.strip() if value else value


class FlowCreateIn(FlowIn):
    name: str = Field(min_length=1, max_length=120)


class DefinitionIn(InputModel):
    definition: dict[str, Any] | str | None = None


class ImportIn(InputModel):
    """An export of ours, or a bare original definition (`{nodes, edges}`)."""

    name: str | None = Field(default=None, max_length=120)
    trigger: str | None = Field(default=None, max_length=255)
    definition: dict[str, Any] | str | None = None
    nodes: list[Any] | None = None
    edges: list[Any] | None = None


class ProblemOut(BaseModel):
    node: str | None
    field: str | None
    message: str
    severity: Literal["error", "incomplete", "warning"]


class ValidationOut(BaseModel):
    valid: bool  # nothing blocks publishing
    problems: list[ProblemOut]


class FlowSummaryOut(BaseModel):
    id: str
    name: str
    trigger: str
    triggers: list[str]
    status: FlowStatus
    is_default: bool
    interrupts: bool
    published_version: int | None
    live_sessions: int
    channel: str = "whatsapp"
    created_at: datetime
    updated_at: datetime


class FlowOut(FlowSummaryOut):
    definition: dict[str, Any]
    warnings: list[ProblemOut] = []


class VersionOut(BaseModel):
    version: int
    created_at: datetime
    created_by_id: str | None
    live: bool


class VersionDetailOut(VersionOut):
    definition: dict[str, Any]


class FlowExportOut(BaseModel):
    format: Literal["finnegans-flow"] = "finnegans-flow"
    version: int = 2
    name: str
    trigger: str
    definition: dict[str, Any]


class TriggerIn(InputModel):
    """Start a flow for a phone number (the original's manual trigger, with variables honoured)."""

    phone: str | None = Field(default=None, max_length=32)
    from_: str | None = Field(default=None, alias="from", max_length=32)
    wa_id: str | None = Field(default=None, alias="waId", max_length=32)
    name: str | None = Field(default=None, max_length=255)
    message: str | None = Field(default=None, max_length=4096)
    variables: dict[str, Any] = Field(default_factory=dict)

    def recipient(self) -> str | None:
        raw = self.phone or self.from_ or self.wa_id
        return "".join(ch for ch in raw if ch.isdigit()) if raw else None


class TriggerOut(BaseModel):
    success: bool = True
    flow_id: str
    contact_id: str
    task_id: int


class SimulateIn(InputModel):
    simulation_id: str | None = Field(default=None, alias="simulationId", max_length=32)
    text: str | None = Field(default=None, max_length=4096)
    reply_id: str | None = Field(default=None, alias="replyId", max_length=256)
    reset: bool = False
    variables: dict[str, Any] = Field(default_factory=dict)
    use_draft: bool = Field(default=True, alias="useDraft")
    # Answer a pending wait/whatsapp_flow with a WhatsApp Flow response.
    flow_response: dict[str, Any] | None = Field(default=None, alias="flowResponse")
    fire_timer: bool = Field(default=False, alias="fireTimer")


class SimulatedMessage(BaseModel):
    node_id: str
    payload: dict[str, Any]


class SimulateOut(BaseModel):
    simulation_id: str
    messages: list[SimulatedMessage]
    path: list[str]
    variables: dict[str, Any]
    status: str
    node_id: str | None
    error: str | None = None
    events: list[str] = []  # what happened besides messages: timers, handoff, tags, HTTP calls


class NodeStatsOut(BaseModel):
    reached: int
    stopped: int


class AnalyticsOut(BaseModel):
    sessions: int
    nodes: dict[str, NodeStatsOut]
