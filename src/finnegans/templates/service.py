"""Template rules: sync from the WABA, create and delete on Meta, preview, check sends.

Graph calls happen inside the request's unit of work (as the inbox's media upload does); the
rows change only after Meta answered, so a refused call leaves nothing half-written. The one
write kept on failure is the number's "needs reconnection" mark after a 190 (endpoints.py
answers that error without rolling back).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.context import AppContext
from finnegans.db.after_commit import after_commit
from finnegans.db.models import MessageTemplate, WhatsAppAccount
from finnegans.kit.clock import utcnow
from finnegans.kit.errors import ApiError, BadRequest, Conflict, NotFound
from finnegans.templates.rendering import (
    ParameterProblems,
    PreparedTemplate,
    TemplateDefinition,
    is_named,
    placeholders,
    prepare,
)
from finnegans.templates.repository import DELETED, TemplateRepository
from finnegans.templates.schemas import (
    ParameterOut,
    PreviewOut,
    RenderedButtonOut,
    RenderedOut,
    SyncOut,
    TemplateCreateIn,
    TemplateOut,
)
from finnegans.templates.validation import check_new_template
from finnegans.whatsapp.graph import GraphError, GraphUnreachable, SendOutcomeUnknown
from finnegans.whatsapp.graph.errors import ErrorKind
from finnegans.whatsapp.graph_factory import graph_client_for

# `parameter_format` and `rejected_reason` are not in the client's default field list.
SYNC_FIELDS = "name,status,category,language,components,id,parameter_format,rejected_reason"
DUPLICATE_TEMPLATE_SUBCODE = 2388024  # "There is already <language> content for this template"


class TokenMustBeFixed(ApiError):
    """Meta refused the number's access token (190): nothing works until it is replaced."""

    status_code = 409


class WhatsAppUnavailable(ApiError):
    status_code = 503


# ----- rows ↔ API ---------------------------------------------------------------------------


def definition_of(row: MessageTemplate) -> TemplateDefinition:
    return TemplateDefinition(
        name=row.name,
        language=row.language,
        components=list(row.components or []),
        parameter_format=row.parameter_format,
    )


def is_stub(row: MessageTemplate) -> bool:
    """Known from a status webhook only: Meta always returns a BODY, so no components means
    its content is not known until the next sync."""
    return not row.components


def template_out(row: MessageTemplate) -> TemplateOut:
    prepared = prepare(definition_of(row))
    return TemplateOut(
        id=row.id, account_id=row.whatsapp_account_id, waba_id=row.waba_id,
        meta_template_id=row.meta_template_id, name=row.name, language=row.language,
        category=row.category, status=row.status, rejected_reason=row.rejected_reason,
        parameter_format="named" if row.parameter_format == "named" else "positional",
        components=list(row.components or []),
        parameters=[ParameterOut(key=p.key, component=p.component, name=p.name, type=p.type,
                                 example=p.example) for p in prepared.parameters],
        last_synced_at=row.last_synced_at, created_at=row.created_at, updated_at=row.updated_at,
    )  # fmt: skip


async def get(session: AsyncSession, workspace_id: str, template_id: str) -> MessageTemplate:
    row = await TemplateRepository(session).get(workspace_id, template_id)
    if row is None:
        raise NotFound("No such template")
    return row


# ----- Graph errors -------------------------------------------------------------------------


def _mark_needs_reconnection(
    ctx: AppContext, session: AsyncSession, accounts: list[WhatsAppAccount]
) -> None:
    for account in accounts:
        account.needs_reconnection = True
        account.status_detail = "The access token is invalid or expired"
    after_commit(session, ctx.accounts.invalidate)


