"""Register, log in, log out, the current user, CSRF and login throttling."""

from __future__ import annotations

from httpx import AsyncClient

from tests.helpers import csrf_headers, register, unique_email


async def test_register_creates_workspace_owner_and_logs_in(client: AsyncClient) -> None:
    email = unique_email("Owner")
    response = await client.post(
        "/api/auth/register",
        json={"name": "Ana", "email": email, "password": "s3cret-pass", "workspaceName": "Acme"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == email.lower()
    assert body["role"] == "owner"
    assert body["workspace"]["name"] == "Acme"
    assert body["token"]
    assert "password" not in response.text
    # The cookie logs the browser in; the session cookie is HttpOnly.
    cookie_header = "; ".join(response.headers.get_list("set-cookie"))
    assert "finnegans_session=" in cookie_header and "HttpOnly" in cookie_header
    me = await client.get("/api/auth/me")
    assert me.status_code == 200
    assert me.json()["workspace"]["name"] == "Acme"
    assert me.json()["via"] == "cookie"


async def test_bearer_token_works_on_api_routes(client_factory) -> None:  # type: ignore[no-untyped-def]
    user = await register(client_factory())
    fresh = client_factory()  # no cookies at all
    me = await fresh.get("/api/auth/me", headers=user.auth)
    assert me.status_code == 200
    assert me.json()["user"]["id"] == user.id
    assert me.json()["via"] == "bearer"
    assert (await fresh.get("/api/auth/me")).status_code == 401


async def test_register_validation_errors_name_the_fields(client: AsyncClient) -> None:
    bad_email = await client.post(
        "/api/auth/register", json={"name": "A", "email": "not-an-email", "password": "longenough"}
    )
    assert bad_email.status_code == 400
    assert "email" in bad_email.json()["fields"]

    short = await client.post(
        "/api/auth/register", json={"name": "A", "email": unique_email(), "password": "short"}
    )
    assert short.status_code == 400
    assert "password" in short.json()["fields"]
    assert "8" in short.json()["fields"]["password"]

    missing = await client.post("/api/auth/register", json={"email": unique_email()})
    assert missing.status_code == 400
    assert {"name", "password"} <= set(missing.json()["fields"])


async def test_duplicate_email_is_409_case_insensitive(client: AsyncClient) -> None:
    user = await register(client)
    again = await client.post(
        "/api/auth/register",
        json={"name": "Other", "email": user.email.upper(), "password": "another-pass"},
    )
    assert again.status_code == 409
    assert again.json()["error"] == "User already exists"


async def test_wrong_password_and_unknown_email_look_the_same(client: AsyncClient) -> None:
    user = await register(client)
    wrong = await client.post(
        "/api/auth/login", json={"email": user.email, "password": "nope-nope"}
    )
    unknown = await client.post(
        "/api/auth/login", json={"email": unique_email(), "password": "nope-nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"error": "Invalid credentials"}


async def test_login_returns_token_and_cookie(client_factory) -> None:  # type: ignore[no-untyped-def]
    user = await register(client_factory())
    browser = client_factory()
    response = await browser.post(
        "/api/auth/login", json={"email": user.email.upper(), "password": user.password}
    )
    assert response.status_code == 200
    assert set(response.json()) >= {"id", "name", "email", "token", "role", "workspace"}
    assert (await browser.get("/api/auth/me")).status_code == 200


async def test_repeated_failures_are_throttled_with_429(client: AsyncClient) -> None:
    user = await register(client)
    statuses = [
        (
            await client.post("/api/auth/login", json={"email": user.email, "password": f"bad-{i}"})
        ).status_code
        for i in range(6)
    ]
    assert statuses[:5] == [401] * 5
    assert statuses[5] == 429
    # Even the right password is refused while throttled, and the client is told when to retry.
    blocked = await client.post(
        "/api/auth/login", json={"email": user.email, "password": user.password}
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0


async def test_throttle_per_ip_covers_many_accounts(client: AsyncClient) -> None:
    for i in range(20):
        r = await client.post(
            "/api/auth/login", json={"email": unique_email(f"x{i}"), "password": "wrong-pw"}
        )
        assert r.status_code == 401
    r = await client.post("/api/auth/login", json={"email": unique_email(), "password": "wrong-pw"})
    assert r.status_code == 429


async def test_logout_revokes_the_token(client_factory) -> None:  # type: ignore[no-untyped-def]
    browser = client_factory()
    user = await register(browser)
    logout = await browser.post("/api/auth/logout", headers=csrf_headers(browser))
    assert logout.json() == {"success": True}
    assert (await browser.get("/api/auth/me")).status_code == 401
    # The same JWT used as a Bearer token is dead too: logout revoked the session.
    assert (await client_factory().get("/api/auth/me", headers=user.auth)).status_code == 401


async def test_cookie_requests_need_the_csrf_header(client: AsyncClient) -> None:
    await register(client)
    body = {"name": "Main number", "sandbox": True}
    no_header = await client.post("/api/whatsapp-accounts", json=body)
    assert no_header.status_code == 403
    assert "CSRF" in no_header.json()["error"]
    forged = await client.post("/api/whatsapp-accounts", json=body, headers={"X-CSRF-Token": "x"})
    assert forged.status_code == 403
    ok = await client.post("/api/whatsapp-accounts", json=body, headers=csrf_headers(client))
    assert ok.status_code == 201
    listed = await client.get("/api/whatsapp-accounts")
    assert [a["name"] for a in listed.json()] == ["Main number"]


async def test_tampered_or_foreign_tokens_are_rejected(client_factory) -> None:  # type: ignore[no-untyped-def]
    user = await register(client_factory())
    c = client_factory()
    head, payload, sig = user.token.split(".")
    tampered = f"{head}.{payload}.{sig[:-2]}xx"
    for token in (tampered, "garbage", "fin_notakey", ""):
        r = await c.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401, token
