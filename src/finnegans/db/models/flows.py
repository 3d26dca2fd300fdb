"""Flows, their immutable published versions, and the sessions of contacts inside them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from finnegans.db.base import Base, IdMixin, JSONType, TimestampMixin, workspace_fk
from finnegans.kit.clock import utcnow


class Flow(IdMixin, TimestampMixin, Base):
    __tablename__ = "flows"

    workspace_id: Mapped[str] = workspace_fk()
    name: Mapped[str] = mapped_column(String(120))
    trigger: Mapped[str] = mapped_column(String(255), default="default")
    status: Mapped[str] = mapped_column(String(16), default="Draft")  # Draft | Active | Inactive
    definition: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # the draft
    is_default: Mapped[bool] = mapped_column(default=False)
    # Whether this flow's keywords interrupt a session of another flow that waits for input.
    interrupts: Mapped[bool] = mapped_column(default=False)
    published_version_id: Mapped[str | None] = mapped_column(
        String(32),
        ForeignKey("flow_versions.id", ondelete="SET NULL", use_alter=True),
    )


class FlowVersion(IdMixin, Base):
    __tablename__ = "flow_versions"
    __table_args__ = (UniqueConstraint("flow_id", "version"),)

    workspace_id: Mapped[str] = workspace_fk()
    flow_id: Mapped[str] = mapped_column(String(32), ForeignKey("flows.id", ondelete="CASCADE"))
    version: Mapped[int]
    definition: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_by_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FlowSession(IdMixin, Base):
    """A contact inside a flow, pinned to the version it started on."""

    __tablename__ = "flow_sessions"
    __table_args__ = (
        Index("ix_flow_sessions_contact_status", "workspace_id", "contact_id", "status"),
        # Covers the Overview's sessions started per flow in a period, and how many completed.
        Index(
            "ix_flow_sessions_workspace_started",
            "workspace_id",
            "started_at",
            "flow_id",
            "status",
        ),
    )

    workspace_id: Mapped[str] = workspace_fk()
    contact_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("contacts.id", ondelete="CASCADE")
    )
    flow_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("flows.id", ondelete="CASCADE"), index=True
    )
    flow_version_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("flow_versions.id", ondelete="CASCADE")
    )
    # active | waiting_input | waiting_timer | handed_off | completed | errored | expired
    status: Mapped[str] = mapped_column(String(16), default="active")
    current_node_id: Mapped[str | None] = mapped_column(String(128))
    variables: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    attempts: Mapped[int] = mapped_column(default=0)  # question re-prompts at current_node_id
    error: Mapped[str | None] = mapped_column(Text)  # why the session errored, naming the node
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]


class FlowSessionNode(Base):
    """A node a session entered (once per session and node): the per-node "reached" count."""

    __tablename__ = "flow_session_nodes"
    __table_args__ = (Index("ix_flow_session_nodes_flow_node", "flow_id", "node_id"),)

    session_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("flow_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    node_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    workspace_id: Mapped[str] = workspace_fk()
    flow_id: Mapped[str] = mapped_column(String(32), ForeignKey("flows.id", ondelete="CASCADE"))
    reached_at: Mapped[datetime] = mapped_column(default=utcnow)


class FlowSimulation(IdMixin, TimestampMixin, Base):
    """The builder's simulator: the engine's state for a virtual contact, no WhatsApp traffic."""

    __tablename__ = "flow_simulations"

    workspace_id: Mapped[str] = workspace_fk()
    flow_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("flows.id", ondelete="CASCADE"), index=True
    )
    use_draft: Mapped[bool] = mapped_column(default=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
