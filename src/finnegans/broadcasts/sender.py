"""The broadcast runner: claims recipients in batches and sends them at the number's pace.

Exactly-once, as far as Meta allows (it has no idempotency key):
1. Claim: a batch of due `pending` recipients becomes `sending` (with `claimed_at`) and that
   COMMITS before any Graph call. A crash after this point leaves them `sending`, never
   `pending`, so a restarted runner does not blindly send them again.
2. Send: outside any transaction, each through the shared per-number `SendBudget` at the
   broadcast rate (budget minus BROADCAST_RESERVED_SHARE), with `biz_opaque_callback_data` =
   the recipient id, which Meta echoes in every status webhook.
3. Record: wamid, outbound message row and `sent` commit together; errors by class.
Recipients still `sending` after a crash are settled by status webhooks (tracking.py finds
them by the echoed recipient id); only after BROADCAST_SENDING_GRACE_SECONDS with no evidence
are they sent again. Residual risk: Meta accepted the send and every status webhook for it is
lost for longer than the grace period; the customer then gets the message twice.

The runner is a task-queue task that works for a few seconds, then hands over to a fresh task
(so one broadcast never holds a runner slot for long) and keeps a short lease by heartbeat, so
a killed process's broadcast is picked up again within LEASE after restart.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.broadcasts import audience as audiences
from finnegans.broadcasts.content import empty_parameters, graph_payload
from finnegans.broadcasts.events import progress
from finnegans.broadcasts.pacing import (
    THROUGHPUT_BACKOFF,
    batch_size,
    graph_client,
    graph_slot,
    throttle_for,
)
from finnegans.broadcasts.repository import BroadcastRepository
from finnegans.broadcasts.service import broadcast_rate, materialise, start_runner
from finnegans.broadcasts.tracking import (
    ECOSYSTEM_RETRY_AFTER,
    MAX_ECOSYSTEM_RETRIES,
    OPAQUE_PREFIX,
)
from finnegans.contacts.repository import ContactRepository, whatsapp_address
from finnegans.context import AppContext
from finnegans.db.base import new_id
from finnegans.db.models import (
    Broadcast,
    BroadcastRecipient,
    Contact,
    Conversation,
    Message,
    PendingStatus,
    Task,
    WebhookEvent,
    WhatsAppAccount,
)
from finnegans.flows.engine_types import ContactView
from finnegans.inbox.outbox import preview_text
from finnegans.inbox.repository import MessageRepository
from finnegans.jobs.task_queue import TaskRef, enqueue, finish
from finnegans.kit.clock import utcnow
from finnegans.kit.logging import get_logger
from finnegans.system import metrics
from finnegans.whatsapp.graph import (
    ErrorKind,
    GraphClient,
    GraphError,
    GraphUnreachable,
    MessageValidationError,
    SendOutcomeUnknown,
    pair_rate_limit_backoff,
)

log = get_logger(__name__)

MAX_ATTEMPTS = 8  # retryable errors (throughput, pair limit, 5xx, network) per recipient
PAUSED_FOR_CREDENTIALS = (
    "The WhatsApp access token is invalid or expired (Meta error {code}): "
    "update it in Settings, then resume the broadcast"
)
# The Core table, for executemany updates keyed by recipient id.
RECIPIENTS: Table = BroadcastRecipient.__table__  # type: ignore[assignment]

LEASE = timedelta(seconds=10)  # a killed runner is picked up again this soon
SLICE_SECONDS = 4.0  # then hand over to a fresh runner task
LANES = 3  # batches in flight per runner (one sends while others claim or record)


@dataclass
class Outcome:
    recipient_id: str
    wamid: str | None = None
    payload: dict[str, Any] | None = None
    error_kind: str | None = None  # sent when None; else an ErrorKind value, "unknown", "skip"
    code: int | None = None
    reason: str | None = None


@dataclass
class Batch:
    broadcast: Broadcast
    account: WhatsAppAccount
    rate: int
    recipients: list[tuple[BroadcastRecipient, ContactView, datetime | None]] = field(
        default_factory=list
    )


async def _heartbeat(session: AsyncSession, ref: TaskRef) -> bool:
    """Extend this runner's lease; False when another runner took the task over."""
    moved = await session.execute(
        update(Task)
        .where(Task.id == ref.id, Task.state == "running", Task.attempts == ref.attempts)
        .values(locked_until=utcnow() + LEASE)
    )
    return bool(moved.rowcount)  # type: ignore[attr-defined]


