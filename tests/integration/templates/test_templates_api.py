"""Templates through the real API against the emulator's WABA: sync (all pages), create for
review, verdict webhooks, delete, preview, bad input and an expired token."""

from __future__ import annotations

import copy
import time

from fastapi import FastAPI
from httpx import AsyncClient

from finnegans.context import AppContext
from finnegans.db.models import WhatsAppAccount
from finnegans.whatsapp.signature import meta_wire_json, sign
from tests.helpers import join_as, register
from tests.integration.flows.flow_helpers import settle
from tests.integration.templates.template_helpers import ORDER_SHIPPED, Waba, sandbox_waba
from tests.integration.whatsapp.webhook_helpers import fixture

NEW_TEMPLATE = {
    "name": "order_shipped",
    "language": "en_US",
    "category": "UTILITY",
    "components": copy.deepcopy(ORDER_SHIPPED),
}


async def _post_verdict(waba: Waba, fixture_name: str, template: dict[str, object],
                        at: int) -> None:  # fmt: skip
    """Meta's status webhook for our template, signed with the number's app secret."""
    body = fixture(fixture_name)
    entry = body["entry"][0]
    entry["id"], entry["time"] = waba.waba_id, at
    value = entry["changes"][0]["value"]
    value["message_template_id"] = int(str(template["meta_template_id"]))
    value["message_template_name"] = template["name"]
    value["message_template_language"] = template["language"]
    raw = meta_wire_json(body)
    secret = waba.emulator.state.numbers[waba.phone_number_id].app_secret or ""
    r = await waba.client.post("/webhook", content=raw, headers={
        "Content-Type": "application/json", "X-Hub-Signature-256": sign(raw, secret)})  # fmt: skip
    assert r.status_code == 200, r.text
    await settle(waba.app)


async def test_sync_reads_every_page_then_updates_and_marks_removed(
    client: AsyncClient, app: FastAPI
) -> None:
    waba = await sandbox_waba(app, client)
    waba.on_meta("order_shipped", ORDER_SHIPPED)
    waba.on_meta("promo", [{"type": "BODY", "text": "Hi {{first_name}}!"}], language="es",
                 status="REJECTED", parameter_format="NAMED", category="MARKETING")  # fmt: skip
    for i in range(110):  # more than one page of 100
        waba.on_meta(f"bulk_{i:03d}", [{"type": "BODY", "text": "Hello"}])

    first = await waba.sync()
    assert first == {"added": 113, "updated": 0, "removed": 0, "unchanged": 0, "accounts": 1}
    rows = await waba.templates()
    assert len(rows) == 113  # hello_world (the emulator's sample) + ours
    assert [r["name"] for r in rows] == sorted(r["name"] for r in rows)
    shipped = await waba.template("order_shipped")
    assert shipped["status"] == "APPROVED" and shipped["account_id"] == waba.account_id
    assert shipped["parameter_format"] == "positional"
    assert [p["key"] for p in shipped["parameters"]] == ["header.1", "body.1", "body.2",
                                                         "button.0"]  # fmt: skip
    assert shipped["parameters"][1]["example"] == "Ana"
    promo = await waba.template("promo")
    assert (promo["status"], promo["parameter_format"]) == ("REJECTED", "named")
    assert [p["key"] for p in promo["parameters"]] == ["body.first_name"]

    # On Meta: one deleted, one paused. The next sync follows.
    templates = waba.emulator.templates(waba.waba_id)
    templates[:] = [t for t in templates if t.name != "bulk_000"]
    next(t for t in templates if t.name == "bulk_001").status = "PAUSED"
    second = await waba.sync()
    assert second == {"added": 0, "updated": 1, "removed": 1, "unchanged": 111, "accounts": 1}
    assert (await waba.template("bulk_001"))["status"] == "PAUSED"
    assert "bulk_000" not in {r["name"] for r in await waba.templates()}
    gone = await waba.templates(status="DELETED")
    assert [r["name"] for r in gone] == ["bulk_000"]

    assert [r["name"] for r in await waba.templates(q="SHIP")] == ["order_shipped"]
    assert [r["name"] for r in await waba.templates(status="REJECTED")] == ["promo"]
    by_account = await waba.templates(account=waba.account_id, q="promo")
    assert [r["name"] for r in by_account] == ["promo"]
    assert await waba.templates(account="0" * 32) == []


async def test_create_is_pending_until_meta_approves_it(client: AsyncClient, app: FastAPI) -> None:
    waba = await sandbox_waba(app, client)
    waba.emulator.faults.template_review_delay = 0.3
    r = await client.post("/api/templates", headers=waba.owner.auth, json=NEW_TEMPLATE)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["status"] == "PENDING" and created["meta_template_id"]
    on_meta = waba.emulator.state.find_template(waba.waba_id, "order_shipped", "en_US")
    assert on_meta is not None and on_meta.id == created["meta_template_id"]
    assert on_meta.components[1]["example"] == {"body_text": [["Ana", "Monday"]]}
    shown = await client.get(f"/api/templates/{created['id']}", headers=waba.owner.auth)
    assert shown.json()["status"] == "PENDING"

    await settle(app)  # the review ends; Meta's webhook arrives through the signed /webhook
    shown = await client.get(f"/api/templates/{created['id']}", headers=waba.owner.auth)
    assert (shown.json()["status"], shown.json()["rejected_reason"]) == ("APPROVED", None)

    again = await client.post("/api/templates", headers=waba.owner.auth, json=NEW_TEMPLATE)
    assert again.status_code == 409 and again.json()["code"] == "template_exists"


