"""Small helpers for tests that act as API users."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from httpx import AsyncClient


@dataclass
class User:
    id: str
    email: str
    password: str
    token: str
    workspace_id: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


async def register(client: AsyncClient, **overrides: Any) -> User:
    body = {"name": "Ana Owner", "email": unique_email(), "password": "correct horse battery"}
    body.update(overrides)
    response = await client.post("/api/auth/register", json=body)
    assert response.status_code == 201, response.text
    data = response.json()
    return User(data["id"], body["email"], body["password"], data["token"], data["workspace"]["id"])


def csrf_headers(client: AsyncClient) -> dict[str, str]:
    return {"X-CSRF-Token": client.cookies.get("finnegans_csrf") or ""}


async def join_as(client: AsyncClient, owner: User, role: str) -> User:
    """Invite a new member with this role into the owner's workspace and accept as them."""
    email = unique_email(role)
    created = await client.post(
        "/api/invitations", json={"email": email, "role": role}, headers=owner.auth
    )
    assert created.status_code == 201, created.text
    accepted = await client.post(
        "/api/invitations/accept",
        json={"token": created.json()["token"], "name": "New Member", "password": "member-pass"},
    )
    assert accepted.status_code == 200, accepted.text
    data = accepted.json()
    return User(data["id"], email, "member-pass", data["token"], owner.workspace_id)


def busiest_second(times: list[float]) -> int:
    """The most sends inside any 1-second window (sliding, anchored at each send): Meta's and
    the emulator's 130429 rule applied to arrival times."""
    times = sorted(times)
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best
