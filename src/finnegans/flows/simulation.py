"""The builder's simulator: the real engine, a virtual contact, no WhatsApp traffic.

State lives in `flow_simulations` (one row per simulation id), so a simulation survives page
reloads and works with several server processes. Delays are skipped (noted in `events`), HTTP
nodes really call out (with the same private-address guard as live traffic), and everything
that would touch real data (tags, attributes, handoff, starting another flow) is only reported.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.context import AppContext
from finnegans.db.models import Flow, FlowSimulation
from finnegans.flows import http_calls
from finnegans.flows.definition import FlowGraph
from finnegans.flows.engine import (
    ChangeTags,
    ContactView,
    Engine,
    Handoff,
    HttpCall,
    Inbound,
    ScheduleTimer,
    SendMessage,
    SessionState,
    SetAttribute,
    StartFlow,
    StepResult,
)
from finnegans.flows.repository import FlowRepository
from finnegans.flows.schemas import SimulatedMessage, SimulateIn, SimulateOut
from finnegans.flows.validation import validate_definition
from finnegans.kit.errors import BadRequest, Conflict, NotFound

VIRTUAL_PHONE = "15550000000"
MAX_CHAINED_STEPS = 20  # skipped delays and HTTP answers continue the run; this bounds it


def _virtual_contact(saved: dict[str, Any]) -> ContactView:
    return ContactView(
        id="simulator",
        address=VIRTUAL_PHONE,
        name="Simulator",
        phone=f"+{VIRTUAL_PHONE}",
        wa_id=VIRTUAL_PHONE,
        attributes=dict(saved.get("attributes") or {}),
        tags=tuple(saved.get("tags") or ()),
    )


async def _graph(session: AsyncSession, flow: Flow, use_draft: bool) -> FlowGraph:
    if use_draft:
        errors = [p for p in validate_definition(flow.definition) if p.severity == "error"]
        if errors:
            raise BadRequest(
                "The draft has errors; fix them to simulate it",
                problems=[p.to_json() for p in errors],
            )
        return FlowGraph.parse(flow.definition)
    version = await FlowRepository(session).version_by_id(flow.published_version_id)
    if version is None:
        raise Conflict("The flow has no published version yet")
    return FlowGraph.parse(version.definition)


async def _simulation(session: AsyncSession, flow: Flow, data: SimulateIn) -> FlowSimulation:
    if data.simulation_id:
        found = (
            await session.execute(
                select(FlowSimulation).where(
                    FlowSimulation.id == data.simulation_id,
                    FlowSimulation.workspace_id == flow.workspace_id,
                    FlowSimulation.flow_id == flow.id,
                )
            )
        ).scalar_one_or_none()
        if found is None:
            raise NotFound("Simulation not found (start a new one without simulation_id)")
        return found
    simulation = FlowSimulation(
        workspace_id=flow.workspace_id, flow_id=flow.id, use_draft=data.use_draft, state={}
    )
    session.add(simulation)
    await session.flush()
    return simulation


def _first_step(
    engine: Engine, graph: FlowGraph, contact: ContactView, data: SimulateIn
) -> StepResult:
    inbound = Inbound(text=data.text or "", reply_id=data.reply_id) if data.text else None
    match = graph.match_trigger(inbound) if inbound is not None else None
    trigger = match.node_id if match is not None else graph.default_trigger_id()
    return engine.start(contact, inbound, trigger_node_id=trigger, variables=data.variables)


async def simulate(
    ctx: AppContext, session: AsyncSession, flow: Flow, data: SimulateIn
) -> SimulateOut:
    simulation = await _simulation(session, flow, data)
    graph = await _graph(session, flow, simulation.use_draft)
    engine = Engine(graph)
    saved: dict[str, Any] = dict(simulation.state or {})
    contact = _virtual_contact(saved.get("contact") or {})
    state = (
        None if data.reset or not saved.get("session") else SessionState.from_json(saved["session"])
    )
    events: list[str] = []
    if state is None or state.status in ("completed", "errored", "expired"):
        result = _first_step(engine, graph, contact, data)
        if result.state.node_id is None and not result.path:
            events.append("No trigger matched this message and the flow has no default trigger")
    elif data.fire_timer and state.status == "waiting_timer":
        result = engine.fire_timer(state, contact, "delay")
    elif data.fire_timer and state.status == "waiting_input":
        result = engine.fire_timer(state, contact, "timeout")
    elif data.fire_timer and state.status == "handed_off":
        result = engine.resume(state, contact)
    elif state.status == "waiting_input":
        inbound = Inbound(
            text=data.text or "",
            type="interactive" if data.reply_id else "text",
            reply_id=data.reply_id,
            reply_title=data.text if data.reply_id else None,
            flow_response=data.flow_response,
        )
        result = engine.receive(state, contact, inbound)
    else:
        result = StepResult(state=state, effects=[], path=[])
        events.append(f"The session is {state.status}: the message was not passed to the flow")

    messages: list[SimulatedMessage] = []
    path: list[str] = []
    for _ in range(MAX_CHAINED_STEPS):
        path.extend(result.path)
        follow_up: StepResult | None = None
        for effect in result.effects:
            if isinstance(effect, SendMessage):
                messages.append(SimulatedMessage(node_id=effect.node_id, payload=effect.payload))
            elif isinstance(effect, ScheduleTimer) and effect.kind == "delay":
                events.append(f"Delay of {effect.seconds} s at {effect.node_id} (skipped)")
                follow_up = engine.fire_timer(result.state, contact, "delay")
            elif isinstance(effect, ScheduleTimer):
                events.append(
                    f"Waiting for a reply at {effect.node_id}; times out after {effect.seconds} s"
                )
            elif isinstance(effect, HttpCall):
                response = await http_calls.perform(
                    effect, allow_private=ctx.settings.flow_http_allow_private
                )
                events.append(
                    f"HTTP {effect.method} {effect.url} → "
                    f"{response.status if response.status is not None else response.error}"
                )
                follow_up = engine.http_result(result.state, contact, response)
            elif isinstance(effect, Handoff):
                events.append(f"Handed off to a human (queue {effect.queue})")
            elif isinstance(effect, ChangeTags):
                tags = [t for t in contact.tags if t not in effect.remove] + [
                    t for t in effect.add if t not in contact.tags
                ]
                contact = replace(contact, tags=tuple(tags))
                events.append(f"Tags: +{list(effect.add)} -{list(effect.remove)}")
            elif isinstance(effect, SetAttribute):
                attributes = {**contact.attributes, effect.key: effect.value}
                contact = replace(contact, attributes=attributes)
                events.append(f"Attribute {effect.key} = {effect.value}")
            elif isinstance(effect, StartFlow):
                events.append(f"Would start flow {effect.flow_id}")
        if follow_up is None:
            break
        result = follow_up

    final = result.state
    simulation.state = {
        "session": final.to_json(),
        "contact": {"attributes": dict(contact.attributes), "tags": list(contact.tags)},
    }
    return SimulateOut(
        simulation_id=simulation.id,
        messages=messages,
        path=path,
        variables=final.variables,
        status=final.status,
        node_id=final.node_id,
        error=final.error,
        events=events,
    )
