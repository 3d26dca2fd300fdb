"""A user of workspace B gets 404 on every resource of workspace A, through every id route."""

from __future__ import annotations

import re

from fastapi import FastAPI
from httpx import AsyncClient

from tests.helpers import register, unique_email
from tests.integration.flows.flow_helpers import settle

# Routes whose path parameter is not a workspace resource id, with the reason.
NOT_TENANT_IDS = {
    "/api/invitations/lookup/{token}": "public: the secret invitation token is the credential",
}
BODIES = {
    "POST /api/sandbox/accounts/{account_id}/customers": {"profileName": "Mallory"},
    "POST /api/sandbox/accounts/{account_id}/customers/{wa_id}/messages": {
        "type": "text",
        "text": "hi",
    },
    "PATCH /api/members/{user_id}": {"role": "agent"},
    "PUT /api/whatsapp-accounts/{account_id}": {"name": "hijacked"},
    "PATCH /api/whatsapp-accounts/{account_id}": {"name": "hijacked"},
    "PUT /api/flows/{flow_id}": {"name": "hijacked"},
    "PATCH /api/flows/{flow_id}": {"name": "hijacked"},
    "POST /api/flows/{flow_id}/trigger": {"phone": "+5491100000001"},
    "POST /api/flows/{flow_id}/simulate": {"text": "hola"},
    "POST /api/conversations/{contact_id}": {"text": "hijacked"},
    "PATCH /api/conversations/{contact_id}": {"status": "resolved"},
    "POST /api/conversations/{contact_id}/notes": {"text": "hijacked"},
    "PUT /api/conversations/{contact_id}/tags": {"tags": ["hijacked"]},
    "PUT /api/canned-responses/{response_id}": {"shortcut": "hijacked", "text": "hijacked"},
    "PUT /api/contacts/{contact_id}": {"name": "hijacked", "tags": ["hijacked"]},
    "PATCH /api/contacts/{contact_id}": {"name": "hijacked", "opted_out": True},
    "PATCH /api/tags/{tag_id}": {"name": "hijacked"},
    "PATCH /api/contact-attributes/{attribute_id}": {"label": "hijacked"},
    "PATCH /api/segments/{segment_id}": {"name": "hijacked"},
    "POST /api/templates/{template_id}/preview": {"parameters": {}},
    "POST /api/contacts/imports/{import_id}/start": {"mapping": ["phone", "name"]},
    "PATCH /api/broadcasts/{broadcast_id}": {"title": "hijacked"},
    "POST /api/broadcasts/{broadcast_id}/launch": {},
}