def _graph_failure(
    ctx: AppContext,
    session: AsyncSession,
    exc: Exception,
    accounts: list[WhatsAppAccount],
    action: str,
) -> ApiError:
    """A clear 4xx (503 when Meta is unreachable) for a failed template call."""
    account = accounts[0]
    if isinstance(exc, GraphError):
        meta = f"Meta error {exc.code}: {exc.title or exc.message}" + (
            f" — {exc.details}" if exc.details else ""
        )
        if exc.kind is ErrorKind.TOKEN_INVALID:
            _mark_needs_reconnection(ctx, session, accounts)
            return TokenMustBeFixed(
                f"WhatsApp refused the access token of {account.name!r}: update the token in "
                f"Settings → WhatsApp, then try again ({meta})",
                code="token_invalid", account_id=account.id, graph_code=exc.code,
            )  # fmt: skip
        if exc.is_retryable:
            return WhatsAppUnavailable(f"WhatsApp is busy, try again in a minute ({meta})",
                                       code="graph_unavailable", graph_code=exc.code)  # fmt: skip
        if exc.subcode == DUPLICATE_TEMPLATE_SUBCODE:
            return Conflict(f"This template already exists on WhatsApp ({meta}); run a sync",
                            code="template_exists", graph_code=exc.code)  # fmt: skip
        return BadRequest(f"WhatsApp refused to {action} the template ({meta})",
                          code="graph_error", graph_code=exc.code)  # fmt: skip
    if isinstance(exc, SendOutcomeUnknown):
        return WhatsAppUnavailable(
            f"The connection to WhatsApp dropped: the template may or may not be {action}d; "
            "run a sync to see", code="graph_outcome_unknown",
        )  # fmt: skip
    if isinstance(exc, ValueError):  # graph_client_for: no phone number id / token
        return Conflict(f"The number {account.name!r} cannot manage templates: {exc}",
                        code="account_incomplete", account_id=account.id)  # fmt: skip
    return WhatsAppUnavailable(f"WhatsApp could not be reached ({exc})", code="graph_unreachable")


_GRAPH_ERRORS = (GraphError, GraphUnreachable, SendOutcomeUnknown, ValueError)


# ----- sync ---------------------------------------------------------------------------------


def _meta_fields(item: Mapping[str, Any]) -> dict[str, Any] | None:
    name, language = item.get("name"), item.get("language")
    if not isinstance(name, str) or not isinstance(language, str) or not name or not language:
        return None
    components = [c for c in item.get("components") or [] if isinstance(c, dict)]
    fmt = str(item.get("parameter_format") or "").lower()
    if fmt not in ("positional", "named"):
        texts = [str(c.get("text") or "") for c in components]
        fmt = "named" if is_named([n for t in texts for n in placeholders(t)]) else "positional"
    reason = item.get("rejected_reason")
    return {
        "name": name[:512], "language": language[:16],
        "meta_template_id": str(item["id"])[:64] if item.get("id") is not None else None,
        "category": str(item.get("category") or "UTILITY").upper()[:32],
        "status": str(item.get("status") or "PENDING").upper()[:32],
        "components": components, "parameter_format": fmt,
        "rejected_reason": str(reason) if reason and reason != "NONE" else None,
    }  # fmt: skip


def _apply(row: MessageTemplate, fields: dict[str, Any]) -> bool:
    changed = False
    for key, value in fields.items():
        if key == "rejected_reason" and value is None and fields["status"] != "APPROVED":
            continue  # keep the reason a webhook gave; the list call often omits it
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    return changed


