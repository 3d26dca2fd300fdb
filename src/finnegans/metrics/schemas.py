"""The Overview and search API's response bodies (docs/api.md#overview)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field


class KpisOut(BaseModel):
    contacts_total: int
    contacts_new: int = Field(description="contacts created in the period")
    conversations_open: int
    messages_sent: int = Field(description="outbound messages created in the period")
    messages_received: int = Field(description="inbound messages received in the period")
    delivery_rate: float | None = Field(
        description="delivered-or-read / sent-or-better (failed included); null without any"
    )
    read_rate: float | None = Field(description="read / delivered-or-better; null without any")
    flow_sessions_started: int
    flow_sessions_completed: int
    flow_completion_rate: float | None = Field(description="completed / started in the period")


class DayOut(BaseModel):
    date: date
    sent: int
    received: int


class FunnelOut(BaseModel):
    """Outbound messages of the period by the furthest status they reached."""

    sent: int = Field(description="accepted by WhatsApp: sent, delivered or read")
    delivered: int = Field(description="delivered or read")
    read: int
    failed: int
    pending: int = Field(description="not yet accepted by WhatsApp")


class TopFlowOut(BaseModel):
    id: str
    name: str
    started: int
    completed: int
    completion_rate: float


class DropOffNodeOut(BaseModel):
    node_id: str
    label: str
    type: str | None
    reached: int
    stopped: int = Field(description="sessions whose last node this is (all time)")


class DropOffOut(BaseModel):
    flow_id: str
    flow_name: str
    sessions: int
    nodes: list[DropOffNodeOut]


class OverviewOut(BaseModel):
    days: int
    timezone: str
    start: date
    end: date
    kpis: KpisOut
    messages_per_day: list[DayOut]
    funnel: FunnelOut
    top_flows: list[TopFlowOut]
    drop_off: DropOffOut | None


SearchKind = Literal["flow", "contact", "conversation", "broadcast"]


class SearchHitOut(BaseModel):
    kind: SearchKind
    id: str
    label: str
    secondary: str | None
    path: str = Field(description="where the dashboard opens it")


class SearchOut(BaseModel):
    query: str
    flows: list[SearchHitOut]
    contacts: list[SearchHitOut]
    conversations: list[SearchHitOut]
    broadcasts: list[SearchHitOut]
