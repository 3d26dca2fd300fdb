"""Password hashing (argon2), session JWTs, API keys and one-time tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from finnegans.kit.clock import utcnow

_hasher = PasswordHash((Argon2Hasher(),))


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified against when the e-mail is unknown, so a wrong e-mail costs as long as a wrong
    password. Made on first use: hashing at import would add ~150 ms to every start."""
    return _hasher.hash("finnegans-dummy-password")


JWT_ALGORITHM = "HS256"
API_KEY_PREFIX = "fin_"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        _hasher.verify(password, _dummy_hash())
        return False
    try:
        return _hasher.verify(password, password_hash)
    except Exception:  # a corrupt hash must read as "wrong password", not a 500
        return False


@dataclass(frozen=True)
class SessionClaims:
    session_id: str
    user_id: str
    workspace_id: str


def issue_session_token(claims: SessionClaims, secret: str, expires_at: datetime) -> str:
    payload = {
        "sub": claims.user_id,
        "wid": claims.workspace_id,
        "sid": claims.session_id,
        "iat": int(utcnow().timestamp()),
        "exp": int(expires_at.timestamp()),
    }
    return jwt.encode(payload, secret, algorithm=JWT_ALGORITHM)


def decode_session_token(token: str, secret: str) -> SessionClaims | None:
    try:
        payload = jwt.decode(
            token, secret, algorithms=[JWT_ALGORITHM], options={"require": ["exp", "sub", "sid"]}
        )
    except jwt.PyJWTError:
        return None
    sub, wid, sid = payload.get("sub"), payload.get("wid"), payload.get("sid")
    if isinstance(sub, str) and isinstance(wid, str) and isinstance(sid, str):
        return SessionClaims(session_id=sid, user_id=sub, workspace_id=wid)
    return None


def session_expiry(hours: int) -> datetime:
    return utcnow() + timedelta(hours=hours)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_api_key() -> tuple[str, str, str]:
    """Return (full key, display prefix, stored hash). The full key is shown once."""
    body = secrets.token_urlsafe(32)
    key = f"{API_KEY_PREFIX}{body}"
    return key, key[:12], sha256_hex(key)


def new_one_time_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, sha256_hex(token)


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