async def _hand_over(session: AsyncSession, ref: TaskRef, broadcast: Broadcast,
                     due_at: datetime | None) -> None:  # fmt: skip
    """Finish this task and queue the next runner in the same transaction: one chain only."""
    await finish(session, ref.id)
    start_runner(session, broadcast, due_at)


async def _move(session: AsyncSession, broadcast: Broadcast, from_status: str,
                **values: Any) -> None:  # fmt: skip
    """Change the broadcast only if nobody else did meanwhile (a user's pause or cancel)."""
    await session.execute(
        update(Broadcast).where(Broadcast.id == broadcast.id, Broadcast.status == from_status)
        .values(**values, updated_at=utcnow())
    )  # fmt: skip
    await session.refresh(broadcast)


async def _reconcile_stale(
    session: AsyncSession, workspace_id: str, broadcast_id: str, grace: timedelta
) -> None:
    """`sending` with no wamid long after the claim: no evidence Meta got it; send again.

    "No evidence" also needs every webhook received so far to be processed: after a restart
    the statuses Meta re-delivered may still wait in the event log, and resending before
    reading them is exactly how a message goes out twice.
    """
    backlog = await session.execute(
        select(WebhookEvent.id)
        .where(WebhookEvent.status.in_(("pending", "processing")),
               WebhookEvent.workspace_id == workspace_id)
        .limit(1)
    )  # fmt: skip
    if backlog.first() is not None:
        return
    await session.execute(
        update(BroadcastRecipient)
        .where(BroadcastRecipient.broadcast_id == broadcast_id,
               BroadcastRecipient.status == "sending", BroadcastRecipient.wamid.is_(None),
               BroadcastRecipient.claimed_at < utcnow() - grace)
        .values(status="pending", next_attempt_at=None,
                error="resent: no sign of the earlier attempt after a restart")
    )  # fmt: skip


async def _next_due(session: AsyncSession, broadcast_id: str, grace: timedelta) -> datetime | None:
    """When there may be work again (retries waiting, ambiguous sends); None when done."""
    row = (await session.execute(
        select(func.count().filter(BroadcastRecipient.status == "pending"),
               func.min(BroadcastRecipient.next_attempt_at),
               func.count().filter(BroadcastRecipient.status == "sending"),
               func.min(BroadcastRecipient.claimed_at).filter(
                   BroadcastRecipient.status == "sending"))
        .where(BroadcastRecipient.broadcast_id == broadcast_id)
    )).one()  # fmt: skip
    pending, next_attempt, sending, oldest_claim = row
    if not pending and not sending:
        return None
    candidates = [utcnow() + timedelta(seconds=0.5)]
    if pending and next_attempt is not None:
        candidates.append(next_attempt)
    if sending and oldest_claim is not None:
        candidates.append(oldest_claim + grace)
    return max(min(candidates[1:], default=candidates[0]), candidates[0])


Claimed = Batch | Literal["empty", "stop"]


