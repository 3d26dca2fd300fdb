"""Auth routes: register, login, logout, current user. Kept thin: rules live in the service."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request, Response, status

from finnegans.accounts.dependencies import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    CurrentPrincipal,
    client_ip,
    get_principal,
)
from finnegans.accounts.repository import AccountsRepository
from finnegans.accounts.schemas import (
    LoginIn,
    LoginOut,
    MeOut,
    RegisterIn,
    SuccessOut,
    UserOut,
    WorkspaceOut,
)
from finnegans.accounts.service import AccountsService, LoginResult
from finnegans.context import AppContext
from finnegans.db.dependencies import Ctx, DbSession
from finnegans.kit.errors import ApiError, NotFound

router = APIRouter(prefix="/api/auth", tags=["auth"])


def set_login_cookies(response: Response, result: LoginResult, ctx: AppContext) -> None:
    secure = ctx.settings.cookies_secure
    response.set_cookie(
        SESSION_COOKIE,
        result.token,
        max_age=result.expires_in_seconds,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )
    # Readable by our own JavaScript only (same origin), echoed back as X-CSRF-Token.
    response.set_cookie(
        CSRF_COOKIE,
        secrets.token_urlsafe(24),
        max_age=result.expires_in_seconds,
        httponly=False,
        samesite="lax",
        secure=secure,
        path="/",
    )


def login_body(result: LoginResult) -> LoginOut:
    return LoginOut(
        id=result.user.id,
        name=result.user.name,
        email=result.user.email,
        token=result.token,
        role=result.role,
        workspace=WorkspaceOut(id=result.workspace.id, name=result.workspace.name),
    )


@router.post("/register", status_code=status.HTTP_201_CREATED)
async def register(
    data: RegisterIn, request: Request, response: Response, session: DbSession, ctx: Ctx
) -> LoginOut:
    """Create a workspace and its owner, and log the owner in."""
    result = await AccountsService(session, ctx).register(
        data, ip=client_ip(request), user_agent=request.headers.get("user-agent", "")
    )
    set_login_cookies(response, result, ctx)
    return login_body(result)


@router.post("/login")
async def login(
    data: LoginIn, request: Request, response: Response, session: DbSession, ctx: Ctx
) -> LoginOut:
    """Log in. The token works as `Authorization: Bearer`; the dashboard uses the cookie."""
    result = await AccountsService(session, ctx).login(
        data.email,
        data.password,
        data.workspace_id,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent", ""),
    )
    set_login_cookies(response, result, ctx)
    return login_body(result)


@router.post("/logout")
async def logout(request: Request, response: Response, session: DbSession, ctx: Ctx) -> SuccessOut:
    """Revoke the current session (if any) and clear the cookies. Always succeeds."""
    try:
        principal = await get_principal(request, ctx, session)
    except ApiError:
        principal = None
    if principal is not None:
        await AccountsService(session, ctx).logout(principal)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return SuccessOut()


@router.get("/me")
async def me(principal: CurrentPrincipal, session: DbSession) -> MeOut:
    workspace = await AccountsRepository(session).workspace(principal.workspace_id)
    if workspace is None:
        raise NotFound("Workspace not found")
    user = principal.user
    return MeOut(
        user=UserOut(id=user.id, name=user.name, email=user.email) if user else None,
        role=principal.role,
        workspace=WorkspaceOut(id=workspace.id, name=workspace.name),
        via=principal.via,
    )
