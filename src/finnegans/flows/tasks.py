"""Task handlers that move flow sessions: inbound messages, timers, HTTP results, resume, trigger.

Each handler loads what it needs, runs the engine and stores the result in one unit of work
that also marks its task done, so a crash replays the task instead of half-applying it. The
task queue guarantees one contact's tasks never run concurrently and run in order.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from finnegans.context import AppContext
from finnegans.db.models import Contact, Conversation, FlowSession, FlowVersion, Message
from finnegans.flows import http_calls
from finnegans.flows.engine import Inbound
from finnegans.flows.repository import FlowRepository
from finnegans.flows.runtime import (
    FlowMatch,
    apply_result,
    choose_flow,
    contact_view,
    end_session,
    engine_for,
    graph_of,
    http_call_of,
    inbound_of,
    is_idle,
    live_session,
    start_session,
    state_of,
)
from finnegans.inbox import events as inbox_events
from finnegans.jobs.task_queue import Handler, TaskRef, enqueue, finish
from finnegans.kit.clock import utcnow
from finnegans.kit.logging import get_logger

log = get_logger(__name__)

PAUSED_TIMER_RECHECK = timedelta(minutes=1)


def handlers(ctx: AppContext) -> dict[str, Handler]:
    async def inbound(ref: TaskRef) -> None:
        await handle_inbound(ctx, ref)

    async def timer(ref: TaskRef) -> None:
        await handle_timer(ctx, ref)

    async def http(ref: TaskRef) -> None:
        await handle_http(ctx, ref)

    async def resume(ref: TaskRef) -> None:
        await handle_resume(ctx, ref)

    async def trigger(ref: TaskRef) -> None:
        await handle_trigger(ctx, ref)

    from finnegans.inbox.outbox import send_queued_message, send_read_receipt

    async def send(ref: TaskRef) -> None:
        await send_queued_message(ctx, ref)

    async def read_receipt(ref: TaskRef) -> None:
        await send_read_receipt(ctx, ref)

    from finnegans.inbox.service import return_to_bot_if_idle

    async def return_to_bot(ref: TaskRef) -> None:
        await return_to_bot_if_idle(ctx, ref)

    return {"inbound": inbound, "timer": timer, "http": http, "resume": resume,
            "trigger": trigger, "send": send, "read_receipt": read_receipt,
            "return_to_bot": return_to_bot}  # fmt: skip


async def _conversation(session: Any, contact_id: str) -> Conversation | None:
    result = await session.execute(
        select(Conversation).where(Conversation.contact_id == contact_id)
    )
    found: Conversation | None = result.scalar_one_or_none()
    return found


async def _agent_has_it(session: Any, contact_id: str) -> bool:
    conversation = await _conversation(session, contact_id)
    return conversation is not None and conversation.mode == "human"


async def handle_inbound(ctx: AppContext, ref: TaskRef) -> None:
    """A stored inbound message: continue the contact's session, or start a matching flow."""
    async with ctx.db.unit_of_work() as session:
        message = await session.get(Message, ref.message_id) if ref.message_id else None
        contact = await session.get(Contact, message.contact_id) if message else None
        if message is None or contact is None:
            await finish(session, ref.id)
            return
        if contact.opted_out or await _agent_has_it(session, contact.id):
            await finish(session, ref.id)  # an agent has the conversation: the bot stays quiet
            return
        inbound = inbound_of(message)
        current = await live_session(session, contact.id)
        if current is not None and is_idle(current, ctx.settings.flow_session_timeout_hours):
            await end_session(session, current, "expired")
            current = None
        if current is None:
            match = await choose_flow(session, contact.workspace_id, inbound)
            if match is not None:
                await start_session(session, contact, match, inbound)
        else:
            interrupting = await choose_flow(
                session, contact.workspace_id, inbound,
                interrupting_only=True, exclude_flow_id=current.flow_id,
            )  # fmt: skip
            if interrupting is not None:
                await start_session(session, contact, interrupting, inbound)
            elif current.status == "waiting_input":
                await _receive(session, current, contact, inbound)
            # Otherwise the session waits for a timer, an HTTP answer or an agent: the message
            # stays in the inbox and the flow carries on when its wait ends.
        await finish(session, ref.id)


async def _version(session: Any, flow_session: FlowSession) -> FlowVersion:
    version: FlowVersion | None = await session.get(FlowVersion, flow_session.flow_version_id)
    if version is None:  # pragma: no cover - the foreign key cascades sessions with versions
        raise LookupError(f"flow version {flow_session.flow_version_id} is gone")
    return version