async def claim(ctx: AppContext, ref: TaskRef, *, settle: bool = False) -> Claimed:
    """One transaction: heartbeat, start a due schedule, claim due recipients as `sending`.

    With nothing due, `settle` decides what happens next: complete the broadcast, or hand over
    to a runner due when retries (or the grace period of ambiguous sends) come up. Lanes still
    sending in this process must not settle: their `sending` rows are not ambiguous.
    """
    grace = timedelta(seconds=ctx.settings.broadcast_sending_grace_seconds)
    async with ctx.db.unit_of_work() as session:
        if not await _heartbeat(session, ref):
            return "stop"
        broadcast = await BroadcastRepository(session).get(
            ref.workspace_id, str(ref.payload.get("broadcast_id"))
        )
        if broadcast is None or broadcast.status not in ("running", "scheduled"):
            await finish(session, ref.id, "cancelled")  # paused, cancelled or gone
            return "stop"
        if broadcast.status == "scheduled":
            await materialise(session, broadcast)
        account = (await session.get(WhatsAppAccount, broadcast.whatsapp_account_id)
                   if broadcast.whatsapp_account_id else None)  # fmt: skip
        if account is None:
            broadcast.status, broadcast.paused_reason = "paused", "The WhatsApp number is gone"
            await finish(session, ref.id)
            return "stop"
        throttle = throttle_for(account.id)
        rate = throttle.slowed(broadcast_rate(account, ctx.settings.broadcast_reserved_share))
        await _reconcile_stale(session, broadcast.workspace_id, broadcast.id, grace)
        now = utcnow()
        query = (
            select(BroadcastRecipient)
            .where(BroadcastRecipient.broadcast_id == broadcast.id,
                   BroadcastRecipient.status == "pending",
                   (BroadcastRecipient.next_attempt_at.is_(None))
                   | (BroadcastRecipient.next_attempt_at <= now))
            .order_by(BroadcastRecipient.id)
            .limit(batch_size(rate))
        )  # fmt: skip
        if not ctx.db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        claimed = list((await session.execute(query)).scalars())
        if not claimed:
            if not settle:
                return "empty"
            due = await _next_due(session, broadcast.id, grace)
            if due is None:
                await _move(session, broadcast, "running", status="completed",
                            completed_at=utcnow())  # fmt: skip
                await finish(session, ref.id)
                progress(session, broadcast)
            else:
                await _hand_over(session, ref, broadcast, due)
            return "stop"
        for recipient in claimed:
            recipient.status, recipient.claimed_at = "sending", now
            recipient.attempts += 1
        batch = Batch(broadcast, account, rate)
        contact_ids = [r.contact_id for r in claimed]
        contacts = {c.id: c for c in (await session.execute(
            select(Contact).where(Contact.id.in_(contact_ids)))).scalars()}  # fmt: skip
        found = await session.execute(
            select(Conversation.contact_id, Conversation.window_expires_at).where(
                Conversation.contact_id.in_(contact_ids)
            )
        )
        windows: dict[str, datetime | None] = {str(c): w for c, w in found}
        tags = await ContactRepository(session).tags_of(contact_ids)
        for recipient in claimed:
            contact = contacts[recipient.contact_id]
            view = ContactView(
                id=contact.id, address=whatsapp_address(contact), name=contact.name,
                phone=contact.phone, wa_id=contact.wa_id,
                attributes=dict(contact.attributes or {}), tags=tuple(tags[contact.id]),
            )  # fmt: skip
            batch.recipients.append((recipient, view, windows.get(contact.id)))
        return batch


