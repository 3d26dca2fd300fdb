"""WhatsApp numbers: encrypted, write-only secrets; the original /api/settings; Test connection."""

from __future__ import annotations

import httpx
import respx
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from finnegans.context import AppContext
from finnegans.db.models import WhatsAppAccount
from tests.helpers import register

SECRET = "app-secret-0123456789abcdef"
TOKEN = "EAAG-access-token-abcdefghijklmnop-9876"


async def _stored(app: FastAPI, account_id: str) -> WhatsAppAccount:
    ctx: AppContext = app.state.ctx
    async with ctx.db.unit_of_work(write=False) as session:
        row = (
            await session.execute(select(WhatsAppAccount).where(WhatsAppAccount.id == account_id))
        ).scalar_one()
        return row


async def test_secrets_are_encrypted_and_never_returned(client: AsyncClient, app: FastAPI) -> None:
    owner = await register(client)
    created = await client.post(
        "/api/whatsapp-accounts",
        headers=owner.auth,
        json={
            "name": "Sales",
            "phoneNumberId": "106540352242922",
            "businessAccountId": "102290129340398",
            "verifyToken": "my-verify-token",
            "appSecret": SECRET,
            "accessToken": TOKEN,
            "phonePin": "123456",
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert SECRET not in created.text and TOKEN not in created.text and "123456" not in created.text
    assert body["appSecret"].startswith("••") and body["accessToken"].endswith(TOKEN[-4:])
    assert body["hasAppSecret"] and body["hasAccessToken"] and body["hasPhonePin"]
    assert body["status"] == "connected"
    assert body["verifyToken"] == "my-verify-token"
    assert body["webhookUrl"] == "http://testserver/webhook"

    stored = await _stored(app, body["id"])
    assert stored.app_secret_encrypted and SECRET not in stored.app_secret_encrypted
    ctx: AppContext = app.state.ctx
    assert ctx.secrets.decrypt(stored.app_secret_encrypted) == SECRET

    # Sending the masked values back (what a form does) keeps the secrets.
    updated = await client.put(
        f"/api/whatsapp-accounts/{body['id']}",
        headers=owner.auth,
        json={**body, "name": "Sales AR"},
    )
    assert updated.status_code == 200
    stored = await _stored(app, body["id"])
    assert ctx.secrets.decrypt(stored.access_token_encrypted or "") == TOKEN
    assert updated.json()["name"] == "Sales AR"

    cleared = await client.patch(
        f"/api/whatsapp-accounts/{body['id']}", headers=owner.auth, json={"accessToken": ""}
    )
    assert cleared.json()["hasAccessToken"] is False and cleared.json()["status"] == "incomplete"


async def test_several_numbers_per_workspace_and_unique_phone_number_id(
    client: AsyncClient,
) -> None:
    a = await register(client)
    b = await register(client)
    for pid in ("111", "222"):
        r = await client.post("/api/whatsapp-accounts", headers=a.auth, json={"phoneNumberId": pid})
        assert r.status_code == 201
    assert len((await client.get("/api/whatsapp-accounts", headers=a.auth)).json()) == 2
    taken = await client.post(
        "/api/whatsapp-accounts", headers=b.auth, json={"phoneNumberId": "111"}
    )
    assert taken.status_code == 409
    assert "phoneNumberId" in taken.json()["fields"]
    assert (await client.get("/api/whatsapp-accounts", headers=b.auth)).json() == []


async def test_account_validation(client: AsyncClient) -> None:
    owner = await register(client)
    for body, field in [
        ({"phoneNumberId": "12ab"}, "phoneNumberId"),
        ({"sendBudgetPerSecond": 0}, "sendBudgetPerSecond"),
        ({"sendBudgetPerSecond": "fast"}, "sendBudgetPerSecond"),
        ({"phonePin": "12"}, "phonePin"),
        ({"sandbox": "maybe"}, "sandbox"),
    ]:
        r = await client.post("/api/whatsapp-accounts", headers=owner.auth, json=body)
        assert r.status_code == 400, body
        assert field in r.json()["fields"], r.json()
    assert (await client.get("/api/whatsapp-accounts", headers=owner.auth)).json() == []


async def test_legacy_settings_round_trip_with_masked_secrets(client: AsyncClient) -> None:
    owner = await register(client)
    empty = await client.get("/api/settings", headers=owner.auth)
    assert empty.status_code == 200
    assert empty.json()["metaAccessToken"] == "" and empty.json()["metaPhoneNumberId"] == ""
    six = {
        "metaVerifyToken": "verify-me",
        "metaAppSecret": SECRET,
        "metaAccessToken": TOKEN,
        "metaPhoneNumberId": "109876543210",
        "metaBusinessAccountId": "556677",
        "metaPhonePin": "654321",
    }
    saved = await client.post("/api/settings", headers=owner.auth, json=six)
    assert saved.status_code == 200, saved.text
    got = (await client.get("/api/settings", headers=owner.auth)).json()
    assert got["metaVerifyToken"] == "verify-me"
    assert got["metaPhoneNumberId"] == "109876543210"
    assert got["metaBusinessAccountId"] == "556677"
    for secret_field in ("metaAppSecret", "metaAccessToken", "metaPhonePin"):
        assert got[secret_field].startswith("••"), secret_field
        assert got[secret_field] != six[secret_field]
    # A partial update keeps the other fields; the account is the same (one number).
    await client.put("/api/settings", headers=owner.auth, json={"metaVerifyToken": "rotated"})
    accounts = (await client.get("/api/whatsapp-accounts", headers=owner.auth)).json()
    assert len(accounts) == 1 and accounts[0]["verifyToken"] == "rotated"
    assert accounts[0]["hasAccessToken"]

    bad = await client.post("/api/settings", headers=owner.auth, json={"metaPhoneNumberId": "abc"})
    assert bad.status_code == 400 and "metaPhoneNumberId" in bad.json()["fields"]

    assert (await client.delete("/api/settings", headers=owner.auth)).json() == {"success": True}
    after = (await client.get("/api/settings", headers=owner.auth)).json()
    assert all(after[k] == "" for k in six)


async def test_test_connection_reports_and_records_an_expired_token(client: AsyncClient) -> None:
    owner = await register(client)
    account = (
        await client.post(
            "/api/whatsapp-accounts",
            headers=owner.auth,
            json={"phoneNumberId": "4242", "accessToken": TOKEN, "appSecret": SECRET},
        )
    ).json()
    graph = respx.mock(assert_all_called=False)
    graph.start()
    graph.get("https://graph.facebook.com/v23.0/4242").mock(
        return_value=httpx.Response(
            401,
            json={
                "error": {
                    "message": "Error validating access token: Session has expired",
                    "type": "OAuthException",
                    "code": 190,
                    "error_subcode": 463,
                }
            },
        )
    )
    result = await client.post(f"/api/whatsapp-accounts/{account['id']}/test", headers=owner.auth)
    assert result.status_code == 200
    assert result.json()["ok"] is False and result.json()["status"] == "needs_reconnection"
    assert "190" in result.json()["message"]
    shown = (await client.get(f"/api/whatsapp-accounts/{account['id']}", headers=owner.auth)).json()
    assert shown["status"] == "needs_reconnection"

    # A new token clears the flag; a good answer confirms the connection.
    graph.get("https://graph.facebook.com/v23.0/4242").mock(
        return_value=httpx.Response(
            200, json={"display_phone_number": "+1 555-0100", "verified_name": "Acme", "id": "4242"}
        )
    )
    await client.patch(
        f"/api/whatsapp-accounts/{account['id']}",
        headers=owner.auth,
        json={"accessToken": TOKEN + "new"},
    )
    ok = await client.post(f"/api/whatsapp-accounts/{account['id']}/test", headers=owner.auth)
    graph.stop()
    assert ok.json() == {
        "ok": True,
        "status": "connected",
        "message": "Connected to Acme (+1 555-0100).",
    }


async def test_sandbox_number_tests_ok_without_meta(client: AsyncClient) -> None:
    owner = await register(client)
    account = (
        await client.post(
            "/api/whatsapp-accounts", headers=owner.auth, json={"name": "Sandbox", "sandbox": True}
        )
    ).json()
    assert account["status"] == "sandbox"
    r = await client.post(f"/api/whatsapp-accounts/{account['id']}/test", headers=owner.auth)
    assert r.json()["ok"] is True and r.json()["status"] == "sandbox"
