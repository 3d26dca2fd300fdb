"""The flows API: the original paths and bodies, validation on save and publish, versions."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from httpx import AsyncClient

from tests.helpers import User, join_as, register

FLOWS = Path(__file__).resolve().parents[2] / "fixtures" / "flows"


def original(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FLOWS / name).read_text())
    return loaded


async def create(client: AsyncClient, owner: User, **body: Any) -> dict[str, Any]:
    r = await client.post("/api/flows", headers=owner.auth, json={"name": "Menu", **body})
    assert r.status_code == 201, r.text
    created: dict[str, Any] = r.json()
    return created


async def test_original_default_flow_imports_unchanged_and_publishes(client: AsyncClient) -> None:
    owner = await register(client)
    definition = original("original_default.json")
    # The original builder left opt-1/opt-2 unconnected; that is fine for a draft.
    flow = await create(client, owner, trigger="Hola", definition=definition)
    assert flow["status"] == "Draft"
    assert flow["trigger"] == "Hola"
    kept = flow["definition"]
    assert [n["id"] for n in kept["nodes"]] == ["n1", "n2", "n3", "n4"]
    assert kept["edges"][0]["markerEnd"] == {"type": "arrowclosed"}  # React Flow keys survive
    assert kept["nodes"][2]["data"]["options"] == ["Soporte", "Ventas", "Información"]

    listed = (await client.get("/api/flows", headers=owner.auth)).json()
    assert [(f["name"], f["status"], f["triggers"]) for f in listed] == [
        ("Menu", "Draft", ["Hola"])
    ]
    # Its unconnected options are warnings (taking one ends the session): it can go live.
    warned = {(p["node"], p["field"]) for p in flow["warnings"] if p["severity"] == "warning"}
    assert warned >= {("n3", "options[1]"), ("n3", "options[2]")}
    published = await client.post(f"/api/flows/{flow['id']}/publish", headers=owner.auth)
    assert published.status_code == 200, published.text
    assert (published.json()["status"], published.json()["published_version"]) == ("Active", 1)

    # A flow nothing can start is refused, with the problem named.
    no_trigger = copy.deepcopy(definition)
    no_trigger["nodes"] = no_trigger["nodes"][1:]
    no_trigger["edges"] = no_trigger["edges"][1:]
    refused = await client.post(
        "/api/flows", headers=owner.auth,
        json={"name": "No trigger", "status": "Active", "definition": no_trigger},
    )  # fmt: skip
    assert refused.status_code == 400
    assert {(p["field"], p["severity"]) for p in refused.json()["problems"]} == {
        ("nodes", "incomplete")
    }
    names = [f["name"] for f in (await client.get("/api/flows", headers=owner.auth)).json()]
    assert names == ["Menu"]  # nothing saved


async def test_status_active_publishes_and_put_keeps_omitted_fields(client: AsyncClient) -> None:
    owner = await register(client)
    definition = original("original_default.json")
    for handle in ("opt-1", "opt-2"):
        definition["edges"].append({"id": f"e-{handle}", "source": "n3",
                                    "sourceHandle": handle, "target": "n4"})  # fmt: skip
    flow = await create(client, owner, trigger="Hola", status="Active", definition=definition)
    assert flow["status"] == "Active"
    assert flow["published_version"] == 1

    # The original PUT reset omitted fields to Draft/empty; here they keep their value.
    renamed = await client.put(
        f"/api/flows/{flow['id']}", headers=owner.auth, json={"name": "Main menu"}
    )
    assert renamed.status_code == 200, renamed.text
    body = renamed.json()
    assert (body["name"], body["status"], body["trigger"]) == ("Main menu", "Active", "Hola")
    assert body["definition"]["nodes"][0]["id"] == "n1"

    edited = copy.deepcopy(body["definition"])
    edited["nodes"][1]["data"]["text"] = "¡Bienvenido de nuevo!"
    saved = await client.put(
        f"/api/flows/{flow['id']}", headers=owner.auth, json={"definition": edited}
    )
    assert saved.json()["published_version"] == 1  # a draft edit does not go live
    published = await client.post(f"/api/flows/{flow['id']}/publish", headers=owner.auth)
    assert published.status_code == 200, published.text
    assert published.json()["published_version"] == 2

    versions = (await client.get(f"/api/flows/{flow['id']}/versions", headers=owner.auth)).json()
    assert [(v["version"], v["live"]) for v in versions] == [(2, True), (1, False)]
    v1 = (await client.get(f"/api/flows/{flow['id']}/versions/1", headers=owner.auth)).json()
    assert v1["definition"]["nodes"][1]["data"]["text"] == "Bienvenido! ¿Cómo puedo ayudarte?"

    rolled = await client.post(f"/api/flows/{flow['id']}/versions/1/rollback", headers=owner.auth)
    assert rolled.status_code == 200
    assert rolled.json()["published_version"] == 3
    assert rolled.json()["definition"]["nodes"][1]["data"]["text"].startswith("Bienvenido!")
    missing = await client.post(f"/api/flows/{flow['id']}/versions/99/rollback", headers=owner.auth)
    assert missing.status_code == 404


async def test_duplicate_export_import_and_delete(client: AsyncClient) -> None:
    owner = await register(client)
    flow = await create(client, owner, definition=original("original_default.json"))
    copy_of = await client.post(f"/api/flows/{flow['id']}/duplicate", headers=owner.auth)
    assert copy_of.status_code == 201
    assert copy_of.json()["name"] == "Menu (copy)"
    assert copy_of.json()["status"] == "Draft"

    exported = await client.get(f"/api/flows/{flow['id']}/export", headers=owner.auth)
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    imported = await client.post(
        "/api/flows/import", headers=owner.auth, json={**exported.json(), "name": "Again"}
    )
    assert imported.status_code == 201, imported.text
    assert imported.json()["definition"]["nodes"] == exported.json()["definition"]["nodes"]
    bare = await client.post(
        "/api/flows/import", headers=owner.auth, json=original("original_default.json")
    )
    assert bare.status_code == 201
    assert bare.json()["name"] == "Imported flow"

    deleted = await client.delete(f"/api/flows/{flow['id']}", headers=owner.auth)
    assert deleted.status_code == 204
    assert (await client.get(f"/api/flows/{flow['id']}", headers=owner.auth)).status_code == 404
    names = sorted(f["name"] for f in (await client.get("/api/flows", headers=owner.auth)).json())
    assert names == ["Again", "Imported flow", "Menu (copy)"]


def _with(definition: dict[str, Any], node_id: str, **data: Any) -> dict[str, Any]:
    changed = copy.deepcopy(definition)
    for node in changed["nodes"]:
        if node["id"] == node_id:
            node["data"].update(data)
    return changed


async def test_bad_definitions_are_refused_with_node_errors_and_nothing_saved(
    client: AsyncClient,
) -> None:
    owner = await register(client)
    good = original("original_default.json")
    flow = await create(client, owner, definition=good)

    unknown = copy.deepcopy(good)
    unknown["nodes"].append({"id": "x1", "type": "teleport", "position": {}, "data": {}})
    missing_handle = copy.deepcopy(good)
    missing_handle["edges"].append(
        {"id": "bad", "source": "n3", "sourceHandle": "opt-7", "target": "n4"}
    )
    four_buttons = _with(good, "n3", options=["Uno", "Dos", "Tres", "Cuatro"])
    long_title = _with(good, "n3", options=["Soporte", "x" * 21, "Ventas"])
    code = copy.deepcopy(good)
    code["nodes"].append({"id": "c1", "type": "condition", "position": {},
                          "data": {"expression": "process.exit()"}})  # fmt: skip
    goto = copy.deepcopy(good)
    goto["nodes"].append({"id": "g1", "type": "goto", "position": {},
                          "data": {"targetNodeId": "nowhere"}})  # fmt: skip
    cases = {
        "unknown type": (unknown, "x1"),
        "missing handle": (missing_handle, "n3"),
        "four buttons": (four_buttons, "n3"),
        "21-character title": (long_title, "n3"),
        "process.exit()": (code, "c1"),
        "goto to a missing node": (goto, "g1"),
    }
    for label, (definition, node) in cases.items():
        for method, url in (("POST", "/api/flows"), ("PUT", f"/api/flows/{flow['id']}")):
            r = await client.request(
                method, url, headers=owner.auth, json={"name": "Bad", "definition": definition}
            )
            assert r.status_code == 400, (label, method, r.text)
            body = r.json()
            assert body["error"], label
            errors = [p for p in body["problems"] if p["severity"] == "error"]
            assert any(p["node"] == node for p in errors), (label, body)

    # Nothing was saved: one flow, with its original definition.
    flows = (await client.get("/api/flows", headers=owner.auth)).json()
    assert [f["id"] for f in flows] == [flow["id"]]
    stored = (await client.get(f"/api/flows/{flow['id']}", headers=owner.auth)).json()
    assert stored["definition"]["nodes"][2]["data"]["options"] == [
        "Soporte",
        "Ventas",
        "Información",
    ]

    huge = {"name": "Huge", "definition": {"nodes": [], "edges": [], "pad": "x" * 5_000_000}}
    too_big = await client.post("/api/flows", headers=owner.auth, json=huge)
    assert too_big.status_code == 413
    assert "error" in too_big.json()


async def test_validate_reports_warnings_and_problems_without_saving(client: AsyncClient) -> None:
    owner = await register(client)
    flow = await create(client, owner, definition=original("original_default.json"))
    lonely = copy.deepcopy(flow["definition"])
    lonely["nodes"].append({"id": "z9", "type": "message", "position": {},
                            "data": {"text": "nobody gets here"}})  # fmt: skip
    lonely["nodes"].append({"id": "c1", "type": "condition", "position": {},
                            "data": {"expression": "input == 'x'"}})  # fmt: skip
    lonely["edges"].append({"id": "ez", "source": "n4", "target": "c1"})
    r = await client.post(
        f"/api/flows/{flow['id']}/validate", headers=owner.auth, json={"definition": lonely}
    )
    assert r.status_code == 200
    result = r.json()
    assert result["valid"] is False  # the condition has no exit connected
    severities = {(p["node"], p["severity"]) for p in result["problems"]}
    assert {("z9", "warning"), ("c1", "incomplete")} <= severities
    again = (await client.get(f"/api/flows/{flow['id']}", headers=owner.auth)).json()
    assert all(n["id"] != "z9" for n in again["definition"]["nodes"])


async def test_agents_read_but_cannot_change_flows(client: AsyncClient) -> None:
    owner = await register(client)
    flow = await create(client, owner, definition=original("original_default.json"))
    agent = await join_as(client, owner, "agent")
    assert (await client.get("/api/flows", headers=agent.auth)).status_code == 200
    denied = await client.put(
        f"/api/flows/{flow['id']}", headers=agent.auth, json={"name": "Hijacked"}
    )
    assert denied.status_code == 403
    simulated = await client.post(
        f"/api/flows/{flow['id']}/simulate", headers=agent.auth, json={"text": "hola"}
    )
    assert simulated.status_code == 200, simulated.text
