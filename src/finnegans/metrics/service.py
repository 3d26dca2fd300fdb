"""The Overview's rules: which period, which messages count for which rate, the top flow.

Read-only: nothing here writes, so any member may call it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.accounts.dependencies import Principal
from finnegans.db.models import Flow
from finnegans.flows.repository import FlowRepository
from finnegans.kit.clock import utcnow
from finnegans.kit.errors import NotFound
from finnegans.metrics.days import Period, workspace_zone
from finnegans.metrics.repository import MetricsRepository
from finnegans.metrics.schemas import (
    DayOut,
    DropOffNodeOut,
    DropOffOut,
    FunnelOut,
    KpisOut,
    OverviewOut,
    SearchHitOut,
    SearchOut,
    TopFlowOut,
)

PERIODS = (7, 14, 30, 90)
TOP_FLOWS = 5
SEARCH_LIMIT = 5

# Statuses in the order they move forward; "played" (voice notes) counts as read.
_ACCEPTED = {"sent", "delivered", "read", "played"}
_DELIVERED = {"delivered", "read", "played"}
_READ = {"read", "played"}


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


class MetricsService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repo = MetricsRepository(session)

    async def overview(self, principal: Principal, days: int, flow_id: str | None) -> OverviewOut:
        ws = principal.workspace_id
        zone = workspace_zone(await self.repo.workspace_timezone(ws))
        period = Period.ending_today(zone, days, utcnow())

        total, new = await self.repo.contact_counts(ws, period.start)
        per_day = {d: DayOut(date=d, sent=0, received=0) for d in period.day_list()}
        by_status: dict[str, int] = {}
        for day, direction, status, count in await self.repo.messages_by_day(ws, period):
            bucket = per_day.get(day)
            if direction == "inbound":
                if bucket is not None:
                    bucket.received += count
                continue
            if bucket is not None:
                bucket.sent += count
            by_status[status] = by_status.get(status, 0) + count

        funnel = FunnelOut(
            sent=sum(by_status.get(s, 0) for s in _ACCEPTED),
            delivered=sum(by_status.get(s, 0) for s in _DELIVERED),
            read=sum(by_status.get(s, 0) for s in _READ),
            failed=by_status.get("failed", 0),
            pending=by_status.get("pending", 0),
        )
        flows = await self.repo.sessions_by_flow(ws, period)
        started = sum(f[2] for f in flows)
        completed = sum(f[3] for f in flows)
        kpis = KpisOut(
            contacts_total=total,
            contacts_new=new,
            conversations_open=await self.repo.open_conversations(ws),
            messages_sent=sum(d.sent for d in per_day.values()),
            messages_received=sum(d.received for d in per_day.values()),
            delivery_rate=_rate(funnel.delivered, funnel.sent + funnel.failed),
            read_rate=_rate(funnel.read, funnel.delivered),
            flow_sessions_started=started,
            flow_sessions_completed=completed,
            flow_completion_rate=_rate(completed, started),
        )
        top = [
            TopFlowOut(id=fid, name=name, started=s, completed=c, completion_rate=_rate(c, s) or 0)
            for fid, name, s, c in flows[:TOP_FLOWS]
        ]
        drop_flow = await self._drop_off_flow(ws, flow_id, top)
        return OverviewOut(
            days=days,
            timezone=zone.key,
            start=period.first_day,
            end=period.day_list()[-1],
            kpis=kpis,
            messages_per_day=list(per_day.values()),
            funnel=funnel,
            top_flows=top,
            drop_off=await self._drop_off(drop_flow) if drop_flow else None,
        )

    async def _drop_off_flow(
        self, workspace_id: str, flow_id: str | None, top: list[TopFlowOut]
    ) -> Flow | None:
        if flow_id is None:
            return await self.repo.flow(workspace_id, top[0].id) if top else None
        flow = await self.repo.flow(workspace_id, flow_id)
        if flow is None:
            raise NotFound("Flow not found")
        return flow

    async def _drop_off(self, flow: Flow) -> DropOffOut:
        """The flows analytics (reached / stopped per node), labelled and in reach order."""
        sessions, stats = await FlowRepository(self.session).node_stats(flow.id)
        named: dict[str, dict[str, Any]] = {
            str(n.get("id")): n
            for n in (flow.definition or {}).get("nodes", [])
            if isinstance(n, dict)
        }
        nodes = []
        for node_id, counts in stats.items():
            node = named.get(node_id, {})
            data = node.get("data") if isinstance(node.get("data"), dict) else {}
            label = str((data or {}).get("name") or node_id)
            node_type = node.get("type")
            nodes.append(
                DropOffNodeOut(
                    node_id=node_id,
                    label=label,
                    type=str(node_type) if node_type else None,
                    reached=counts["reached"],
                    stopped=counts["stopped"],
                )
            )
        # Most reached first; ties keep the definition's order (a flow reads top to bottom).
        order = {node_id: i for i, node_id in enumerate(named)}
        nodes.sort(key=lambda n: (-n.reached, order.get(n.node_id, len(order)), n.label))
        return DropOffOut(flow_id=flow.id, flow_name=flow.name, sessions=sessions, nodes=nodes)

    async def search(self, principal: Principal, q: str) -> SearchOut:
        ws, limit = principal.workspace_id, SEARCH_LIMIT
        flows = [
            SearchHitOut(
                kind="flow", id=f.id, label=f.name, secondary=f.status, path=f"/flows/{f.id}"
            )
            for f in await self.repo.search_flows(ws, q, limit)
        ]
        contacts = [
            SearchHitOut(
                kind="contact",
                id=c.id,
                label=c.name or c.phone or c.wa_id or c.id,
                secondary=c.phone or c.wa_id,
                path=f"/inbox/{c.id}",
            )
            for c in await self.repo.search_contacts(ws, q, limit)
        ]
        conversations = [
            SearchHitOut(
                kind="conversation",
                id=conv.id,
                label=c.name or c.phone or c.wa_id or c.id,
                secondary=conv.last_message_preview,
                path=f"/inbox/{c.id}",
            )
            for conv, c in await self.repo.search_conversations(ws, q, limit)
        ]
        broadcasts = [
            SearchHitOut(
                kind="broadcast",
                id=b.id,
                label=b.title or b.id,
                secondary=b.status,
                path=f"/broadcasts?id={b.id}",
            )
            for b in await self.repo.search_broadcasts(ws, q, limit)
        ]
        return SearchOut(
            query=q,
            flows=flows,
            contacts=contacts,
            conversations=conversations,
            broadcasts=broadcasts,
        )