async def test_a_rejection_keeps_meta_s_reason_and_late_or_repeated_verdicts_change_nothing(
    client: AsyncClient, app: FastAPI
) -> None:
    waba = await sandbox_waba(app, client)
    waba.on_meta("abandoned_cart", [{"type": "BODY", "text": "Hi {{1}}{{2}}"}],
                 language="en", status="PENDING", category="MARKETING")  # fmt: skip
    await waba.sync()
    template = await waba.template("abandoned_cart")
    now = int(time.time())
    await _post_verdict(waba, "message_template_status_update_rejected.json", template, now)
    await _post_verdict(waba, "message_template_status_update_rejected.json", template, now)
    # An approval from before the rejection, delivered late: ignored.
    await _post_verdict(waba, "message_template_status_update_approved.json", template, now - 60)
    rejected = await waba.template("abandoned_cart")
    assert rejected["status"] == "REJECTED"
    assert rejected["rejected_reason"].startswith("INVALID_FORMAT — Your template has parameters")
    assert "Separate parameters" in rejected["rejected_reason"]
    assert [t["name"] for t in await waba.templates(status="REJECTED")] == ["abandoned_cart"]
    # A newer approval applies.
    await _post_verdict(waba, "message_template_status_update_approved.json", template, now + 1)
    approved = await waba.template("abandoned_cart")
    assert (approved["status"], approved["rejected_reason"]) == ("APPROVED", None)


async def test_a_verdict_for_an_unknown_template_leaves_a_stub_that_sync_completes(
    client: AsyncClient, app: FastAPI
) -> None:
    waba = await sandbox_waba(app, client)
    made_elsewhere = waba.on_meta("welcome", [{"type": "BODY", "text": "Welcome {{1}}"}],
                                  status="APPROVED")  # fmt: skip
    stub_source = {"meta_template_id": made_elsewhere.id, "name": "welcome", "language": "en_US"}
    await _post_verdict(waba, "message_template_status_update_approved.json", stub_source,
                        int(time.time()))  # fmt: skip
    stub = await waba.template("welcome")
    assert (stub["status"], stub["components"], stub["parameters"]) == ("APPROVED", [], [])
    preview = await client.post(f"/api/templates/{stub['id']}/preview", headers=waba.owner.auth,
                                json={"parameters": {}})  # fmt: skip
    assert preview.status_code == 409 and "sync" in preview.json()["error"]
    result = await waba.sync()
    assert result["updated"] == 1
    synced = await waba.template("welcome")
    assert synced["id"] == stub["id"] and [p["key"] for p in synced["parameters"]] == ["body.1"]


async def test_delete_removes_it_on_meta_then_here(client: AsyncClient, app: FastAPI) -> None:
    waba = await sandbox_waba(app, client)
    waba.on_meta("order_shipped", ORDER_SHIPPED)
    await waba.sync()
    template = await waba.template("order_shipped")
    r = await client.delete(f"/api/templates/{template['id']}", headers=waba.owner.auth)
    assert r.status_code == 204, r.text
    assert waba.emulator.state.find_template(waba.waba_id, "order_shipped", "en_US") is None
    shown = await client.get(f"/api/templates/{template['id']}", headers=waba.owner.auth)
    assert shown.status_code == 404
    assert "order_shipped" not in {t["name"] for t in await waba.templates(status="DELETED")}


async def test_preview_fills_the_template_and_names_each_missing_or_extra_parameter(
    client: AsyncClient, app: FastAPI
) -> None:
    waba = await sandbox_waba(app, client)
    waba.on_meta("order_shipped", ORDER_SHIPPED)
    await waba.sync()
    url = f"/api/templates/{(await waba.template('order_shipped'))['id']}/preview"
    r = await client.post(url, headers=waba.owner.auth,
                          json={"parameters": {"header.1": "A-7", "body.1": "Ana",
                                               "body.9": "x"}})  # fmt: skip
    assert r.status_code == 400, r.text
    error = r.json()
    assert set(error["fields"]) == {"parameters.body.2", "parameters.button.0",
                                    "parameters.body.9"}  # fmt: skip
    assert error["fields"]["parameters.body.2"] == "missing"
    assert "body.2" in error["error"] and "button.0" in error["error"]

    values = {"header.1": "A-7", "body.1": "Ana", "body.2": "Friday", "button.0": "A-7"}
    r = await client.post(url, headers=waba.owner.auth, json={"parameters": values})
    assert r.status_code == 200, r.text
    preview = r.json()
    assert preview["rendered"]["header"] == "Order A-7"
    assert preview["rendered"]["body"] == "Hi Ana, your order ships on Friday."
    assert preview["rendered"]["footer"] == "Reply STOP to opt out"
    assert preview["rendered"]["buttons"][0]["url"] == "https://shop.example/track/A-7"
    assert preview["template"] == {
        "name": "order_shipped",
        "language": {"code": "en_US"},
        "components": [
            {"type": "header", "parameters": [{"type": "text", "text": "A-7"}]},
            {"type": "body", "parameters": [{"type": "text", "text": "Ana"},
                                            {"type": "text", "text": "Friday"}]},
            {"type": "button", "sub_type": "url", "index": "0",
             "parameters": [{"type": "text", "text": "A-7"}]},
        ],
    }  # fmt: skip


