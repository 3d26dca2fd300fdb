"""Flow rules: drafts, validation on save and publish, immutable versions, import and export."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.accounts import audit
from finnegans.accounts.dependencies import Principal
from finnegans.db.models import Flow, FlowVersion
from finnegans.flows.definition import normalize_definition
from finnegans.flows.matching import fold
from finnegans.flows.repository import FlowRepository
from finnegans.flows.schemas import (
    FlowExportOut,
    FlowIn,
    FlowOut,
    FlowSummaryOut,
    ImportIn,
    ProblemOut,
)
from finnegans.flows.validation import Problem, validate_definition
from finnegans.kit.clock import utcnow
from finnegans.kit.errors import BadRequest, NotFound

DEFAULT_TRIGGER = "default"


def starter_definition() -> dict[str, Any]:
    """The original builder's new-flow canvas: trigger "Hola" → welcome → a three-option menu."""
    return {
        "version": 2,
        "nodes": [
            {"id": "n1", "type": "trigger", "position": {"x": 0, "y": 0},
             "data": {"name": "Start", "keywords": ["hola"], "keyword": "hola"}},
            {"id": "n2", "type": "message", "position": {"x": 0, "y": 160},
             "data": {"name": "Welcome", "text": "Welcome! How can I help you?"}},
            {"id": "n3", "type": "end", "position": {"x": 0, "y": 320},
             "data": {"name": "End", "reason": "end"}},
        ],
        "edges": [
            {"id": "e1-2", "source": "n1", "target": "n2", "sourceHandle": None},
            {"id": "e2-3", "source": "n2", "target": "n3", "sourceHandle": None},
        ],
    }  # fmt: skip


def trigger_keywords(definition: dict[str, Any]) -> list[str]:
    """The keywords of a definition's trigger nodes, in node order, without duplicates."""
    keywords: list[str] = []
    for node in definition.get("nodes") or []:
        if not isinstance(node, dict) or node.get("type") != "trigger":
            continue
        data: dict[str, Any] = node["data"] if isinstance(node.get("data"), dict) else {}
        found: list[Any] = data["keywords"] if isinstance(data.get("keywords"), list) else []
        if not found and isinstance(data.get("keyword"), str):
            found = [data["keyword"]]
        for keyword in found:
            if isinstance(keyword, str) and keyword.strip() and keyword.strip() not in keywords:
                keywords.append(keyword.strip())
    return keywords


def _problems_out(problems: list[Problem]) -> list[ProblemOut]:
    return [ProblemOut(**p.to_json()) for p in problems]


def _refuse(message: str, problems: list[Problem]) -> BadRequest:
    return BadRequest(message, problems=[p.to_json() for p in problems])


def _parse_raw(definition: dict[str, Any] | str | None) -> dict[str, Any] | str:
    if definition is None:
        return starter_definition()
    if isinstance(definition, str) and not definition.strip():
        return {"nodes": [], "edges": []}  # the original's "empty string → empty flow"
    return definition