async def _receive(session: Any, current: FlowSession, contact: Contact, inbound: Inbound) -> None:
    version = await _version(session, current)
    view = await contact_view(session, contact)
    result = engine_for(version).receive(state_of(current), view, inbound)
    await apply_result(session, current, contact, result)


_TIMER_WAITS = {
    "delay": "waiting_timer",
    "timeout": "waiting_input",
    "handoff_return": "handed_off",
}


async def handle_timer(ctx: AppContext, ref: TaskRef) -> None:
    """A delay elapsed, a wait timed out, or a handed-off conversation returns to the bot."""
    kind = str(ref.payload.get("kind"))
    async with ctx.db.unit_of_work() as session:
        current = await session.get(FlowSession, ref.session_id) if ref.session_id else None
        contact = await session.get(Contact, current.contact_id) if current else None
        if (
            current is None
            or contact is None
            or current.status != _TIMER_WAITS.get(kind)
            or current.current_node_id != ref.payload.get("node_id")
        ):
            await finish(session, ref.id, "cancelled")  # the session moved on meanwhile
            return
        if kind != "handoff_return" and await _agent_has_it(session, contact.id):
            # The bot is paused while an agent talks: hold the timer back (it is checked again
            # every minute), so a delay or a reply timeout never speaks over the agent.
            enqueue(session, workspace_id=ref.workspace_id, kind="timer", contact_id=contact.id,
                    session_id=current.id, payload=dict(ref.payload),
                    due_at=utcnow() + PAUSED_TIMER_RECHECK)  # fmt: skip
            await finish(session, ref.id)  # replaced by the re-check above
            return
        version = await _version(session, current)
        view = await contact_view(session, contact)
        engine = engine_for(version)
        if kind == "handoff_return":
            conversation = await _conversation(session, contact.id)
            if conversation is not None:
                conversation.mode = "bot"
                await inbox_events.conversation_updated(session, conversation)
            result = engine.resume(state_of(current), view)
        else:
            result = engine.fire_timer(state_of(current), view, kind)
        await apply_result(session, current, contact, result)
        await finish(session, ref.id)


async def handle_http(ctx: AppContext, ref: TaskRef) -> None:
    """An http/api node: call out (no transaction open meanwhile), then continue the flow."""
    call = http_call_of(ref.payload)
    response = await http_calls.perform(call, allow_private=ctx.settings.flow_http_allow_private)
    async with ctx.db.unit_of_work() as session:
        current = await session.get(FlowSession, ref.session_id) if ref.session_id else None
        contact = await session.get(Contact, current.contact_id) if current else None
        if (
            current is None
            or contact is None
            or current.status != "waiting_http"
            or current.current_node_id != call.node_id
        ):
            await finish(session, ref.id, "cancelled")
            return
        version = await _version(session, current)
        view = await contact_view(session, contact)
        result = engine_for(version).http_result(state_of(current), view, response)
        await apply_result(session, current, contact, result)
        await finish(session, ref.id)


async def handle_resume(ctx: AppContext, ref: TaskRef) -> None:
    """ "Resume bot": the handed-off session continues after its handoff node."""
    async with ctx.db.unit_of_work() as session:
        current = await session.get(FlowSession, ref.session_id) if ref.session_id else None
        contact = await session.get(Contact, current.contact_id) if current else None
        if current is None or contact is None or current.status != "handed_off":
            await finish(session, ref.id, "cancelled")
            return
        conversation = await _conversation(session, contact.id)
        if conversation is not None:
            conversation.mode = "bot"
            await inbox_events.conversation_updated(session, conversation)
        version = await _version(session, current)
        result = engine_for(version).resume(state_of(current), await contact_view(session, contact))
        await apply_result(session, current, contact, result)
        await finish(session, ref.id)


async def handle_trigger(ctx: AppContext, ref: TaskRef) -> None:
    """Start a flow for a contact from the API, with the caller's variables."""
    async with ctx.db.unit_of_work() as session:
        contact = await session.get(Contact, ref.contact_id) if ref.contact_id else None
        flow = await FlowRepository(session).get(ref.workspace_id, str(ref.payload.get("flow_id")))
        version = await FlowRepository(session).version_by_id(
            flow.published_version_id if flow is not None else None
        )
        if contact is None or flow is None or version is None or flow.status != "Active":
            await finish(session, ref.id, "cancelled")
            return
        text = str(ref.payload.get("message") or "")
        graph = graph_of(version)
        match = graph.match_trigger(Inbound(text=text)) if text else None
        trigger_id = match.node_id if match is not None else graph.default_trigger_id()
        await start_session(
            session, contact, FlowMatch(flow, version, trigger_id),
            Inbound(text=text) if text else None,
            variables=dict(ref.payload.get("variables") or {}),
        )  # fmt: skip
        await finish(session, ref.id)
