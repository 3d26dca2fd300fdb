"""Runs the pure engine against stored sessions and turns its effects into rows and tasks.

Everything here happens inside the caller's unit of work: the new session state, the outbound
messages (queued in the outbox), timers, HTTP calls, tags and attributes commit together or not
at all. Nothing here talks to the network; the tasks queued here do, after commit.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.contacts.repository import whatsapp_address
from finnegans.db.base import new_id
from finnegans.db.models import (
    Contact,
    ContactTag,
    Conversation,
    Flow,
    FlowSession,
    FlowSessionNode,
    FlowVersion,
    Message,
    Tag,
    WorkspaceMember,
)
from finnegans.flows.definition import FlowGraph
from finnegans.flows.engine import (
    CancelTimers,
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
from finnegans.flows.matching import fold
from finnegans.flows.repository import ENDED_STATUSES, LIVE_STATUSES, FlowRepository
from finnegans.inbox import events as inbox_events
from finnegans.inbox.outbox import queue_message
from finnegans.jobs.task_queue import cancel_timers, enqueue
from finnegans.kit.clock import utcnow
from finnegans.kit.upsert import insert_ignoring_conflicts
from finnegans.system import metrics

MAX_FLOW_CHAIN = 3  # start_flow → start_flow → ...: deeper chains are a mistake, not a feature
_GRAPH_CACHE_SIZE = 256
_graphs: OrderedDict[str, FlowGraph] = OrderedDict()


def graph_of(version: FlowVersion) -> FlowGraph:
    """Parsed graph of a published version; versions never change, so the parse is cached."""
    graph = _graphs.get(version.id)
    if graph is None:
        graph = FlowGraph.parse(version.definition)
        _graphs[version.id] = graph
        if len(_graphs) > _GRAPH_CACHE_SIZE:
            _graphs.popitem(last=False)
    else:
        _graphs.move_to_end(version.id)
    return graph


def engine_for(version: FlowVersion) -> Engine:
    return Engine(graph_of(version))


async def contact_view(session: AsyncSession, contact: Contact) -> ContactView:
    tags = await session.execute(
        select(Tag.name)
        .join(ContactTag, ContactTag.tag_id == Tag.id)
        .where(ContactTag.contact_id == contact.id)
        .order_by(Tag.name)
    )
    return ContactView(
        id=contact.id,
        address=whatsapp_address(contact),
        name=contact.name,
        phone=contact.phone,
        wa_id=contact.wa_id,
        attributes=dict(contact.attributes or {}),
        tags=tuple(tags.scalars()),
    )


def inbound_of(message: Message) -> Inbound:
    """What the engine sees of a stored inbound message (the raw Meta message is in payload)."""
    raw: dict[str, Any] = (message.payload or {}).get("message") or {}
    reply_id = reply_title = None
    flow_response: dict[str, Any] | None = None
    interactive = raw.get("interactive") or {}
    for key in ("button_reply", "list_reply"):
        if isinstance(interactive.get(key), dict):
            reply_id = interactive[key].get("id")
            reply_title = interactive[key].get("title")
    nfm = interactive.get("nfm_reply")
    if isinstance(nfm, dict):
        flow_response = _json_object(nfm.get("response_json"))
    button = raw.get("button")
    if isinstance(button, dict):  # a template's quick-reply button
        reply_id = button.get("payload")
        reply_title = button.get("text")
    text = message.text or ""
    if text.startswith("[") and text.endswith("]") and message.type not in ("text", "button"):
        text = ""  # placeholders such as "[image]" are for the inbox, not for matching
    summary = (message.payload or {}).get("summary") or {}
    return Inbound(
        text=text,
        type=message.type,
        reply_id=reply_id,
        reply_title=reply_title,
        flow_response=flow_response,
        media=summary.get("media"),
    )


def _json_object(value: Any) -> dict[str, Any] | None:
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None
    return None


def state_of(flow_session: FlowSession) -> SessionState:
    return SessionState(
        node_id=flow_session.current_node_id,
        status=flow_session.status,
        variables=dict(flow_session.variables or {}),
        attempts=flow_session.attempts,
        error=flow_session.error,
    )


async def live_session(session: AsyncSession, contact_id: str) -> FlowSession | None:
    result = await session.execute(
        select(FlowSession)
        .where(FlowSession.contact_id == contact_id, FlowSession.status.in_(LIVE_STATUSES))
        .order_by(FlowSession.last_activity_at.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


_OUTCOMES = frozenset({*ENDED_STATUSES, "handed_off"})


def _count_outcome(session: AsyncSession, before: str, after: str) -> None:
    """A session reaching an outcome (the flow executions metric), counted after commit."""
    if after != before and after in _OUTCOMES:
        metrics.count_after_commit(session, metrics.FLOW_EXECUTIONS.labels(after))


async def end_session(session: AsyncSession, flow_session: FlowSession, status: str) -> None:
    _count_outcome(session, flow_session.status, status)
    flow_session.status = status
    flow_session.ended_at = utcnow()
    await cancel_timers(session, flow_session.id)


@dataclass(frozen=True)
class FlowMatch:
    flow: Flow
    version: FlowVersion
    trigger_node_id: str | None


async def choose_flow(
    session: AsyncSession,
    workspace_id: str,
    inbound: Inbound,
    *,
    interrupting_only: bool = False,
    exclude_flow_id: str | None = None,
) -> FlowMatch | None:
    """The live flow whose trigger matches best; else the default flow (never "some flow")."""
    candidates = await FlowRepository(session).active_flows(workspace_id)
    best: tuple[int, FlowMatch] | None = None
    for flow, version in candidates:
        if flow.id == exclude_flow_id or (interrupting_only and not flow.interrupts):
            continue
        match = graph_of(version).match_trigger(inbound)
        if match is not None and (best is None or match.score > best[0]):
            best = (match.score, FlowMatch(flow, version, match.node_id))
    if best is not None:
        return best[1]
    if interrupting_only:
        return None
    for flow, version in candidates:
        if flow.id != exclude_flow_id and (flow.is_default or fold(flow.trigger) == "default"):
            return FlowMatch(flow, version, graph_of(version).default_trigger_id())
    return None


async def start_session(
    session: AsyncSession,
    contact: Contact,
    match: FlowMatch,
    inbound: Inbound | None,
    *,
    variables: dict[str, Any] | None = None,
    depth: int = 0,
) -> FlowSession:
    """End the contact's live session, if any, and start this flow at the matched trigger."""
    current = await live_session(session, contact.id)
    if current is not None:
        await end_session(session, current, "completed")
    now = utcnow()
    flow_session = FlowSession(
        id=new_id(),
        workspace_id=contact.workspace_id,
        contact_id=contact.id,
        flow_id=match.flow.id,
        flow_version_id=match.version.id,
        status="active",
        variables={},
        attempts=0,
        started_at=now,
        last_activity_at=now,
    )
    session.add(flow_session)
    await session.flush()
    view = await contact_view(session, contact)
    result = engine_for(match.version).start(
        view, inbound, trigger_node_id=match.trigger_node_id, variables=variables or {}
    )
    await apply_result(session, flow_session, contact, result, depth=depth)
    return flow_session