async def test_bad_templates_are_refused_before_meta_sees_them(
    client: AsyncClient, app: FastAPI
) -> None:
    waba = await sandbox_waba(app, client)
    before = len(waba.emulator.templates(waba.waba_id))
    no_examples = copy.deepcopy(NEW_TEMPLATE)
    del no_examples["components"][1]["example"]  # type: ignore[index,attr-defined]
    gapped = copy.deepcopy(NEW_TEMPLATE)
    gapped["components"][1] = {"type": "BODY", "text": "Hi {{1}} and {{3}}.",  # type: ignore[index]
                               "example": {"body_text": [["a", "b"]]}}  # fmt: skip
    cases = [
        ({**NEW_TEMPLATE, "name": "Order Shipped!"}, "name"),
        ({**NEW_TEMPLATE, "category": "GOSSIP"}, "category"),
        ({**NEW_TEMPLATE, "language": "english"}, "language"),
        ({**NEW_TEMPLATE, "components": [{"type": "FOOTER", "text": "x"}]}, "components"),
        (no_examples, "components[1].example"),
        (gapped, "components[1].text"),
        ({**NEW_TEMPLATE, "components": [{"type": "BODY", "text": "x" * 1025}]},
         "components.0.BODY.text"),
    ]  # fmt: skip
    for body, field in cases:
        r = await client.post("/api/templates", headers=waba.owner.auth, json=body)
        assert r.status_code == 400, (field, r.text)
        assert field in r.json()["fields"], (field, r.json())
    assert len(waba.emulator.templates(waba.waba_id)) == before
    assert await waba.templates() == []


async def test_an_expired_token_says_to_fix_it_and_marks_the_number(
    client: AsyncClient, app: FastAPI
) -> None:
    waba = await sandbox_waba(app, client)
    waba.emulator.faults.token_expired = True
    r = await client.post("/api/templates/sync", headers=waba.owner.auth)
    assert r.status_code == 409, r.text
    error = r.json()
    assert error["code"] == "token_invalid" and error["graph_code"] == 190
    assert "access token" in error["error"] and "Settings" in error["error"]
    account = await client.get(f"/api/whatsapp-accounts/{waba.account_id}",
                               headers=waba.owner.auth)  # fmt: skip
    # A sandbox number always shows "sandbox"; the mark and its reason are what other code reads.
    assert account.json()["statusDetail"] == "The access token is invalid or expired"
    ctx: AppContext = app.state.ctx
    async with ctx.db.unit_of_work(write=False) as session:
        stored = await session.get(WhatsAppAccount, waba.account_id)
        assert stored is not None and stored.needs_reconnection
    created = await client.post("/api/templates", headers=waba.owner.auth, json=NEW_TEMPLATE)
    assert created.status_code == 409 and created.json()["code"] == "token_invalid"
    assert await waba.templates() == []

    waba.emulator.faults.token_expired = False
    assert (await waba.sync())["added"] == 1  # hello_world


async def test_members_read_admins_write(client: AsyncClient, app: FastAPI) -> None:
    waba = await sandbox_waba(app, client)
    await waba.sync()
    agent = await join_as(client, waba.owner, "agent")
    listed = await client.get("/api/templates", headers=agent.auth)
    assert [t["name"] for t in listed.json()["templates"]] == ["hello_world"]
    template_id = listed.json()["templates"][0]["id"]
    preview = await client.post(f"/api/templates/{template_id}/preview", headers=agent.auth,
                                json={})  # fmt: skip
    assert preview.status_code == 200 and preview.json()["template"] == {
        "name": "hello_world", "language": {"code": "en_US"}}  # fmt: skip
    for method, url in (("POST", "/api/templates/sync"), ("POST", "/api/templates"),
                        ("DELETE", f"/api/templates/{template_id}")):  # fmt: skip
        r = await client.request(method, url, headers=agent.auth, json=NEW_TEMPLATE)
        assert r.status_code == 403, (method, url, r.text)
    other = await register(client)
    r = await client.post("/api/templates/sync", headers=other.auth,
                          json={"account_id": waba.account_id})  # fmt: skip
    assert r.status_code == 404
    r = await client.post("/api/templates/sync", headers=other.auth)
    assert r.status_code == 409 and r.json()["code"] == "no_account"
    r = await client.post("/api/templates", headers=other.auth,
                          json={**NEW_TEMPLATE, "account_id": waba.account_id})  # fmt: skip
    assert r.status_code == 404
    assert waba.emulator.state.find_template(waba.waba_id, "order_shipped", "en_US") is None
