"""Members, invitations and API keys of the caller's workspace."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from finnegans.accounts.dependencies import AdminPrincipal, CurrentPrincipal, client_ip
from finnegans.accounts.endpoints import login_body, set_login_cookies
from finnegans.accounts.repository import AccountsRepository
from finnegans.accounts.schemas import (
    ApiKeyCreatedOut,
    ApiKeyIn,
    ApiKeyOut,
    InvitationAcceptIn,
    InvitationCreatedOut,
    InvitationIn,
    InvitationLookupOut,
    InvitationOut,
    LoginOut,
    MemberOut,
    MemberUpdateIn,
)
from finnegans.accounts.service import AccountsService
from finnegans.db.dependencies import Ctx, DbSession
from finnegans.db.models import ApiKey, Invitation, Role
from finnegans.kit.clock import utcnow
from finnegans.kit.errors import NotFound

router = APIRouter(prefix="/api", tags=["members"])


@router.get("/members")
async def list_members(principal: CurrentPrincipal, session: DbSession) -> list[MemberOut]:
    rows = await AccountsRepository(session).members(principal.workspace_id)
    return [
        MemberOut(
            user_id=u.id, name=u.name, email=u.email, role=Role(m.role), joined_at=m.created_at
        )
        for m, u in rows
    ]


@router.patch("/members/{user_id}")
async def update_member(
    user_id: str, data: MemberUpdateIn, principal: AdminPrincipal, session: DbSession, ctx: Ctx
) -> MemberOut:
    member = await AccountsService(session, ctx).change_role(principal, user_id, data.role)
    user = await AccountsRepository(session).user_by_id(member.user_id)
    if user is None:
        raise NotFound("Member not found")
    return MemberOut(
        user_id=user.id,
        name=user.name,
        email=user.email,
        role=Role(member.role),
        joined_at=member.created_at,
    )


@router.delete("/members/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_member(
    user_id: str, principal: AdminPrincipal, session: DbSession, ctx: Ctx
) -> Response:
    await AccountsService(session, ctx).remove_member(principal, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _invitation_out(inv: Invitation) -> InvitationOut:
    return InvitationOut(
        id=inv.id,
        email=inv.email,
        role=Role(inv.role),
        created_at=inv.created_at,
        expires_at=inv.expires_at,
    )


@router.get("/invitations")
async def list_invitations(principal: AdminPrincipal, session: DbSession) -> list[InvitationOut]:
    rows = await AccountsRepository(session).invitations(principal.workspace_id, utcnow())
    return [_invitation_out(inv) for inv in rows]


@router.post("/invitations", status_code=status.HTTP_201_CREATED)
async def create_invitation(
    data: InvitationIn, principal: AdminPrincipal, session: DbSession, ctx: Ctx
) -> InvitationCreatedOut:
    """Invite someone by e-mail. The link (with its token) is returned once; share it."""
    inv, token = await AccountsService(session, ctx).invite(principal, data.email, data.role)
    base = _invitation_out(inv)
    return InvitationCreatedOut(
        **base.model_dump(), token=token, invite_url=f"{ctx.settings.public_url}/invite/{token}"
    )


@router.delete("/invitations/{invitation_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_invitation(
    invitation_id: str, principal: AdminPrincipal, session: DbSession, ctx: Ctx
) -> Response:
    await AccountsService(session, ctx).revoke_invitation(principal, invitation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/invitations/lookup/{token}")
async def lookup_invitation(token: str, session: DbSession, ctx: Ctx) -> InvitationLookupOut:
    """Public: what an invitation link is for, so the accept page can show it."""
    inv, workspace, user = await AccountsService(session, ctx).open_invitation(token)
    return InvitationLookupOut(
        email=inv.email,
        role=Role(inv.role),
        workspace_name=workspace.name,
        user_exists=user is not None,
    )


@router.post("/invitations/accept")
async def accept_invitation(
    data: InvitationAcceptIn, request: Request, response: Response, session: DbSession, ctx: Ctx
) -> LoginOut:
    """Public: join the workspace (creating the account when new) and log in."""
    result = await AccountsService(session, ctx).accept_invitation(
        data, ip=client_ip(request), user_agent=request.headers.get("user-agent", "")
    )
    set_login_cookies(response, result, ctx)
    return login_body(result)


def _api_key_out(key: ApiKey) -> ApiKeyOut:
    return ApiKeyOut(
        id=key.id,
        name=key.name,
        prefix=key.prefix,
        created_at=key.created_at,
        last_used_at=key.last_used_at,
        revoked_at=key.revoked_at,
    )


@router.get("/api-keys")
async def list_api_keys(principal: AdminPrincipal, session: DbSession) -> list[ApiKeyOut]:
    return [
        _api_key_out(k) for k in await AccountsRepository(session).api_keys(principal.workspace_id)
    ]


@router.post("/api-keys", status_code=status.HTTP_201_CREATED)
async def create_api_key(
    data: ApiKeyIn, principal: AdminPrincipal, session: DbSession, ctx: Ctx
) -> ApiKeyCreatedOut:
    """Create a key for scripts (`Authorization: Bearer fin_...`). The key is shown only here."""
    api_key, key = await AccountsService(session, ctx).create_api_key(principal, data.name)
    return ApiKeyCreatedOut(**_api_key_out(api_key).model_dump(), key=key)


@router.delete("/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_api_key(
    key_id: str, principal: AdminPrincipal, session: DbSession, ctx: Ctx
) -> Response:
    await AccountsService(session, ctx).revoke_api_key(principal, key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