async def _send_one(
    ctx: AppContext, graph: GraphClient | None, batch: Batch,
    item: tuple[BroadcastRecipient, ContactView, datetime | None],
) -> Outcome:  # fmt: skip
    recipient, view, window_end = item
    content = batch.broadcast.content
    outcome = Outcome(recipient.id)
    needs_window = content.get("kind") == "text"
    reason = audiences.skip_reason(False, bool(view.address), window_end, needs_window, utcnow())
    if reason is not None:
        outcome.error_kind, outcome.reason = "skip", reason
        return outcome
    try:
        payload = graph_payload(content, view)
    except MessageValidationError as exc:
        outcome.error_kind, outcome.reason = ErrorKind.TERMINAL.value, str(exc)
        return outcome
    wait = throttle_for(batch.account.id).spacing(batch.rate)
    if wait > 0:
        await asyncio.sleep(wait)
    if payload is None:  # a flow broadcast: pace the flow starts, the outbox sends
        await ctx.send_budget.acquire(f"broadcast:{batch.account.id}", batch.rate)
        return outcome
    if empty := empty_parameters(payload):
        outcome.error_kind = ErrorKind.TERMINAL.value
        outcome.reason = f"template parameters rendered empty for this contact: {', '.join(empty)}"
        return outcome
    payload["biz_opaque_callback_data"] = OPAQUE_PREFIX + recipient.id
    outcome.payload = payload
    assert graph is not None  # noqa: S101 - built for every non-flow batch
    # The hard cap: never more than the rate in any 1-second window (shared by all lanes and
    # broadcasts of the number in this process; its own key, so live traffic keeps the rest).
    await ctx.send_budget.acquire(f"broadcast:{batch.account.id}", batch.rate)
    try:
        async with graph_slot():  # the number's ArrivalGuard is inside GraphClient.send
            outcome.wamid = (await graph.send(payload)).wamid
    except GraphError as exc:
        outcome.error_kind, outcome.code = exc.kind.value, exc.code
        outcome.reason = exc.title or exc.message
        if exc.details:
            outcome.reason += f" — {exc.details}"
    except SendOutcomeUnknown as exc:
        outcome.error_kind, outcome.reason = "unknown", str(exc)
    except GraphUnreachable as exc:
        outcome.error_kind, outcome.reason = ErrorKind.RETRYABLE.value, str(exc)
    return outcome


async def send(ctx: AppContext, batch: Batch) -> list[Outcome]:
    throttle = throttle_for(batch.account.id)
    wait = throttle.resume_at - time.monotonic()
    if wait > 0:
        await asyncio.sleep(wait)
    if batch.broadcast.content.get("kind") == "flow":
        return list(await asyncio.gather(*(_send_one(ctx, None, batch, item)
                                           for item in batch.recipients)))  # fmt: skip
    try:
        graph = graph_client(ctx, batch.account, batch.rate)
    except ValueError as exc:
        return [Outcome(r.id, error_kind=ErrorKind.TOKEN_INVALID.value, reason=str(exc))
                for r, _, _ in batch.recipients]  # fmt: skip
    async with graph:
        # Concurrent calls, each waiting for its slot in the budget: the pace is the budget's.
        outcomes = await asyncio.gather(*(_send_one(ctx, graph, batch, item)
                                          for item in batch.recipients))  # fmt: skip
    if any(o.code == 130429 for o in outcomes):
        throttle.hit()
        log.warning("broadcast_throughput_limited", account_id=batch.account.id,
                    factor=throttle.factor)  # fmt: skip
    else:
        throttle.clean()
    return list(outcomes)


def _retry(attempts: int, outcome: Outcome, delay: float, now: datetime) -> dict[str, Any]:
    if attempts >= MAX_ATTEMPTS:
        return _fail(outcome, now, suffix=f" (gave up after {attempts} attempts)")
    return {"status": "pending", "next_attempt_at": now + timedelta(seconds=delay),
            "error_code": outcome.code, "error": f"retrying: {outcome.reason}"[:2000]}  # fmt: skip


def _fail(outcome: Outcome, now: datetime, suffix: str = "") -> dict[str, Any]:
    return {"status": "failed", "status_updated_at": now, "error_code": outcome.code,
            "error": f"{outcome.reason or 'send failed'}{suffix}"[:2000]}  # fmt: skip