async def apply_result(
    session: AsyncSession,
    flow_session: FlowSession,
    contact: Contact,
    result: StepResult,
    *,
    depth: int = 0,
) -> None:
    """Store the new state and turn each effect into rows and tasks, in order."""
    state = result.state
    now = utcnow()
    flow_session.current_node_id = state.node_id
    _count_outcome(session, flow_session.status, state.status)
    flow_session.status = state.status
    flow_session.variables = state.variables
    flow_session.attempts = state.attempts
    flow_session.error = state.error
    flow_session.last_activity_at = now
    if state.status in ENDED_STATUSES:
        flow_session.ended_at = now
        await cancel_timers(session, flow_session.id)
    for node_id in dict.fromkeys(result.path):
        await session.execute(
            insert_ignoring_conflicts(
                session,
                FlowSessionNode,
                {"session_id": flow_session.id, "node_id": node_id,
                 "workspace_id": flow_session.workspace_id, "flow_id": flow_session.flow_id,
                 "reached_at": now},
            )
        )  # fmt: skip
    for effect in result.effects:
        await _apply_effect(session, flow_session, contact, effect, depth)


async def _apply_effect(
    session: AsyncSession, flow_session: FlowSession, contact: Contact, effect: Any, depth: int
) -> None:
    workspace_id = flow_session.workspace_id
    if isinstance(effect, SendMessage):
        await queue_message(
            session,
            workspace_id=workspace_id,
            contact_id=contact.id,
            payload=effect.payload,
            session_id=flow_session.id,
            node_id=effect.node_id,
        )
    elif isinstance(effect, ScheduleTimer):
        enqueue(
            session, workspace_id=workspace_id, contact_id=contact.id,
            session_id=flow_session.id, kind="timer",
            due_at=utcnow() + timedelta(seconds=effect.seconds),
            payload={"node_id": effect.node_id, "kind": effect.kind},
        )  # fmt: skip
    elif isinstance(effect, CancelTimers):
        await cancel_timers(session, flow_session.id)
    elif isinstance(effect, HttpCall):
        enqueue(
            session, workspace_id=workspace_id, contact_id=contact.id,
            session_id=flow_session.id, kind="http", payload=_http_payload(effect),
        )  # fmt: skip
    elif isinstance(effect, Handoff):
        await _hand_off(session, flow_session, contact, effect)
    elif isinstance(effect, ChangeTags):
        await change_tags(session, contact, add=effect.add, remove=effect.remove)
    elif isinstance(effect, SetAttribute):
        contact.attributes = {**(contact.attributes or {}), effect.key: effect.value}
    elif isinstance(effect, StartFlow):
        await _start_other_flow(session, flow_session, contact, effect, depth)