async def sync(
    ctx: AppContext, session: AsyncSession, workspace_id: str, account_id: str | None
) -> SyncOut:
    repo = TemplateRepository(session)
    accounts = await repo.accounts(workspace_id, account_id)
    if account_id is not None and not accounts:
        if await repo.account(workspace_id, account_id) is None:
            raise NotFound("No such WhatsApp number")
        raise BadRequest("account_id: this number has no WhatsApp Business Account ID",
                         fields={"account_id": "no WABA id"})  # fmt: skip
    if not accounts:
        raise Conflict("Connect a WhatsApp number with its Business Account ID first",
                       code="no_account")  # fmt: skip
    by_waba: dict[str, list[WhatsAppAccount]] = {}
    for account in accounts:
        by_waba.setdefault(str(account.waba_id), []).append(account)
    # Read every WABA before writing anything: one failure leaves all templates as they were.
    fetched: dict[str, list[dict[str, Any]]] = {}
    for waba_id, numbers in by_waba.items():
        try:
            async with graph_client_for(ctx, numbers[0]) as graph:
                fetched[waba_id] = await graph.list_templates(fields=SYNC_FIELDS)
        except _GRAPH_ERRORS as exc:
            raise _graph_failure(ctx, session, exc, numbers, "read") from exc
    counts = {"added": 0, "updated": 0, "removed": 0, "unchanged": 0}
    now = utcnow()
    for waba_id, items in fetched.items():
        own_ids = {a.id for a in by_waba[waba_id]}
        existing = {(t.name, t.language): t for t in await repo.of_waba(workspace_id, waba_id)}
        seen: set[tuple[str, str]] = set()
        for item in items:
            fields = _meta_fields(item)
            if fields is None or (fields["name"], fields["language"]) in seen:
                continue
            key = (fields["name"], fields["language"])
            seen.add(key)
            row = existing.get(key)
            if row is None:
                row = MessageTemplate(workspace_id=workspace_id, waba_id=waba_id, **fields)
                session.add(row)
                counts["added"] += 1
            else:
                was_gone = row.status == DELETED
                changed = _apply(row, fields)
                counts["added" if was_gone else "updated" if changed else "unchanged"] += 1
            if row.whatsapp_account_id not in own_ids:
                row.whatsapp_account_id = by_waba[waba_id][0].id
            row.last_synced_at = now
        for key, row in existing.items():
            if key not in seen and row.status != DELETED:
                row.status = DELETED
                row.last_synced_at = now
                counts["removed"] += 1
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:  # PostgreSQL: another sync inserted the same template
        raise Conflict("Another sync of these templates is running; try again") from exc
    return SyncOut(**counts, accounts=len(fetched))


# ----- create / delete ----------------------------------------------------------------------


async def _account_for_new(
    repo: TemplateRepository, workspace_id: str, account_id: str | None
) -> WhatsAppAccount:
    accounts = await repo.accounts(workspace_id, account_id)
    if accounts:
        return accounts[0]
    if account_id is not None:
        if await repo.account(workspace_id, account_id) is None:
            raise NotFound("No such WhatsApp number")
        raise BadRequest("account_id: this number has no WhatsApp Business Account ID",
                         fields={"account_id": "no WABA id"})  # fmt: skip
    raise Conflict("Connect a WhatsApp number with its Business Account ID first",
                   code="no_account")  # fmt: skip


async def create(
    ctx: AppContext, session: AsyncSession, workspace_id: str, data: TemplateCreateIn
) -> MessageTemplate:
    components, parameter_format = check_new_template(data)
    repo = TemplateRepository(session)
    account = await _account_for_new(repo, workspace_id, data.account_id)
    waba_id = str(account.waba_id)
    row = await repo.by_name(workspace_id, waba_id, data.name, data.language)
    if row is not None and row.status != DELETED:
        raise Conflict(f"A template {data.name!r} in {data.language} already exists",
                       code="template_exists", template_id=row.id)  # fmt: skip
    try:
        async with graph_client_for(ctx, account) as graph:
            created = await graph.create_template(
                data.name, data.language, data.category, components,
                parameter_format=parameter_format.upper(),
            )  # fmt: skip
    except _GRAPH_ERRORS as exc:
        raise _graph_failure(ctx, session, exc, [account], "create") from exc
    fields = {
        "whatsapp_account_id": account.id, "meta_template_id": created.id,
        "category": created.category.upper(), "components": components,
        "parameter_format": parameter_format, "rejected_reason": None,
        "status": created.status.upper() or "PENDING",
    }  # fmt: skip
    if row is None:
        row = MessageTemplate(workspace_id=workspace_id, waba_id=waba_id, name=data.name,
                              language=data.language, **fields)  # fmt: skip
        try:
            async with session.begin_nested():
                session.add(row)
                await session.flush()
            return row
        except IntegrityError:
            # PostgreSQL: Meta's verdict webhook arrived first and left a stub (webhook.py).
            row = await repo.by_name(workspace_id, waba_id, data.name, data.language)
            if row is None:
                raise
    if row.status_event_at is not None:
        fields.pop("status")  # the stub's status came from Meta after the creation
        fields.pop("rejected_reason")
    for key, value in fields.items():
        setattr(row, key, value)
    await session.flush()
    return row