def id_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every documented operation whose path takes an id (from the OpenAPI schema)."""
    return [
        (method.upper(), path)
        for path, item in app.openapi()["paths"].items()
        if "{" in path and path not in NOT_TENANT_IDS
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    ]


async def test_workspace_b_gets_404_on_every_resource_of_workspace_a(
    client: AsyncClient, app: FastAPI
) -> None:
    a = await register(client, name="Alice")
    b = await register(client, name="Bob")
    # Workspace A gets one of everything that has an id.
    account = await client.post(
        "/api/whatsapp-accounts",
        headers=a.auth,
        json={"name": "A's number", "phoneNumberId": "700001", "sandbox": True},
    )
    invitation = await client.post(
        "/api/invitations", headers=a.auth, json={"email": unique_email(), "role": "agent"}
    )
    key = await client.post("/api/api-keys", headers=a.auth, json={"name": "A's key"})
    flow = await client.post(
        "/api/flows", headers=a.auth, json={"name": "A's flow", "status": "Active"}
    )
    assert flow.status_code == 201, flow.text
    ids = {
        "account_id": account.json()["id"],
        "invitation_id": invitation.json()["id"],
        "key_id": key.json()["id"],
        "user_id": a.id,
        "wa_id": "5491100000001",
        "media_id": "123456",
        "message_id": "0" * 32,
        "flow_id": flow.json()["id"],
        "version": "1",
    }
    # A's sandbox has a customer, so the phone-simulator routes have something to protect.
    created = await client.post(
        f"/api/sandbox/accounts/{ids['account_id']}/customers",
        headers=a.auth,
        json={"profileName": "Ana", "waId": ids["wa_id"]},
    )
    assert created.status_code == 201, created.text
    # ... who wrote, so A has a contact and a conversation.
    said = await client.post(
        f"/api/sandbox/accounts/{ids['account_id']}/customers/{ids['wa_id']}/messages",
        headers=a.auth,
        json={"type": "text", "text": "hola"},
    )
    assert said.status_code in (200, 201), said.text
    await settle(app)
    [conversation] = (await client.get("/api/conversations", headers=a.auth)).json()[
        "conversations"
    ]
    ids["contact_id"] = conversation["contact_id"]
    canned = await client.post(
        "/api/canned-responses", headers=a.auth, json={"shortcut": "hola", "text": "¡Hola!"}
    )
    ids["response_id"] = canned.json()["canned_response"]["id"]
    tagged = await client.put(
        f"/api/contacts/{ids['contact_id']}", headers=a.auth, json={"name": "Ana", "tags": ["vip"]}
    )
    assert tagged.status_code == 200, tagged.text
    ids["tag_id"] = (await client.get("/api/tags", headers=a.auth)).json()["tags"][0]["id"]
    attribute = await client.post(
        "/api/contact-attributes", headers=a.auth, json={"key": "age", "type": "number"}
    )
    ids["attribute_id"] = attribute.json()["id"]
    segment = await client.post(
        "/api/segments",
        headers=a.auth,
        json={"name": "VIP", "rules": {"conditions": [{"field": "tag", "value": "vip"}]}},
    )
    ids["segment_id"] = segment.json()["id"]
    synced = await client.post("/api/templates/sync", headers=a.auth)
    assert synced.status_code == 200, synced.text
    ids["template_id"] = (await client.get("/api/templates", headers=a.auth)).json()["templates"][
        0
    ]["id"]
    upload = await client.post(
        "/api/contacts/import",
        headers=a.auth,
        files={"file": ("a.csv", b"phone,name\n+5491100000009,Zoe\n", "text/csv")},
    )
    assert upload.status_code == 201, upload.text
    ids["import_id"] = upload.json()["id"]
    broadcast = await client.post(
        "/api/broadcasts",
        headers=a.auth,
        json={"title": "A's promo", "audience": {"kind": "contacts",
                                                 "contact_ids": [ids["contact_id"]]},
              "content": {"kind": "template", "template": {
                  "name": "hello_world", "language": {"code": "en_US"}}}},
    )  # fmt: skip
    assert broadcast.status_code == 201, broadcast.text
    ids["broadcast_id"] = broadcast.json()["id"]

    routes = id_routes(app)
    assert routes, "no id routes found"
    for method, path in routes:
        params = re.findall(r"{(\w+)}", path)
        missing = [p for p in params if p not in ids]
        assert not missing, (
            f"{method} {path}: add a workspace-A resource for {missing} to this test"
        )
        url = path.format(**ids)
        body = BODIES.get(f"{method} {path}", {})
        response = await client.request(method, url, headers=b.auth, json=body)
        assert response.status_code == 404, (method, url, response.status_code, response.text)
        assert "error" in response.json()

    # Nothing of A changed.
    shown = await client.get(f"/api/whatsapp-accounts/{ids['account_id']}", headers=a.auth)
    assert shown.json()["name"] == "A's number"
    keys = (await client.get("/api/api-keys", headers=a.auth)).json()
    assert keys[0]["revokedAt"] is None
    assert len((await client.get("/api/invitations", headers=a.auth)).json()) == 1
    members = (await client.get("/api/members", headers=a.auth)).json()
    assert [m["role"] for m in members] == ["owner"]
    a_flow = (await client.get(f"/api/flows/{ids['flow_id']}", headers=a.auth)).json()
    assert (a_flow["name"], a_flow["published_version"]) == ("A's flow", 1)
    conversation = (await client.get(f"/api/conversations/{ids['contact_id']}",
                                     headers=a.auth)).json()  # fmt: skip
    assert conversation["conversation"]["status"] == "open"
    texts = [m["text"] for m in conversation["messages"]]
    assert "hijacked" not in texts and texts[0] == "hola"
    assert conversation["conversation"]["tags"] == ["vip"]  # A tagged it; B could not
    contact = (await client.get(f"/api/contacts/{ids['contact_id']}", headers=a.auth)).json()
    assert (contact["name"], contact["tags"], contact["opted_out"]) == ("Ana", ["vip"], False)
    assert [t["name"] for t in (await client.get("/api/tags", headers=a.auth)).json()["tags"]] == [
        "vip"
    ]
    attributes = (await client.get("/api/contact-attributes", headers=a.auth)).json()
    assert [d["label"] for d in attributes["attributes"]] == ["age"]
    assert (await client.get(f"/api/segments/{ids['segment_id']}", headers=a.auth)).json()[
        "name"
    ] == "VIP"
    a_template = await client.get(f"/api/templates/{ids['template_id']}", headers=a.auth)
    assert a_template.status_code == 200, a_template.text
    a_import = await client.get(f"/api/contacts/imports/{ids['import_id']}", headers=a.auth)
    assert a_import.json()["status"] == "uploaded"  # B could not start it
    canned_list = (await client.get("/api/canned-responses", headers=a.auth)).json()
    assert [c["shortcut"] for c in canned_list["canned_responses"]] == ["hola"]
    # And B's lists show none of it.
    for path in ("/api/whatsapp-accounts", "/api/api-keys", "/api/invitations", "/api/flows"):
        assert (await client.get(path, headers=b.auth)).json() == []
    assert (await client.get("/api/conversations", headers=b.auth)).json()["conversations"] == []
    assert (await client.get("/api/contacts", headers=b.auth)).json()["contacts"] == []
    assert (await client.get("/api/contacts/count", headers=b.auth)).json() == {"count": 0}
    assert (await client.get("/api/tags", headers=b.auth)).json() == {"tags": []}
    assert (await client.get("/api/contacts/imports", headers=b.auth)).json() == {"imports": []}
    exported = (await client.get("/api/contacts/export", headers=b.auth)).content
    assert exported.decode("utf-8-sig").count("\n") == 1  # the header row only
    assert (await client.get("/api/segments", headers=b.auth)).json() == {"segments": []}
    assert (await client.get("/api/contact-attributes", headers=b.auth)).json() == {
        "attributes": []
    }
    # A's segment id is not a filter B can use to see A's contacts.
    borrowed = await client.get("/api/contacts", headers=b.auth,
                                params={"segment": ids["segment_id"]})  # fmt: skip
    assert borrowed.status_code == 400
    bulk = await client.post("/api/contacts/bulk", headers=b.auth,
                             json={"ids": [ids["contact_id"]], "action": "delete"})  # fmt: skip
    assert bulk.json() == {"action": "delete", "matched": 0}
    assert (
        await client.get(f"/api/contacts/{ids['contact_id']}", headers=a.auth)
    ).status_code == 200
    assert (await client.get("/api/canned-responses", headers=b.auth)).json() == {
        "canned_responses": []
    }
    assert (await client.get("/api/templates", headers=b.auth)).json() == {"templates": []}
    assert (await client.get("/api/settings", headers=b.auth)).json()["metaPhoneNumberId"] == ""
    a_broadcast = await client.get(f"/api/broadcasts/{ids['broadcast_id']}", headers=a.auth)
    assert (a_broadcast.json()["title"], a_broadcast.json()["status"]) == ("A's promo", "draft")
    assert (await client.get("/api/broadcasts", headers=b.auth)).json()["broadcasts"] == []
    # A's contacts and segments are not an audience B can send to.
    for audience in ({"kind": "contacts", "contact_ids": [ids["contact_id"]]},
                     {"kind": "segment", "segment_id": ids["segment_id"]}):  # fmt: skip
        stolen = await client.post("/api/broadcasts/audience-preview", headers=b.auth,
                                   json={"audience": audience})  # fmt: skip
        assert stolen.status_code == 400, stolen.text