class FlowService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repo = FlowRepository(session)

    # --- reading ----------------------------------------------------------------------------

    async def get(self, principal: Principal, flow_id: str) -> Flow:
        flow = await self.repo.get(principal.workspace_id, flow_id)
        if flow is None:
            raise NotFound("Flow not found")
        return flow

    async def summaries(self, workspace_id: str) -> list[FlowSummaryOut]:
        counts = await self.repo.live_session_counts(workspace_id)
        return [
            FlowSummaryOut(**(await self._summary(flow, counts.get(flow.id, 0))))
            for flow in await self.repo.list_flows(workspace_id)
        ]

    async def to_out(self, flow: Flow, warnings: list[Problem] | None = None) -> FlowOut:
        counts = await self.repo.live_session_counts(flow.workspace_id)
        return FlowOut(
            **(await self._summary(flow, counts.get(flow.id, 0))),
            definition=flow.definition,
            warnings=_problems_out(warnings or []),
        )

    async def _summary(self, flow: Flow, live: int) -> dict[str, Any]:
        version = await self.repo.version_by_id(flow.published_version_id)
        return {
            "id": flow.id,
            "name": flow.name,
            "trigger": flow.trigger,
            "triggers": trigger_keywords(flow.definition),
            "status": flow.status,
            "is_default": flow.is_default,
            "interrupts": flow.interrupts,
            "published_version": version.version if version else None,
            "live_sessions": live,
            "created_at": flow.created_at,
            "updated_at": flow.updated_at,
        }

    # --- validation -------------------------------------------------------------------------

    async def validate(
        self, workspace_id: str, raw: dict[str, Any] | str, *, flow_id: str | None = None
    ) -> list[Problem]:
        other_keywords: dict[str, str] = {}
        for flow, version in await self.repo.active_flows(workspace_id):
            if flow.id == flow_id:
                continue
            for keyword in trigger_keywords(version.definition):
                if fold(keyword) != DEFAULT_TRIGGER:
                    other_keywords.setdefault(fold(keyword), flow.name)
        known = {flow.id for flow in await self.repo.list_flows(workspace_id)}
        return validate_definition(raw, other_active_keywords=other_keywords, known_flow_ids=known)

    async def _checked_definition(
        self, workspace_id: str, raw: dict[str, Any] | str, flow_id: str | None
    ) -> tuple[dict[str, Any], list[Problem]]:
        """The definition to store, or 400 with every problem that blocks saving."""
        problems = await self.validate(workspace_id, raw, flow_id=flow_id)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise _refuse(
                f"The flow has {len(errors)} error(s); nothing was saved", problems=errors
            )
        return normalize_definition(raw), problems

    # --- writing ----------------------------------------------------------------------------

    async def create(self, principal: Principal, data: FlowIn) -> tuple[Flow, list[Problem]]:
        definition, problems = await self._checked_definition(
            principal.workspace_id, _parse_raw(data.definition), None
        )
        keywords = trigger_keywords(definition)
        flow = Flow(
            workspace_id=principal.workspace_id,
            name=data.name or "Untitled flow",
            trigger=data.trigger or (", ".join(keywords) if keywords else DEFAULT_TRIGGER),
            status="Draft",
            definition=definition,
            is_default=bool(data.is_default),
            interrupts=bool(data.interrupts),
        )
        self.session.add(flow)
        await self.session.flush()
        if flow.is_default or fold(flow.trigger) == DEFAULT_TRIGGER:
            flow.is_default = True
            await self.repo.clear_default(principal.workspace_id, flow.id)
        if data.status == "Active":
            await self.publish(principal, flow)
        elif data.status:
            flow.status = data.status
        audit.record(self.session, principal, "flow.created", target_type="flow", target_id=flow.id)
        return flow, problems

    async def update(
        self, principal: Principal, flow: Flow, data: FlowIn
    ) -> tuple[Flow, list[Problem]]:
        problems: list[Problem] = []
        if data.definition is not None:
            flow.definition, problems = await self._checked_definition(
                principal.workspace_id, _parse_raw(data.definition), flow.id
            )
            if data.trigger is None:
                keywords = trigger_keywords(flow.definition)
                flow.trigger = ", ".join(keywords) if keywords else flow.trigger
        if data.name is not None:
            flow.name = data.name
        if data.trigger is not None:
            flow.trigger = data.trigger or DEFAULT_TRIGGER
        if data.interrupts is not None:
            flow.interrupts = data.interrupts
        if data.is_default is not None:
            flow.is_default = data.is_default
        if data.is_default or (data.trigger is not None and fold(flow.trigger) == DEFAULT_TRIGGER):
            flow.is_default = True
            await self.repo.clear_default(principal.workspace_id, flow.id)
        if data.status == "Active":
            latest = await self.repo.version_by_id(flow.published_version_id)
            if latest is None or latest.definition != flow.definition:
                await self.publish(principal, flow)
            flow.status = "Active"
        elif data.status is not None:
            flow.status = data.status
        flow.updated_at = utcnow()
        return flow, problems

    async def publish(self, principal: Principal, flow: Flow) -> FlowVersion:
        """Freeze the draft as the next version and make it live; refused while it has problems."""
        problems = await self.validate(principal.workspace_id, flow.definition, flow_id=flow.id)
        blocking = [p for p in problems if p.severity in ("error", "incomplete")]
        if blocking:
            raise _refuse(
                f"The flow cannot be published: {len(blocking)} problem(s) to fix", blocking
            )
        version = FlowVersion(
            workspace_id=flow.workspace_id,
            flow_id=flow.id,
            version=await self.repo.next_version_number(flow.id),
            definition=flow.definition,
            created_by_id=principal.user_id,
        )
        self.session.add(version)
        await self.session.flush()
        flow.published_version_id = version.id
        flow.status = "Active"
        flow.updated_at = utcnow()
        audit.record(
            self.session, principal, "flow.published", target_type="flow", target_id=flow.id,
            version=version.version,
        )  # fmt: skip
        return version

    async def rollback(self, principal: Principal, flow: Flow, number: int) -> FlowVersion:
        old = await self.repo.version(flow.id, number)
        if old is None:
            raise NotFound(f"Version {number} of this flow does not exist")
        flow.definition = old.definition
        return await self.publish(principal, flow)

    async def duplicate(self, principal: Principal, flow: Flow) -> Flow:
        copy = Flow(
            workspace_id=flow.workspace_id,
            name=f"{flow.name} (copy)"[:120],
            trigger=flow.trigger,
            status="Draft",
            definition=flow.definition,
            is_default=False,
            interrupts=flow.interrupts,
        )
        self.session.add(copy)
        await self.session.flush()
        return copy

    async def delete(self, principal: Principal, flow: Flow) -> None:
        await self.session.delete(flow)
        audit.record(self.session, principal, "flow.deleted", target_type="flow", target_id=flow.id)

    @staticmethod
    def export(flow: Flow) -> FlowExportOut:
        return FlowExportOut(name=flow.name, trigger=flow.trigger, definition=flow.definition)

    async def import_flow(self, principal: Principal, data: ImportIn) -> tuple[Flow, list[Problem]]:
        definition: dict[str, Any] | str | None = data.definition
        if definition is None and data.nodes is not None:
            definition = {"nodes": data.nodes, "edges": data.edges or []}
        if definition is None:
            raise BadRequest("Nothing to import: send an export or a definition with nodes")
        if isinstance(definition, str):
            try:
                definition = json.loads(definition)
            except ValueError:
                raise BadRequest("definition: not valid JSON") from None
        name = data.name or "Imported flow"
        return await self.create(
            principal, FlowIn(name=name, trigger=data.trigger, definition=definition)
        )