async def delete(
    ctx: AppContext, session: AsyncSession, workspace_id: str, template_id: str
) -> None:
    """Delete this translation on Meta (by its id), then the row. Gone on Meta already: fine."""
    row = await get(session, workspace_id, template_id)
    repo = TemplateRepository(session)
    accounts = await repo.accounts(workspace_id)
    numbers = [a for a in accounts if a.waba_id == row.waba_id]
    if row.status != DELETED and numbers:
        try:
            async with graph_client_for(ctx, numbers[0]) as graph:
                await graph.delete_template(row.name, row.meta_template_id)
        except _GRAPH_ERRORS as exc:
            gone = (
                isinstance(exc, GraphError)
                and exc.code == 100
                and ("does not exist" in f"{exc.message} {exc.details}")
            )
            if not gone:
                raise _graph_failure(ctx, session, exc, numbers, "delete") from exc
    await session.delete(row)
    await session.flush()


# ----- preview and send checks --------------------------------------------------------------


def preview(row: MessageTemplate, parameters: Mapping[str, str]) -> PreviewOut:
    if is_stub(row):
        raise Conflict("This template's content is not known yet: run a sync first",
                       code="template_not_synced")  # fmt: skip
    prepared = prepare(definition_of(row))
    try:
        template = prepared.graph_template(parameters)
    except ParameterProblems as exc:
        raise problems_error(exc) from exc
    rendered = prepared.render(parameters)
    return PreviewOut(
        rendered=RenderedOut(
            header=rendered.header, header_media=rendered.header_media, body=rendered.body,
            footer=rendered.footer,
            buttons=[RenderedButtonOut(type=b.type, text=b.text, url=b.url,
                                       phone_number=b.phone_number) for b in rendered.buttons],
        ),
        template=template,
    )  # fmt: skip


def problems_error(exc: ParameterProblems) -> BadRequest:
    missing = [p.key for p in exc.problems if p.reason == "missing"]
    lead = f"Missing template parameters: {', '.join(missing)}" if missing else "Bad parameters"
    return BadRequest(f"{lead} ({exc})", fields=exc.fields(), code="template_parameters")


async def known_template(
    session: AsyncSession, workspace_id: str, account: WhatsAppAccount | None, name: str,
    language: str,
) -> PreparedTemplate | None:  # fmt: skip
    """The stored template an inbox send names, if we know its content (else None)."""
    waba_id = account.waba_id if account is not None else None
    row = await TemplateRepository(session).by_name(workspace_id, waba_id, name, language)
    if row is None or is_stub(row) or row.status == DELETED:
        return None
    return prepare(definition_of(row))


async def send_components(
    session: AsyncSession,
    workspace_id: str,
    account: WhatsAppAccount | None,
    name: str,
    language: str,
    *,
    components: list[dict[str, Any]],
    parameters: Mapping[str, str] | None,
) -> list[dict[str, Any]]:
    """The components of a template send, checked against the stored template when we know it.

    `parameters` (keyed as in rendering.py) are turned into components; raw `components` from
    an API client are sent as given once they fit. A template we do not know keeps working
    with raw components (it may exist on Meta but not be synced yet).
    """
    prepared = await known_template(session, workspace_id, account, name, language)
    if prepared is None:
        if parameters:
            raise BadRequest(
                f"template: {name!r} ({language}) is not synced, so its parameters cannot be "
                "filled by name: run a template sync or give `components`",
                fields={"template.parameters": "unknown template"},
            )
        return components
    try:
        if parameters is not None and not components:
            return prepared.graph_components(parameters)
        problems = prepared.check(prepared.values_from_components(components))
        if problems:
            raise ParameterProblems(problems)
    except ParameterProblems as exc:
        raise problems_error(exc) from exc
    return components