def _http_payload(call: HttpCall) -> dict[str, Any]:
    return {"node_id": call.node_id, "method": call.method, "url": call.url,
            "headers": call.headers, "body": call.body,
            "timeout_seconds": call.timeout_seconds}  # fmt: skip


def http_call_of(payload: dict[str, Any]) -> HttpCall:
    return HttpCall(
        node_id=str(payload["node_id"]),
        method=str(payload["method"]),
        url=str(payload["url"]),
        headers=dict(payload.get("headers") or {}),
        body=payload.get("body"),
        timeout_seconds=float(payload.get("timeout_seconds") or 10),
    )


async def _hand_off(
    session: AsyncSession, flow_session: FlowSession, contact: Contact, effect: Handoff
) -> None:
    conversation = (
        await session.execute(select(Conversation).where(Conversation.contact_id == contact.id))
    ).scalar_one_or_none()
    if conversation is None:
        conversation = Conversation(
            workspace_id=contact.workspace_id, contact_id=contact.id, unread_count=0
        )
        session.add(conversation)
    conversation.mode = "human"
    conversation.status = "open"
    if effect.assignee_id:
        member = await session.execute(
            select(WorkspaceMember.user_id).where(
                WorkspaceMember.workspace_id == contact.workspace_id,
                WorkspaceMember.user_id == effect.assignee_id,
            )
        )
        if member.scalar_one_or_none() is not None:  # never assign to another tenant's user
            conversation.assignee_id = effect.assignee_id
    await session.flush()
    await inbox_events.conversation_updated(session, conversation)
    if effect.return_after_minutes > 0:
        enqueue(
            session, kind="timer", workspace_id=contact.workspace_id, contact_id=contact.id,
            session_id=flow_session.id,
            due_at=utcnow() + timedelta(minutes=effect.return_after_minutes),
            payload={"node_id": effect.node_id, "kind": "handoff_return"},
        )  # fmt: skip


async def change_tags(
    session: AsyncSession, contact: Contact, *, add: tuple[str, ...], remove: tuple[str, ...]
) -> None:
    for name in add:
        await session.execute(
            insert_ignoring_conflicts(
                session, Tag, {"id": new_id(), "workspace_id": contact.workspace_id,
                               "name": name.strip()[:64]},
            )
        )  # fmt: skip
        tag_id = (
            await session.execute(
                select(Tag.id).where(
                    Tag.workspace_id == contact.workspace_id, Tag.name == name.strip()[:64]
                )
            )
        ).scalar_one()
        await session.execute(
            insert_ignoring_conflicts(
                session, ContactTag, {"contact_id": contact.id, "tag_id": tag_id}
            )
        )
    if remove:
        ids = select(Tag.id).where(
            Tag.workspace_id == contact.workspace_id, Tag.name.in_([n.strip() for n in remove])
        )
        await session.execute(
            delete(ContactTag).where(
                ContactTag.contact_id == contact.id, ContactTag.tag_id.in_(ids)
            )
        )


async def _start_other_flow(
    session: AsyncSession,
    flow_session: FlowSession,
    contact: Contact,
    effect: StartFlow,
    depth: int,
) -> None:
    if depth >= MAX_FLOW_CHAIN:
        flow_session.status = "errored"
        flow_session.error = f"Node {effect.node_id}: too many flows started one after another"
        return
    flow = await FlowRepository(session).get(flow_session.workspace_id, effect.flow_id)
    version = await FlowRepository(session).version_by_id(
        flow.published_version_id if flow is not None else None
    )
    if flow is None or version is None or flow.status != "Active":
        flow_session.status = "errored"
        flow_session.error = f"Node {effect.node_id}: the flow to start is not published"
        return
    if flow_session.status not in ENDED_STATUSES:
        await end_session(session, flow_session, "completed")
    graph = graph_of(version)
    await start_session(
        session, contact, FlowMatch(flow, version, graph.default_trigger_id()), None,
        variables=dict(effect.variables), depth=depth + 1,
    )  # fmt: skip


def is_idle(flow_session: FlowSession, timeout_hours: float) -> bool:
    return utcnow() - flow_session.last_activity_at > timedelta(hours=timeout_hours)
