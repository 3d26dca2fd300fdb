"""Who is calling: a dashboard user (cookie + CSRF), an API client (Bearer JWT) or an API key."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.accounts.repository import AccountsRepository
from finnegans.accounts.security import (
    API_KEY_PREFIX,
    constant_time_equal,
    decode_session_token,
    sha256_hex,
)
from finnegans.db.dependencies import SAFE_METHODS, Ctx, DbSession
from finnegans.db.models import Role, User
from finnegans.kit.clock import utcnow
from finnegans.kit.errors import Forbidden, Unauthorized

SESSION_COOKIE = "finnegans_session"
CSRF_COOKIE = "finnegans_csrf"
CSRF_HEADER = "x-csrf-token"

ROLE_RANK = {Role.agent: 0, Role.admin: 1, Role.owner: 2}


@dataclass(frozen=True)
class Principal:
    workspace_id: str
    role: Role
    user: User | None = None
    api_key_id: str | None = None
    session_id: str | None = None
    via: Literal["cookie", "bearer", "api_key"] = "bearer"

    @property
    def user_id(self) -> str | None:
        return self.user.id if self.user else None

    def at_least(self, role: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _bearer(request: Request) -> str | None:
    return bearer_token(request.headers.get("authorization", ""))


def bearer_token(header: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` header value."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


async def get_principal(request: Request, ctx: Ctx, session: DbSession) -> Principal:
    principal = await authenticate(
        session,
        ctx.settings.jwt_secret,
        bearer=_bearer(request),
        cookie=request.cookies.get(SESSION_COOKIE),
    )
    if principal.via == "cookie" and request.method not in SAFE_METHODS:
        _check_csrf(request)
    return principal


async def authenticate(
    session: AsyncSession, jwt_secret: str, *, bearer: str | None, cookie: str | None
) -> Principal:
    """Who a Bearer token (JWT or API key) or, without one, a session cookie belongs to.

    Shared by HTTP requests and Socket.IO handshakes; raises Unauthorized. CSRF is the caller's
    business (it depends on the transport)."""
    repo = AccountsRepository(session)
    token = bearer
    via: Literal["cookie", "bearer"] = "bearer"
    if token and token.startswith(API_KEY_PREFIX):
        key = await repo.api_key_by_hash(sha256_hex(token))
        if key is None:
            raise Unauthorized("Invalid API key")
        key.last_used_at = utcnow()
        # API keys act for the workspace with admin rights, never as an owner.
        return Principal(
            workspace_id=key.workspace_id, role=Role.admin, api_key_id=key.id, via="api_key"
        )
    if token is None:
        token = cookie
        via = "cookie"
    if not token:
        raise Unauthorized("Unauthorized")
    claims = decode_session_token(token, jwt_secret)
    if claims is None:
        raise Unauthorized("Unauthorized")
    found = await repo.session_principal(
        claims.session_id, claims.user_id, claims.workspace_id, utcnow()
    )
    if found is None:
        raise Unauthorized("Unauthorized")
    user, member = found
    return Principal(
        workspace_id=member.workspace_id,
        role=Role(member.role),
        user=user,
        session_id=claims.session_id,
        via=via,
    )


def _check_csrf(request: Request) -> None:
    """Double-submit check: a cross-site page cannot read our cookie to echo it in a header."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    header = request.headers.get(CSRF_HEADER, "")
    if not cookie or not header or not constant_time_equal(cookie, header):
        raise Forbidden(
            "CSRF token missing or invalid: send the finnegans_csrf cookie value "
            "in the X-CSRF-Token header"
        )


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require_role(role: Role) -> Callable[..., Coroutine[Any, Any, Principal]]:
    async def dependency(principal: CurrentPrincipal) -> Principal:
        if not principal.at_least(role):
            raise Forbidden(f"This action needs the {role.value} role")
        return principal

    return dependency


AdminPrincipal = Annotated[Principal, Depends(require_role(Role.admin))]
OwnerPrincipal = Annotated[Principal, Depends(require_role(Role.owner))]