def _settle(outcome: Outcome, attempts: int, now: datetime) -> dict[str, Any] | None:
    """The new values for a recipient whose send did not go out (None: leave it)."""
    kind = outcome.error_kind
    if kind == "skip":
        return {"status": "skipped", "error": outcome.reason, "status_updated_at": now}
    if kind == "unknown":
        # Stays `sending`: Meta's status webhooks (or the grace period) settle it.
        return {"error": f"outcome unknown, waiting for Meta's status: {outcome.reason}"}
    if kind == ErrorKind.TOKEN_INVALID.value:
        return {"status": "pending", "attempts": max(0, attempts - 1)}
    if kind == ErrorKind.PER_RECIPIENT.value:
        # 131056: only this customer waits, 4^X s for X = 0, 1, 2… (Meta's advice).
        return _retry(attempts, outcome, pair_rate_limit_backoff(attempts - 1), now)
    if kind in (ErrorKind.RATE_LIMITED.value, ErrorKind.RETRYABLE.value):
        return _retry(attempts, outcome, THROUGHPUT_BACKOFF * attempts, now)
    if outcome.code == 131049 and attempts <= MAX_ECOSYSTEM_RETRIES:
        return _retry(attempts, outcome, ECOSYSTEM_RETRY_AFTER.total_seconds(), now)
    return _fail(outcome, now)


async def _record_sent(session: AsyncSession, batch: Batch, sent: list[Outcome],
                       now: datetime) -> None:  # fmt: skip
    """Messages and recipients of a batch's successful sends, in a few bulk statements."""
    if not sent:
        return
    by_id = {r.id: (r, v) for r, v, _ in batch.recipients}
    broadcast = batch.broadcast
    messages: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for outcome in sent:
        recipient, view = by_id[outcome.recipient_id]
        message_id: str | None = None
        if outcome.payload is None:  # flow start: the flow's own messages are tracked there
            enqueue(session, workspace_id=broadcast.workspace_id, kind="trigger",
                    contact_id=recipient.contact_id,
                    payload={"flow_id": broadcast.content.get("flow_id"),
                             "message": broadcast.content.get("message"),
                             "variables": {"source": "broadcast", "broadcast_id": broadcast.id,
                                           "broadcast_title": broadcast.title}})  # fmt: skip
        else:
            message_id = new_id()
            messages.append({
                "id": message_id, "workspace_id": broadcast.workspace_id, "contact_id": view.id,
                "whatsapp_account_id": batch.account.id, "broadcast_id": broadcast.id,
                "direction": "outbound", "type": str(outcome.payload.get("type")),
                "text": preview_text(outcome.payload),
                "payload": {"graph": outcome.payload, "broadcast_recipient_id": recipient.id},
                "wamid": outcome.wamid, "status": "sent", "created_at": now, "sent_at": now,
                "status_updated_at": now,
            })  # fmt: skip
        updates.append({"rid": recipient.id, "mid": message_id, "w": outcome.wamid, "at": now})
    if messages:
        await session.execute(insert(Message), messages)
        # Statuses that raced ahead of these rows (they came for an unknown wamid).
        wamids = [m["wamid"] for m in messages if m["wamid"]]
        early = await session.execute(
            select(PendingStatus.wamid).where(PendingStatus.wamid.in_(wamids)).distinct()
        )
        repo = MessageRepository(session)
        for (wamid,) in early:
            await repo.apply_pending_statuses(wamid)
    metrics.count_after_commit(session, metrics.BROADCAST_RECIPIENTS.labels("sent"), len(updates))
    if messages:
        sent_counter = metrics.MESSAGES.labels("outbound", "sent")
        metrics.count_after_commit(session, sent_counter, len(messages))
    table = RECIPIENTS
    await session.execute(
        update(table).where(table.c.id == bindparam("rid"))
        .values(message_id=func.coalesce(bindparam("mid"), table.c.message_id),
                wamid=func.coalesce(table.c.wamid, bindparam("w")),
                sent_at=func.coalesce(table.c.sent_at, bindparam("at"))),
        updates,
    )  # fmt: skip
    # Conditional in SQL: a status webhook may have committed `delivered`/`read` meanwhile.
    await session.execute(
        update(table)
        .where(table.c.id.in_([u["rid"] for u in updates]),
               table.c.status.in_(("pending", "sending")))
        .values(status="sent", status_updated_at=now, error_code=None, error=None)
    )  # fmt: skip


