"""Broadcast rules: drafts, launch (now or scheduled), pause, resume, cancel, the live view.

Lifecycle: draft → scheduled → running ⇄ paused → completed, or cancelled from any launched
state. Recipients are materialised when the broadcast starts (at launch, or when its schedule
fires), one row per contact, and the runner task (broadcasts/sender.py) sends them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.accounts.dependencies import Principal
from finnegans.broadcasts import audience as audiences
from finnegans.broadcasts.content import check_template_content, graph_payload
from finnegans.broadcasts.repository import RUNNER_KIND, BroadcastRepository
from finnegans.broadcasts.schemas import (
    AudienceIn,
    AudiencePreviewIn,
    AudiencePreviewOut,
    BroadcastIn,
    BroadcastOut,
    BroadcastPatch,
    ContentIn,
    Counts,
    FlowContentIn,
    Funnel,
    LaunchIn,
    SampleOut,
    TemplateContentIn,
    TextContentIn,
)
from finnegans.context import AppContext
from finnegans.db.base import new_id
from finnegans.db.models import Broadcast, WhatsAppAccount, Workspace
from finnegans.flows.repository import FlowRepository
from finnegans.flows.runtime import contact_view
from finnegans.jobs.task_queue import enqueue
from finnegans.kit.clock import utcnow
from finnegans.kit.errors import BadRequest, Conflict, NotFound, Unprocessable
from finnegans.whatsapp.repository import WhatsAppAccountRepository

MATERIALISE_CHUNK = 1000
# Unique users a number may reach outside the 24 h window, per messaging tier (reference §8).
TIER_LIMITS: dict[str, int | None] = {
    "TIER_50": 50, "TIER_250": 250, "TIER_1K": 1000, "TIER_2K": 2000, "TIER_10K": 10_000,
    "TIER_100K": 100_000, "TIER_UNLIMITED": None,
}  # fmt: skip
FINAL_STATES = ("sent", "delivered", "read", "failed", "skipped")


def broadcast_rate(account: WhatsAppAccount | None, reserved_share: float) -> int:
    """Messages/s broadcasts may use on this number: its budget minus the live share."""
    budget = account.send_budget_per_second if account is not None else 80
    return max(1, int(budget * (1 - reserved_share)))


def tier_warning(account: WhatsAppAccount | None, unique: int, kind: str) -> str | None:
    """Free text only reaches open windows, which do not count against the tier."""
    if account is None or kind == "text" or not account.messaging_limit_tier:
        return None
    limit = TIER_LIMITS.get(account.messaging_limit_tier)
    if limit is None or unique <= limit:
        return None
    return (f"{unique} unique recipients exceed this number's messaging limit "
            f"({account.messaging_limit_tier}: {limit} users per 24 hours); Meta will refuse "
            "the rest until the limit rolls over")  # fmt: skip


async def broadcast_or_404(
    session: AsyncSession, workspace_id: str, broadcast_id: str
) -> Broadcast:
    found = await BroadcastRepository(session).get(workspace_id, broadcast_id)
    if found is None:
        raise NotFound("Broadcast not found")
    return found


async def _account(
    session: AsyncSession, workspace_id: str, account_id: str | None
) -> WhatsAppAccount | None:
    repo = WhatsAppAccountRepository(session)
    if account_id is None:
        return await repo.first(workspace_id)
    account = await repo.get(workspace_id, account_id)
    if account is None:
        raise BadRequest("whatsapp_account_id: no such WhatsApp number in this workspace",
                         fields={"whatsapp_account_id": "unknown number"})  # fmt: skip
    return account


async def _check_flow(session: AsyncSession, workspace_id: str, content: FlowContentIn) -> None:
    flow = await FlowRepository(session).get(workspace_id, content.flow_id)
    if flow is None:
        raise BadRequest("content.flow_id: Selected flow not found",
                         fields={"content.flow_id": "unknown flow"})  # fmt: skip
    if flow.status != "Active" or flow.published_version_id is None:
        # The original let drafts be broadcast (a silent no-op for every recipient).
        raise Conflict("content.flow_id: the flow is not active: publish it first",
                       fields={"content.flow_id": "not active"})  # fmt: skip


async def _check_references(
    session: AsyncSession, workspace_id: str, audience: AudienceIn | None, content: Any
) -> None:
    """Unknown or foreign ids are refused when the draft is written, not only at launch."""
    if audience is not None:
        await audiences.audience_clause(session, workspace_id, audience, utcnow())
    if isinstance(content, FlowContentIn):
        await _check_flow(session, workspace_id, content)


def _legacy_parts(data: BroadcastIn) -> tuple[AudienceIn, ContentIn]:
    """The original body: flowId (+ message as the trigger text), sendToAll/contactIds/filterTag."""
    tags = [data.filter_tag] if data.filter_tag else []
    if data.send_to_all or not data.contact_ids:
        if not data.send_to_all and not data.contact_ids:
            raise BadRequest("Select at least one contact",
                             fields={"contactIds": "or sendToAll: true"})  # fmt: skip
        audience = AudienceIn(kind="tags" if tags else "everyone", tags=tags, match="all")
    else:
        audience = AudienceIn(kind="contacts", contact_ids=data.contact_ids, tags=tags,
                              match="all")  # fmt: skip
    content: ContentIn
    if data.flow_id:
        content = FlowContentIn(kind="flow", flow_id=data.flow_id, message=data.message)
    elif data.message and data.message.strip():
        content = TextContentIn(kind="text", text=data.message)
    else:
        raise BadRequest("Flow ID is required", fields={"flowId": "is required"})
    return audience, content


async def create(
    ctx: AppContext, session: AsyncSession, principal: Principal, data: BroadcastIn
) -> Broadcast:
    """A draft; the original body (and `launch: true`) also launches it at once."""
    audience, content = (data.audience, data.content)
    launch_now = data.launch
    if data.is_legacy:
        audience, content = _legacy_parts(data)
        launch_now = True
    account = await _account(session, principal.workspace_id, data.whatsapp_account_id)
    await _check_references(session, principal.workspace_id, audience, content)
    broadcast = Broadcast(
        id=new_id(), workspace_id=principal.workspace_id,
        whatsapp_account_id=account.id if account else None,
        flow_id=content.flow_id if isinstance(content, FlowContentIn) else None,
        created_by_id=principal.user_id, title=data.title,
        body=data.message if data.is_legacy else None,
        content=content.model_dump(mode="json") if content else {},
        audience=audience.model_dump(mode="json") if audience else {},
        status="draft", total_recipients=0, created_at=utcnow(), updated_at=utcnow(),
    )  # fmt: skip
    session.add(broadcast)
    await session.flush()
    if launch_now:
        await launch(ctx, session, principal, broadcast.id, LaunchIn())
    return broadcast


async def update(
    session: AsyncSession, principal: Principal, broadcast_id: str, data: BroadcastPatch
) -> Broadcast:
    broadcast = await broadcast_or_404(session, principal.workspace_id, broadcast_id)
    if broadcast.status != "draft":
        raise Conflict(f"Only a draft can be edited (this broadcast is {broadcast.status})")
    sent = data.model_fields_set
    await _check_references(session, principal.workspace_id, data.audience, data.content)
    if "title" in sent:
        broadcast.title = data.title
    if "whatsapp_account_id" in sent:
        account = await _account(session, principal.workspace_id, data.whatsapp_account_id)
        broadcast.whatsapp_account_id = account.id if account else None
    if data.audience is not None:
        broadcast.audience = data.audience.model_dump(mode="json")
    if data.content is not None:
        broadcast.content = data.content.model_dump(mode="json")
        broadcast.flow_id = (
            data.content.flow_id if isinstance(data.content, FlowContentIn) else None
        )
    broadcast.updated_at = utcnow()
    return broadcast


async def delete(session: AsyncSession, principal: Principal, broadcast_id: str) -> None:
    broadcast = await broadcast_or_404(session, principal.workspace_id, broadcast_id)
    if broadcast.status != "draft":
        raise Conflict("Only a draft can be deleted; cancel a launched broadcast instead")
    await session.delete(broadcast)


def _parse_content(raw: dict[str, Any]) -> ContentIn:
    kind = raw.get("kind")
    if kind == "template":
        return TemplateContentIn.model_validate(raw)
    if kind == "flow":
        return FlowContentIn.model_validate(raw)
    if kind == "text":
        return TextContentIn.model_validate(raw)
    raise BadRequest("content: set what to send first (template, flow or text)",
                     fields={"content": "required"})  # fmt: skip


def _parse_audience(raw: dict[str, Any]) -> AudienceIn:
    if not raw:
        raise BadRequest("audience: choose who gets the broadcast first",
                         fields={"audience": "required"})  # fmt: skip
    return AudienceIn.model_validate(raw)


async def _workspace_zone(session: AsyncSession, workspace_id: str) -> ZoneInfo:
    """Where a schedule without an offset is read (UTC when the workspace's zone is unknown)."""
    workspace = await session.get(Workspace, workspace_id)
    try:
        return ZoneInfo(workspace.timezone if workspace else "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


async def _schedule_time(
    session: AsyncSession, workspace_id: str, at: datetime | None
) -> datetime | None:
    if at is None:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=await _workspace_zone(session, workspace_id))
    at = at.astimezone(UTC)
    if at <= utcnow():
        raise BadRequest("scheduled_at: the time is in the past",
                         fields={"scheduled_at": "must be in the future"})  # fmt: skip
    return at


async def check_launchable(
    ctx: AppContext, session: AsyncSession, broadcast: Broadcast
) -> tuple[WhatsAppAccount, audiences.AudienceCount]:
    """Everything that would make the broadcast send nothing or be refused: a 4xx now."""
    content = _parse_content(broadcast.content)
    audience = _parse_audience(broadcast.audience)
    account = await _account(session, broadcast.workspace_id, broadcast.whatsapp_account_id)
    if account is None:
        raise BadRequest("Connect a WhatsApp number before launching a broadcast")
    if isinstance(content, FlowContentIn):
        await _check_flow(session, broadcast.workspace_id, content)
    if isinstance(content, TemplateContentIn):
        problems = await check_template_content(ctx, account, content.template)
        if problems:
            raise Unprocessable(f"content.template: {'; '.join(problems)}",
                                fields={"content.template": problems[0]})  # fmt: skip
    now = utcnow()
    where = await audiences.audience_clause(session, broadcast.workspace_id, audience, now)
    counted = await audiences.count_audience(
        session, where, needs_window=content.kind == "text", now=now
    )
    if counted.unique <= 0:
        raise BadRequest("No contacts found for the selection: nobody would receive this "
                         f"broadcast ({counted.matched} matched, {counted.opted_out} opted "
                         f"out, {counted.window_closed} outside the 24-hour window)",
                         fields={"audience": "nobody to send to"})  # fmt: skip
    return account, counted


def start_runner(
    session: AsyncSession, broadcast: Broadcast, due_at: datetime | None = None
) -> None:
    enqueue(session, workspace_id=broadcast.workspace_id, kind=RUNNER_KIND,
            payload={"broadcast_id": broadcast.id}, due_at=due_at)  # fmt: skip


async def launch(
    ctx: AppContext, session: AsyncSession, principal: Principal, broadcast_id: str,
    data: LaunchIn,
) -> Broadcast:  # fmt: skip
    broadcast = await broadcast_or_404(session, principal.workspace_id, broadcast_id)
    if broadcast.status != "draft":
        raise Conflict(f"Only a draft can be launched (this broadcast is {broadcast.status})")
    scheduled = await _schedule_time(session, principal.workspace_id, data.scheduled_at)
    account, _ = await check_launchable(ctx, session, broadcast)
    broadcast.whatsapp_account_id = account.id
    broadcast.updated_at = utcnow()
    if scheduled is not None:
        broadcast.status = "scheduled"
        broadcast.scheduled_at = scheduled
        start_runner(session, broadcast, scheduled)
        return broadcast
    await materialise(session, broadcast)
    start_runner(session, broadcast)
    return broadcast


async def materialise(session: AsyncSession, broadcast: Broadcast) -> int:
    """One recipient per selected contact, in chunks; the skipped ones say why."""
    now = utcnow()
    audience = _parse_audience(broadcast.audience)
    needs_window = broadcast.content.get("kind") == "text"
    where = await audiences.audience_clause(session, broadcast.workspace_id, audience, now)
    repo = BroadcastRepository(session)
    after, total = "", 0
    while True:
        page = await audiences.contacts_page(session, where, after, MATERIALISE_CHUNK)
        rows = []
        for contact_id, opted_out, has_address, window_end in page:
            reason = audiences.skip_reason(opted_out, has_address, window_end, needs_window, now)
            rows.append({
                "id": new_id(), "workspace_id": broadcast.workspace_id,
                "broadcast_id": broadcast.id, "contact_id": contact_id,
                "status": "skipped" if reason else "pending", "error": reason, "attempts": 0,
                "created_at": now, "status_updated_at": now if reason else None,
            })  # fmt: skip
        await repo.insert_recipients(rows)
        total += len(rows)
        if len(page) < MATERIALISE_CHUNK:
            break
        after = page[-1][0]
    broadcast.total_recipients = total
    broadcast.status = "running"
    broadcast.started_at = now
    return total


async def pause(
    session: AsyncSession, principal: Principal, broadcast_id: str, reason: str | None = None
) -> Broadcast:
    broadcast = await broadcast_or_404(session, principal.workspace_id, broadcast_id)
    if broadcast.status not in ("running", "scheduled"):
        raise Conflict(f"Only a running or scheduled broadcast can be paused "
                       f"(this one is {broadcast.status})")  # fmt: skip
    broadcast.status = "paused"
    broadcast.paused_reason = reason or "Paused by a user"
    broadcast.updated_at = utcnow()
    return broadcast


async def resume(session: AsyncSession, principal: Principal, broadcast_id: str) -> Broadcast:
    broadcast = await broadcast_or_404(session, principal.workspace_id, broadcast_id)
    if broadcast.status != "paused":
        raise Conflict(f"Only a paused broadcast can be resumed (this one is {broadcast.status})")
    broadcast.status = "running" if broadcast.started_at is not None else "scheduled"
    broadcast.paused_reason = None
    broadcast.updated_at = utcnow()
    if not await BroadcastRepository(session).has_runner(broadcast.id):
        due = broadcast.scheduled_at if broadcast.status == "scheduled" else None
        start_runner(session, broadcast, max(due, utcnow()) if due else None)
    return broadcast


async def cancel(session: AsyncSession, principal: Principal, broadcast_id: str) -> Broadcast:
    """Stop for good: recipients not sent yet are skipped ("cancelled")."""
    broadcast = await broadcast_or_404(session, principal.workspace_id, broadcast_id)
    if broadcast.status not in ("running", "scheduled", "paused"):
        raise Conflict(f"Only a launched, unfinished broadcast can be cancelled "
                       f"(this one is {broadcast.status}); delete a draft instead")  # fmt: skip
    await BroadcastRepository(session).skip_pending(broadcast.id, "cancelled")
    broadcast.status = "cancelled"
    broadcast.cancelled_at = broadcast.updated_at = utcnow()
    return broadcast


async def preview(ctx: AppContext, session: AsyncSession, principal: Principal,
                  data: AudiencePreviewIn) -> AudiencePreviewOut:  # fmt: skip
    """The wizard's live count and a few contacts with exactly what they would get."""
    now = utcnow()
    where = await audiences.audience_clause(session, principal.workspace_id, data.audience, now)
    kind = data.content.kind if data.content is not None else "template"
    if isinstance(data.content, FlowContentIn):
        await _check_flow(session, principal.workspace_id, data.content)
    counted = await audiences.count_audience(session, where, needs_window=kind == "text",
                                             now=now)  # fmt: skip
    samples = []
    for contact in await audiences.sample_contacts(session, where, data.samples):
        view = await contact_view(session, contact)
        payload = graph_payload(data.content.model_dump(), view) if data.content else None
        samples.append(SampleOut(contact_id=contact.id, name=contact.name, phone=contact.phone,
                                 rendered=payload))  # fmt: skip
    account = await _account(session, principal.workspace_id, data.whatsapp_account_id)
    warning = tier_warning(account, counted.unique, kind)
    zone = await _workspace_zone(session, principal.workspace_id)
    return AudiencePreviewOut(matched=counted.matched, opted_out=counted.opted_out,
                      window_closed=counted.window_closed, unique=counted.unique,
                      samples=samples, warnings=[warning] if warning else [],
                      timezone=zone.key)  # fmt: skip


def _funnel(counts: Counts) -> Funnel:
    return Funnel(sent=counts.sent + counts.delivered + counts.read,
                  delivered=counts.delivered + counts.read, read=counts.read,
                  replied=counts.replied, failed=counts.failed)  # fmt: skip


async def to_out(
    ctx: AppContext, session: AsyncSession, broadcast: Broadcast, counts: Counts, *,
    detail: bool = False,
) -> BroadcastOut:  # fmt: skip
    account = (await session.get(WhatsAppAccount, broadcast.whatsapp_account_id)
               if broadcast.whatsapp_account_id else None)  # fmt: skip
    rate = broadcast_rate(account, ctx.settings.broadcast_reserved_share)
    total = broadcast.total_recipients
    final = sum(getattr(counts, state) for state in FINAL_STATES)
    current = 0.0
    warnings: list[str] = []
    if detail:
        current = await BroadcastRepository(session).recent_sends(broadcast.id) / 10
        unique = total - counts.skipped
        warning = tier_warning(account, unique, str(broadcast.content.get("kind")))
        warnings = [warning] if warning else []
    remaining = counts.pending + counts.sending
    eta = remaining / (current or rate) if broadcast.status == "running" else None
    return BroadcastOut(
        id=broadcast.id, title=broadcast.title, status=broadcast.status,
        paused_reason=broadcast.paused_reason, whatsapp_account_id=broadcast.whatsapp_account_id,
        flow_id=broadcast.flow_id, audience=broadcast.audience, content=broadcast.content,
        total_recipients=total, counts=counts, funnel=_funnel(counts),
        progress=round(final / total, 4) if total else 0.0,
        rate_per_second=rate, current_rate=current, eta_seconds=eta, warnings=warnings,
        scheduled_at=broadcast.scheduled_at, started_at=broadcast.started_at,
        completed_at=broadcast.completed_at, cancelled_at=broadcast.cancelled_at,
        created_at=broadcast.created_at, updated_at=broadcast.updated_at,
    )  # fmt: skip
