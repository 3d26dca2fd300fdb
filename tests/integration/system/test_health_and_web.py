"""Health check, docs and the dashboard's client-side routing."""

from __future__ import annotations

from pathlib import Path

from asgi_lifespan import LifespanManager
from httpx import ASGITransport, AsyncClient

from finnegans import __version__
from finnegans.main import create_app
from finnegans.web import mount_dashboard
from tests.conftest import make_settings


async def test_health_reports_connected_database(client: AsyncClient) -> None:
    r = await client.get("/api/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["database"] == "connected"
    assert body["version"] == __version__
    assert isinstance(body["uptime"], float | int) and body["uptime"] >= 0


async def test_health_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    for url in (f"sqlite:///{tmp_path}/missing-dir/x.db", "postgresql://nobody@127.0.0.1:1/none"):
        app = create_app(make_settings(url, tmp_path))
        async with (
            LifespanManager(app),
            AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as c,
        ):
            r = await c.get("/api/health")
        assert r.status_code == 503, url
        assert r.json()["database"] == "disconnected"
        assert r.json()["status"] == "error"


async def test_openapi_docs_are_served(client: AsyncClient) -> None:
    assert (await client.get("/docs")).status_code == 200
    schema = (await client.get("/openapi.json")).json()
    assert "/api/auth/login" in schema["paths"] and "/api/health" in schema["paths"]


async def test_dashboard_routes_fall_back_to_index_html(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<html>dashboard</html>")
    (dist / "assets" / "app-123.js").write_text("console.log(1)")
    from fastapi import FastAPI

    app = FastAPI()
    mount_dashboard(app, dist)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as c:
        for path in ("/", "/settings/whatsapp", "/flows/abc", "/login"):
            r = await c.get(path)
            assert r.status_code == 200 and "dashboard" in r.text, path
        asset = await c.get("/assets/app-123.js")
        assert "immutable" in asset.headers["cache-control"]
        assert (await c.get("/../../etc/passwd")).text == "<html>dashboard</html>"
        assert (await c.get("/api/nope")).status_code == 404
        assert (await c.get("/webhook-x")).status_code == 404


async def test_responses_carry_a_request_id(client: AsyncClient) -> None:
    r = await client.get("/api/health", headers={"X-Request-ID": "abc123"})
    assert r.headers["x-request-id"] == "abc123"
    assert len((await client.get("/api/health")).headers["x-request-id"]) == 32
