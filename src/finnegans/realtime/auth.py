"""Who opens a socket: the same credentials as the REST API, checked by the same code.

The dashboard's session cookie, or `auth: {token}` (a session JWT or a `fin_` API key) in the
handshake, or an `Authorization: Bearer` header. There is no CSRF token on a handshake: the
Origin check of the Socket.IO server (hub.py) is what stops another site's page from opening a
socket with the user's cookie.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from starlette.requests import cookie_parser

from finnegans.accounts.dependencies import SESSION_COOKIE, authenticate, bearer_token
from finnegans.accounts.security import API_KEY_PREFIX
from finnegans.db.session import Database
from finnegans.kit.errors import Unauthorized


@dataclass(frozen=True)
class SocketUser:
    """What a socket's handlers need, kept in its Socket.IO session."""

    workspace_id: str
    role: str
    user_id: str | None
    name: str
    via: str

    def public(self) -> dict[str, str | None]:
        """The `user` of relayed events such as typing:start."""
        return {"id": self.user_id, "name": self.name}

    def to_session(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_session(cls, data: Mapping[str, Any]) -> SocketUser:
        return cls(**data)


def handshake_credentials(
    environ: Mapping[str, Any], auth: object
) -> tuple[str | None, str | None]:
    """(bearer token, session cookie) from the handshake; `auth.token` wins over the header."""
    token = auth.get("token") if isinstance(auth, dict) else None
    bearer = token.strip() if isinstance(token, str) and token.strip() else None
    if bearer is None:
        bearer = bearer_token(str(environ.get("HTTP_AUTHORIZATION", "")))
    # Starlette's parser, the one behind request.cookies in get_principal.
    cookie = cookie_parser(str(environ.get("HTTP_COOKIE", ""))).get(SESSION_COOKIE)
    return bearer, cookie or None


async def authenticate_socket(
    db: Database, jwt_secret: str, environ: Mapping[str, Any], auth: object
) -> SocketUser | None:
    """The socket's user, or None when the handshake carries no valid credentials."""
    bearer, cookie = handshake_credentials(environ, auth)
    if bearer is None and cookie is None:
        return None
    # An API key's use is recorded (last_used_at), which needs a write; logins only read.
    write = bool(bearer and bearer.startswith(API_KEY_PREFIX))
    try:
        async with db.unit_of_work(write=write) as session:
            principal = await authenticate(session, jwt_secret, bearer=bearer, cookie=cookie)
    except Unauthorized:
        return None
    return SocketUser(
        workspace_id=principal.workspace_id,
        role=principal.role.value,
        user_id=principal.user_id,
        name=principal.user.name if principal.user else "API",
        via=principal.via,
    )
