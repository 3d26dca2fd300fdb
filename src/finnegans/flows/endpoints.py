"""The flows API (docs/flows.md §6): the original paths plus versions, simulation and analytics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from finnegans.accounts.dependencies import AdminPrincipal, CurrentPrincipal
from finnegans.db.dependencies import Ctx, DbSession
from finnegans.flows import simulation, triggering
from finnegans.flows.schemas import (
    AnalyticsOut,
    DefinitionIn,
    FlowCreateIn,
    FlowExportOut,
    FlowIn,
    FlowOut,
    FlowSummaryOut,
    ImportIn,
    NodeStatsOut,
    ProblemOut,
    SimulateIn,
    SimulateOut,
    TriggerIn,
    TriggerOut,
    ValidationOut,
    VersionDetailOut,
    VersionOut,
)
from finnegans.flows.service import FlowService
from finnegans.kit.errors import NotFound

router = APIRouter(prefix="/api/flows", tags=["flows"])


@router.get("")
async def list_flows(principal: CurrentPrincipal, session: DbSession) -> list[FlowSummaryOut]:
    return await FlowService(session).summaries(principal.workspace_id)


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_flow(data: FlowCreateIn, principal: AdminPrincipal, session: DbSession) -> FlowOut:
    """Create a flow (the original body). `status: "Active"` publishes it at once."""
    service = FlowService(session)
    flow, problems = await service.create(principal, data)
    return await service.to_out(flow, problems)


@router.post("/import", status_code=status.HTTP_201_CREATED)
async def import_flow(data: ImportIn, principal: AdminPrincipal, session: DbSession) -> FlowOut:
    service = FlowService(session)
    flow, problems = await service.import_flow(principal, data)
    return await service.to_out(flow, problems)


@router.get("/{flow_id}")
async def get_flow(flow_id: str, principal: CurrentPrincipal, session: DbSession) -> FlowOut:
    service = FlowService(session)
    return await service.to_out(await service.get(principal, flow_id))


@router.put("/{flow_id}", operation_id="replace_flow")
@router.patch("/{flow_id}", operation_id="update_flow")
async def update_flow(
    flow_id: str, data: FlowIn, principal: AdminPrincipal, session: DbSession
) -> FlowOut:
    """Change the given fields; omitted fields keep their value. A draft with errors is refused."""
    service = FlowService(session)
    flow, problems = await service.update(principal, await service.get(principal, flow_id), data)
    return await service.to_out(flow, problems)


@router.delete("/{flow_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_flow(flow_id: str, principal: AdminPrincipal, session: DbSession) -> Response:
    service = FlowService(session)
    await service.delete(principal, await service.get(principal, flow_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{flow_id}/validate")
async def validate_flow(
    flow_id: str, principal: CurrentPrincipal, session: DbSession, data: DefinitionIn | None = None
) -> ValidationOut:
    """Problems of the draft, or of the definition in the body (nothing is saved)."""
    service = FlowService(session)
    flow = await service.get(principal, flow_id)
    raw: dict[str, Any] | str = (
        data.definition if data is not None and data.definition is not None else flow.definition
    )
    problems = await service.validate(principal.workspace_id, raw, flow_id=flow.id)
    return ValidationOut(
        valid=not any(p.severity in ("error", "incomplete") for p in problems),
        problems=[ProblemOut(**p.to_json()) for p in problems],
    )


@router.post("/{flow_id}/publish")
async def publish_flow(flow_id: str, principal: AdminPrincipal, session: DbSession) -> FlowOut:
    service = FlowService(session)
    flow = await service.get(principal, flow_id)
    await service.publish(principal, flow)
    return await service.to_out(flow)


@router.get("/{flow_id}/versions")
async def list_versions(
    flow_id: str, principal: CurrentPrincipal, session: DbSession
) -> list[VersionOut]:
    service = FlowService(session)
    flow = await service.get(principal, flow_id)
    return [
        VersionOut(
            version=v.version,
            created_at=v.created_at,
            created_by_id=v.created_by_id,
            live=v.id == flow.published_version_id and flow.status == "Active",
        )
        for v in await service.repo.versions(flow.id)
    ]


@router.get("/{flow_id}/versions/{version}")
async def get_version(
    flow_id: str, version: int, principal: CurrentPrincipal, session: DbSession
) -> VersionDetailOut:
    service = FlowService(session)
    flow = await service.get(principal, flow_id)
    found = await service.repo.version(flow.id, version)
    if found is None:
        raise NotFound(f"Version {version} of this flow does not exist")
    return VersionDetailOut(
        version=found.version,
        created_at=found.created_at,
        created_by_id=found.created_by_id,
        live=found.id == flow.published_version_id and flow.status == "Active",
        definition=found.definition,
    )


@router.post("/{flow_id}/versions/{version}/rollback")
async def rollback_version(
    flow_id: str, version: int, principal: AdminPrincipal, session: DbSession
) -> FlowOut:
    """Copy an earlier version into the draft and publish it as a new version."""
    service = FlowService(session)
    flow = await service.get(principal, flow_id)
    await service.rollback(principal, flow, version)
    return await service.to_out(flow)


@router.post("/{flow_id}/duplicate", status_code=status.HTTP_201_CREATED)
async def duplicate_flow(flow_id: str, principal: AdminPrincipal, session: DbSession) -> FlowOut:
    service = FlowService(session)
    copy = await service.duplicate(principal, await service.get(principal, flow_id))
    return await service.to_out(copy)


@router.get("/{flow_id}/export")
async def export_flow(
    flow_id: str, principal: CurrentPrincipal, session: DbSession, response: Response
) -> FlowExportOut:
    service = FlowService(session)
    flow = await service.get(principal, flow_id)
    safe_name = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in flow.name)[:60]
    response.headers["Content-Disposition"] = f'attachment; filename="{safe_name or "flow"}.json"'
    return service.export(flow)


@router.get("/{flow_id}/analytics")
async def flow_analytics(
    flow_id: str, principal: CurrentPrincipal, session: DbSession
) -> AnalyticsOut:
    """Per node: sessions that reached it, and sessions whose last node it is."""
    service = FlowService(session)
    flow = await service.get(principal, flow_id)
    sessions, nodes = await service.repo.node_stats(flow.id)
    return AnalyticsOut(sessions=sessions, nodes={k: NodeStatsOut(**v) for k, v in nodes.items()})


@router.post("/{flow_id}/trigger")
async def trigger_flow(
    flow_id: str, data: TriggerIn, principal: AdminPrincipal, session: DbSession, ctx: Ctx
) -> TriggerOut:
    """Start the flow for a phone number, with variables (API keys act as admins)."""
    service = FlowService(session)
    flow = await service.get(principal, flow_id)
    return await triggering.trigger_flow(ctx, session, flow, data)


@router.post("/{flow_id}/simulate")
async def simulate_flow(
    flow_id: str, data: SimulateIn, principal: CurrentPrincipal, session: DbSession, ctx: Ctx
) -> SimulateOut:
    """Run the real engine against a virtual contact; nothing reaches WhatsApp."""
    service = FlowService(session)
    flow = await service.get(principal, flow_id)
    return await simulation.simulate(ctx, session, flow, data)
