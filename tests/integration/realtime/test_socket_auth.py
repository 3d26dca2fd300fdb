"""The Socket.IO handshake accepts exactly the REST API's credentials, checked against the DB."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from finnegans.accounts.security import SessionClaims, issue_session_token
from finnegans.config import Settings
from finnegans.kit.clock import utcnow
from finnegans.realtime import workspace_room
from tests.integration.realtime.socket_helpers import (
    LiveServer,
    Recorder,
    Refused,
    connect,
    live_server,
    new_workspace,
)

UNAUTHORIZED = {"message": "unauthorized"}  # what socket.io-client's connect_error carries


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[LiveServer]:
    async with live_server(settings) as server:
        yield server


async def _hears_its_workspace(live: LiveServer, recorder: Recorder, workspace_id: str) -> None:
    await live.ctx.realtime.emit_now("probe", {"n": 1}, room=workspace_room(workspace_id))
    assert await recorder.next("probe") == {"n": 1}


async def test_dashboard_cookie_connects_and_joins_the_workspace_room(live: LiveServer) -> None:
    user, cookie = await new_workspace(live)
    recorder = await connect(live.url, cookie=cookie)
    try:
        await _hears_its_workspace(live, recorder, user.workspace_id)
        session = await live.ctx.realtime.server.get_session(recorder.client.get_sid())
        assert session["workspace_id"] == user.workspace_id
        assert session["user_id"] == user.id
        assert session["role"] == "owner"
        assert session["name"] == "Ana Owner"
    finally:
        await recorder.close()


async def test_bearer_jwt_in_auth_or_header_connects(live: LiveServer) -> None:
    user, _ = await new_workspace(live)
    for recorder in (
        await connect(live.url, token=user.token),
        await connect(live.url, bearer_header=user.token),
    ):
        try:
            await _hears_its_workspace(live, recorder, user.workspace_id)
        finally:
            await recorder.close()


async def test_api_key_connects_as_an_admin_of_its_workspace(live: LiveServer) -> None:
    user, _ = await new_workspace(live)
    created = await live.http.post("/api/api-keys", json={"name": "bot"}, headers=user.auth)
    assert created.status_code == 201, created.text
    recorder = await connect(live.url, token=created.json()["key"])
    try:
        await _hears_its_workspace(live, recorder, user.workspace_id)
        session = await live.ctx.realtime.server.get_session(recorder.client.get_sid())
        assert (session["role"], session["via"], session["user_id"]) == ("admin", "api_key", None)
    finally:
        await recorder.close()
    keys = (await live.http.get("/api/api-keys", headers=user.auth)).json()
    assert keys[0]["lastUsedAt"] is not None  # the socket recorded the key's use


async def _refused(live: LiveServer, **credentials: str) -> object:
    with pytest.raises(Refused) as refused:
        await connect(live.url, **credentials)
    return refused.value.args[0]


async def test_handshakes_without_valid_credentials_are_refused(live: LiveServer) -> None:
    user, cookie = await new_workspace(live)
    secret = live.ctx.settings.jwt_secret
    expires = utcnow() + timedelta(hours=1)
    claims = SessionClaims(session_id="s-made-up", user_id=user.id, workspace_id=user.workspace_id)
    forged_secret = issue_session_token(claims, "another-secret-" + "y" * 40, expires)
    # Correctly signed, but no login session row behind it: the DB check refuses it.
    no_session_row = issue_session_token(claims, secret, expires)

    assert await _refused(live) == UNAUTHORIZED
    assert await _refused(live, token="not-a-jwt") == UNAUTHORIZED
    assert await _refused(live, token=forged_secret) == UNAUTHORIZED
    assert await _refused(live, token=no_session_row) == UNAUTHORIZED
    assert await _refused(live, cookie=forged_secret) == UNAUTHORIZED
    assert await _refused(live, token="fin_not-a-real-key") == UNAUTHORIZED

    # A logged-out session's cookie stops working for sockets as for HTTP.
    await live.http.post("/api/auth/logout", headers=user.auth)
    assert await _refused(live, cookie=cookie) == UNAUTHORIZED


async def test_origin_of_another_site_is_refused(live: LiveServer) -> None:
    """The cookie rides along with a cross-site handshake: the Origin check stops it."""
    _, cookie = await new_workspace(live)
    with pytest.raises(Refused):
        await connect(live.url, cookie=cookie, origin="https://evil.example")
    for allowed in (live.url, None):  # our own page; no Origin at all (a script)
        recorder = await connect(live.url, cookie=cookie, origin=allowed)
        await recorder.close()