async def record(ctx: AppContext, ref: TaskRef, batch: Batch, outcomes: list[Outcome]) -> bool:
    """Store every outcome (always, even if this runner lost its task); True to keep going.

    Every status change is a conditional UPDATE, never a write-back of rows read earlier: status
    webhooks and a cancel commit concurrently (PostgreSQL) and must never be overwritten.
    """
    now = utcnow()
    token_error: Outcome | None = None
    attempts = {r.id: r.attempts for r, _, _ in batch.recipients}
    table = BroadcastRecipient
    async with ctx.db.unit_of_work() as session:
        await _record_sent(session, batch, [o for o in outcomes if o.error_kind is None], now)
        for outcome in outcomes:
            if outcome.error_kind is None:
                continue
            if outcome.error_kind == ErrorKind.TOKEN_INVALID.value:
                token_error = token_error or outcome
            values = _settle(outcome, attempts[outcome.recipient_id], now)
            if values:
                await session.execute(
                    update(table)
                    .where(table.id == outcome.recipient_id, table.status == "sending")
                    .values(**values)
                )
                if values.get("status") in ("failed", "skipped"):
                    state = metrics.BROADCAST_RECIPIENTS.labels(values["status"])
                    metrics.count_after_commit(session, state)
        broadcast = await session.get(Broadcast, batch.broadcast.id)
        owner = await _heartbeat(session, ref)
        if broadcast is None:
            return False
        if token_error is not None:
            reason = PAUSED_FOR_CREDENTIALS.format(code=token_error.code or "190")
            await _move(session, broadcast, "running", status="paused", paused_reason=reason)
            account = await session.get(WhatsAppAccount, batch.account.id)
            if account is not None:
                account.needs_reconnection = True
        progress(session, broadcast)
        if not owner:
            return False
        if broadcast.status != "running":
            await finish(session, ref.id)
            return False
        return True


async def _lane(ctx: AppContext, ref: TaskRef, started: float) -> str:
    """Claim, send, record until nothing is due ("empty"), time is up ("slice") or "stop"."""
    while True:
        t0 = time.monotonic()
        batch = await claim(ctx, ref)
        if not isinstance(batch, Batch):
            return batch
        t1 = time.monotonic()
        outcomes = await send(ctx, batch)
        t2 = time.monotonic()
        kept_going = await record(ctx, ref, batch, outcomes)
        log.debug("broadcast_batch", size=len(outcomes), claim=round(t1 - t0, 3),
                  send=round(t2 - t1, 3), record=round(time.monotonic() - t2, 3))  # fmt: skip
        if not kept_going:
            if any(o.error_kind == ErrorKind.TOKEN_INVALID.value for o in outcomes):
                ctx.accounts.invalidate()
            return "stop"
        if time.monotonic() - started > SLICE_SECONDS:
            return "slice"


async def run(ctx: AppContext, ref: TaskRef) -> None:
    """Task handler for `broadcast`: LANES batches in flight for up to SLICE_SECONDS, then a
    fresh task. Lanes overlap one batch's database work with another's sending; the pace is
    the per-number spacing and budget they share, not the number of lanes."""
    started = time.monotonic()
    ended = await asyncio.gather(*(_lane(ctx, ref, started) for _ in range(LANES)))
    if "stop" in ended:
        return
    if "slice" in ended:
        async with ctx.db.unit_of_work() as session:
            broadcast = await BroadcastRepository(session).get(
                ref.workspace_id, str(ref.payload.get("broadcast_id"))
            )
            if broadcast is not None and await _heartbeat(session, ref):
                await _hand_over(session, ref, broadcast, None)
        return
    # Nothing due and nothing in flight here: settle (or send what just became due).
    while isinstance(batch := await claim(ctx, ref, settle=True), Batch):
        if not await record(ctx, ref, batch, await send(ctx, batch)):
            return
