"""Settings → Audit log: what admins did, newest first, paged, for owners and admins only."""

from __future__ import annotations

from httpx import AsyncClient

from tests.helpers import join_as, register


async def test_admin_actions_are_listed_newest_first_with_their_actor(client: AsyncClient) -> None:
    owner = await register(client)
    other = await register(client)
    key = await client.post("/api/api-keys", json={"name": "Zapier"}, headers=owner.auth)
    assert key.status_code == 201, key.text
    api = {"Authorization": f"Bearer {key.json()['key']}"}
    flow = await client.post("/api/flows", headers=api, json={"name": "Hi", "definition": {}})
    assert flow.status_code == 201, flow.text
    agent = await join_as(client, owner, "agent")

    r = await client.get("/api/audit-log", headers=owner.auth)
    assert r.status_code == 200, r.text
    entries = r.json()["entries"]
    actions = [e["action"] for e in entries]
    flow_entry = next(e for e in entries if e["action"] == "flow.created")
    assert flow_entry["actor"] == {"kind": "api_key", "id": key.json()["id"], "name": "Zapier"}
    assert flow_entry["target_type"] == "flow" and flow_entry["target_id"] == flow.json()["id"]
    assert actions.index("flow.created") < actions.index("api_key.created")  # newest first
    created = next(e for e in entries if e["action"] == "api_key.created")
    assert created["actor"]["kind"] == "user" and created["actor"]["id"] == owner.id

    # Filter and pages of one entry, following the cursor to the end, lose nothing.
    only = await client.get("/api/audit-log", headers=owner.auth, params={"action": "flow.created"})
    assert [e["action"] for e in only.json()["entries"]] == ["flow.created"]
    paged, cursor = [], None
    while True:
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/audit-log", headers=owner.auth, params=params)).json()
        paged += [e["id"] for e in page["entries"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert paged == [e["id"] for e in entries]

    # Agents may not read it; another workspace sees only its own (none of ours).
    assert (await client.get("/api/audit-log", headers=agent.auth)).status_code == 403
    theirs = (await client.get("/api/audit-log", headers=other.auth)).json()["entries"]
    assert not {e["id"] for e in theirs} & {e["id"] for e in entries}
    bad = await client.get("/api/audit-log", headers=owner.auth, params={"cursor": "nope"})
    assert bad.status_code == 400 and "cursor" in bad.json()["error"]
