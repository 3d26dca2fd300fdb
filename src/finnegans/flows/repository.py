"""Flow, version, session and analytics queries, always scoped to a workspace."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.db.models import Flow, FlowSession, FlowSessionNode, FlowVersion

LIVE_STATUSES = ("active", "waiting_input", "waiting_timer", "waiting_http", "handed_off")
ENDED_STATUSES = ("completed", "errored", "expired")


class FlowRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_flows(self, workspace_id: str) -> Sequence[Flow]:
        result = await self.session.execute(
            select(Flow).where(Flow.workspace_id == workspace_id).order_by(Flow.updated_at.desc())
        )
        return result.scalars().all()

    async def get(self, workspace_id: str, flow_id: str) -> Flow | None:
        result = await self.session.execute(
            select(Flow).where(Flow.workspace_id == workspace_id, Flow.id == flow_id)
        )
        return result.scalar_one_or_none()

    async def active_flows(self, workspace_id: str) -> list[tuple[Flow, FlowVersion]]:
        """Live flows with the version new sessions start on, most recently published first."""
        result = await self.session.execute(
            select(Flow, FlowVersion)
            .join(FlowVersion, FlowVersion.id == Flow.published_version_id)
            .where(Flow.workspace_id == workspace_id, Flow.status == "Active")
            .order_by(FlowVersion.created_at.desc())
        )
        return [(flow, version) for flow, version in result.all()]

    async def versions(self, flow_id: str) -> Sequence[FlowVersion]:
        result = await self.session.execute(
            select(FlowVersion)
            .where(FlowVersion.flow_id == flow_id)
            .order_by(FlowVersion.version.desc())
        )
        return result.scalars().all()

    async def version(self, flow_id: str, number: int) -> FlowVersion | None:
        result = await self.session.execute(
            select(FlowVersion).where(FlowVersion.flow_id == flow_id, FlowVersion.version == number)
        )
        return result.scalar_one_or_none()

    async def version_by_id(self, version_id: str | None) -> FlowVersion | None:
        return await self.session.get(FlowVersion, version_id) if version_id else None

    async def next_version_number(self, flow_id: str) -> int:
        result = await self.session.execute(
            select(func.max(FlowVersion.version)).where(FlowVersion.flow_id == flow_id)
        )
        return int(result.scalar_one() or 0) + 1

    async def clear_default(self, workspace_id: str, except_flow_id: str) -> None:
        await self.session.execute(
            update(Flow)
            .where(Flow.workspace_id == workspace_id, Flow.id != except_flow_id, Flow.is_default)
            .values(is_default=False)
        )

    async def live_session_counts(self, workspace_id: str) -> dict[str, int]:
        result = await self.session.execute(
            select(FlowSession.flow_id, func.count())
            .where(
                FlowSession.workspace_id == workspace_id,
                FlowSession.status.in_(LIVE_STATUSES),
            )
            .group_by(FlowSession.flow_id)
        )
        return {flow_id: int(count) for flow_id, count in result.all()}

    async def node_stats(self, flow_id: str) -> tuple[int, dict[str, dict[str, Any]]]:
        """(sessions, {node: {reached, stopped}}): stopped counts sessions whose last node it is."""
        sessions = await self.session.execute(
            select(func.count()).select_from(FlowSession).where(FlowSession.flow_id == flow_id)
        )
        reached = await self.session.execute(
            select(FlowSessionNode.node_id, func.count())
            .where(FlowSessionNode.flow_id == flow_id)
            .group_by(FlowSessionNode.node_id)
        )
        stopped = await self.session.execute(
            select(FlowSession.current_node_id, func.count())
            .where(FlowSession.flow_id == flow_id, FlowSession.current_node_id.is_not(None))
            .group_by(FlowSession.current_node_id)
        )
        nodes: dict[str, dict[str, Any]] = {}
        for node_id, count in reached.all():
            nodes.setdefault(node_id, {"reached": 0, "stopped": 0})["reached"] = int(count)
        for last_node, count in stopped.all():
            if last_node is not None:
                nodes.setdefault(last_node, {"reached": 0, "stopped": 0})["stopped"] = int(count)
        return int(sessions.scalar_one()), nodes
