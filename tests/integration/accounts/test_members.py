"""Invitations, roles and API keys."""

from __future__ import annotations

from httpx import AsyncClient

from tests.helpers import User, register, unique_email


async def _invite_and_join(owner: User, client: AsyncClient, role: str) -> User:
    email = unique_email(role)
    created = await client.post(
        "/api/invitations", json={"email": email, "role": role}, headers=owner.auth
    )
    assert created.status_code == 201, created.text
    token = created.json()["token"]
    assert created.json()["inviteUrl"].endswith(f"/invite/{token}")
    lookup = await client.get(f"/api/invitations/lookup/{token}")
    assert lookup.json()["role"] == role and lookup.json()["userExists"] is False
    accepted = await client.post(
        "/api/invitations/accept",
        json={"token": token, "name": "New Member", "password": "member-pass"},
    )
    assert accepted.status_code == 200, accepted.text
    data = accepted.json()
    assert data["workspace"]["id"] == owner.workspace_id and data["role"] == role
    return User(data["id"], email, "member-pass", data["token"], owner.workspace_id)


async def test_invited_agent_joins_and_cannot_change_settings(client: AsyncClient) -> None:
    owner = await register(client)
    agent = await _invite_and_join(owner, client, "agent")
    members = (await client.get("/api/members", headers=owner.auth)).json()
    assert {(m["email"], m["role"]) for m in members} == {
        (owner.email, "owner"),
        (agent.email, "agent"),
    }

    # Agents can read but not change settings, members or keys.
    assert (await client.get("/api/settings", headers=agent.auth)).status_code == 200
    for method, path, body in [
        ("POST", "/api/settings", {"metaVerifyToken": "x"}),
        ("POST", "/api/whatsapp-accounts", {"name": "n"}),
        ("POST", "/api/invitations", {"email": unique_email(), "role": "agent"}),
        ("PATCH", f"/api/members/{agent.id}", {"role": "admin"}),
        ("POST", "/api/api-keys", {"name": "k"}),
    ]:
        r = await client.request(method, path, json=body, headers=agent.auth)
        assert r.status_code == 403, (method, path, r.text)
    assert (await client.get("/api/settings", headers=owner.auth)).json()["metaVerifyToken"] == ""


async def test_invitation_is_single_use(client: AsyncClient) -> None:
    owner = await register(client)
    created = await client.post(
        "/api/invitations", json={"email": unique_email(), "role": "agent"}, headers=owner.auth
    )
    token = created.json()["token"]
    first = await client.post(
        "/api/invitations/accept", json={"token": token, "name": "A", "password": "pass-1234"}
    )
    assert first.status_code == 200
    second = await client.post(
        "/api/invitations/accept", json={"token": token, "name": "B", "password": "pass-1234"}
    )
    assert second.status_code == 404


async def test_admin_cannot_grant_owner_and_last_owner_stays(client: AsyncClient) -> None:
    owner = await register(client)
    admin = await _invite_and_join(owner, client, "admin")
    agent = await _invite_and_join(owner, client, "agent")
    promote = await client.patch(
        f"/api/members/{agent.id}", json={"role": "owner"}, headers=admin.auth
    )
    assert promote.status_code == 403
    ok = await client.patch(f"/api/members/{agent.id}", json={"role": "admin"}, headers=admin.auth)
    assert ok.status_code == 200 and ok.json()["role"] == "admin"
    demote_self = await client.patch(
        f"/api/members/{owner.id}", json={"role": "agent"}, headers=owner.auth
    )
    assert demote_self.status_code == 409
    assert (await client.delete(f"/api/members/{owner.id}", headers=owner.auth)).status_code == 409
    bad_role = await client.patch(
        f"/api/members/{agent.id}", json={"role": "king"}, headers=owner.auth
    )
    assert bad_role.status_code == 400 and "role" in bad_role.json()["fields"]


async def test_removed_member_loses_access_at_once(client: AsyncClient) -> None:
    owner = await register(client)
    agent = await _invite_and_join(owner, client, "agent")
    assert (await client.get("/api/auth/me", headers=agent.auth)).status_code == 200
    assert (await client.delete(f"/api/members/{agent.id}", headers=owner.auth)).status_code == 204
    assert (await client.get("/api/auth/me", headers=agent.auth)).status_code == 401


async def test_api_key_is_shown_once_works_as_bearer_and_can_be_revoked(
    client: AsyncClient,
) -> None:
    owner = await register(client)
    created = await client.post("/api/api-keys", json={"name": "Zapier"}, headers=owner.auth)
    assert created.status_code == 201
    key = created.json()["key"]
    assert key.startswith("fin_") and created.json()["prefix"] == key[:12]
    listed = await client.get("/api/api-keys", headers=owner.auth)
    assert key not in listed.text and listed.json()[0]["name"] == "Zapier"

    as_key = {"Authorization": f"Bearer {key}"}
    me = await client.get("/api/auth/me", headers=as_key)
    assert me.status_code == 200
    assert me.json()["via"] == "api_key" and me.json()["workspace"]["id"] == owner.workspace_id
    # API keys write without CSRF (no cookie involved).
    made = await client.post("/api/whatsapp-accounts", json={"name": "via key"}, headers=as_key)
    assert made.status_code == 201
    assert (await client.get("/api/api-keys", headers=owner.auth)).json()[0]["lastUsedAt"]

    key_id = created.json()["id"]
    assert (await client.delete(f"/api/api-keys/{key_id}", headers=owner.auth)).status_code == 204
    assert (await client.get("/api/auth/me", headers=as_key)).status_code == 401
