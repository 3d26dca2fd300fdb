"""Seed rows with chosen dates and statuses straight through the models, in one unit of work.

The assertions go through the API; only the seeding skips it, to control created_at exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update

from finnegans.db.base import new_id
from finnegans.db.models import (
    Broadcast,
    Contact,
    Conversation,
    Flow,
    FlowSession,
    FlowSessionNode,
    FlowVersion,
    Message,
    Workspace,
)
from finnegans.db.session import Database
from finnegans.kit.clock import utcnow


def local(zone: str, day: date, hh: int = 12, mm: int = 0, ss: int = 0) -> datetime:
    """An aware instant at this local wall time."""
    return datetime.combine(day, time(hh, mm, ss), tzinfo=ZoneInfo(zone))


def today_in(zone: str) -> date:
    return utcnow().astimezone(ZoneInfo(zone)).date()


@dataclass
class Seeder:
    """Rows of one workspace, added to the session on `flush`."""

    workspace_id: str
    rows: list[object] = field(default_factory=list)
    contacts: list[str] = field(default_factory=list)

    def contact(self, name: str, phone: str, created_at: datetime | None = None) -> str:
        contact = Contact(
            id=new_id(),
            workspace_id=self.workspace_id,
            name=name,
            phone=phone,
            wa_id=phone.lstrip("+"),
            created_at=created_at or utcnow(),
        )
        self.rows.append(contact)
        self.contacts.append(contact.id)
        return contact.id

    def conversation(self, contact_id: str, status: str, preview: str | None = None) -> str:
        conv = Conversation(
            id=new_id(),
            workspace_id=self.workspace_id,
            contact_id=contact_id,
            status=status,
            last_message_preview=preview,
            last_message_at=utcnow(),
        )
        self.rows.append(conv)
        return conv.id

    def message(self, direction: str, at: datetime, status: str = "sent", contact: int = 0) -> None:
        self.rows.append(
            Message(
                id=new_id(),
                workspace_id=self.workspace_id,
                contact_id=self.contacts[contact],
                direction=direction,
                status="delivered" if direction == "inbound" else status,
                text="x",
                created_at=at,
            )
        )

    def flow(self, name: str, nodes: list[tuple[str, str]] | None = None) -> tuple[str, str]:
        definition = {
            "version": 2,
            "nodes": [
                {"id": nid, "type": "message", "data": {"name": label}}
                for nid, label in (nodes or [])
            ],
            "edges": [],
        }
        flow = Flow(
            id=new_id(),
            workspace_id=self.workspace_id,
            name=name,
            status="Active",
            definition=definition,
        )
        version = FlowVersion(
            id=new_id(),
            workspace_id=self.workspace_id,
            flow_id=flow.id,
            version=1,
            definition=definition,
        )
        self.rows += [flow, version]
        return flow.id, version.id

    def session(
        self,
        flow: tuple[str, str],
        status: str,
        started_at: datetime,
        reached: Sequence[str] = (),
        contact: int = 0,
    ) -> None:
        sid = new_id()
        self.rows.append(
            FlowSession(
                id=sid,
                workspace_id=self.workspace_id,
                contact_id=self.contacts[contact],
                flow_id=flow[0],
                flow_version_id=flow[1],
                status=status,
                current_node_id=reached[-1] if reached else None,
                started_at=started_at,
                last_activity_at=started_at,
            )
        )
        for node in reached:
            self.rows.append(
                FlowSessionNode(
                    session_id=sid, node_id=node, workspace_id=self.workspace_id, flow_id=flow[0]
                )
            )

    def broadcast(self, title: str) -> str:
        b = Broadcast(id=new_id(), workspace_id=self.workspace_id, title=title, status="draft")
        self.rows.append(b)
        return b.id

    async def flush(self, db: Database, timezone: str | None = None) -> None:
        async with db.unit_of_work() as session:
            if timezone is not None:
                await session.execute(
                    update(Workspace)
                    .where(Workspace.id == self.workspace_id)
                    .values(timezone=timezone)
                )
            # Parents first: contacts and flows before what points at them.
            for kind in (
                Contact,
                Flow,
                FlowVersion,
                Conversation,
                Broadcast,
                FlowSession,
                FlowSessionNode,
                Message,
            ):
                session.add_all([r for r in self.rows if isinstance(r, kind)])
                await session.flush()
        self.rows.clear()


def days_ago(zone: str, n: int, hh: int = 12, mm: int = 0, ss: int = 0) -> datetime:
    return local(zone, today_in(zone) - timedelta(days=n), hh, mm, ss)
