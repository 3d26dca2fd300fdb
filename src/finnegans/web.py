"""Serve the built dashboard with client-side routing: unknown paths get index.html.

API, webhook, socket and docs routes are registered first, so they always take precedence.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from starlette.requests import Request
from starlette.responses import Response

WEB_DIST = Path(__file__).parent / "web_dist"
_RESERVED = ("api/", "webhook", "socket.io", "docs", "redoc", "openapi.json", "metrics")

_NOT_BUILT = """<!doctype html><html><body style="font-family:system-ui;padding:2rem">
<h1>Finnegans</h1><p>The dashboard has not been built. Run <code>make run</code>
(or <code>npm --prefix web ci && npm --prefix web run build</code>).</p>
<p>The API is up: <a href="/docs">/docs</a>.</p></body></html>"""


def mount_dashboard(app: FastAPI, dist: Path = WEB_DIST) -> None:
    root = dist.resolve()

    @app.api_route(
        "/api/{path:path}",
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
    )
    async def unknown_api(path: str) -> Response:
        return JSONResponse({"error": f"Unknown API route: /api/{path}"}, status_code=404)

    @app.get("/{path:path}", include_in_schema=False)
    async def dashboard(path: str, request: Request) -> Response:
        if path.startswith(_RESERVED):
            return JSONResponse({"error": "Not found"}, status_code=404)
        index = root / "index.html"
        if not index.is_file():
            return HTMLResponse(_NOT_BUILT, status_code=200)
        candidate = (root / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(root):
            # Hashed asset names never change content, so they may be cached for a year.
            cache = (
                "public, max-age=31536000, immutable" if path.startswith("assets/") else "no-cache"
            )
            return FileResponse(candidate, headers={"Cache-Control": cache})
        return FileResponse(index, headers={"Cache-Control": "no-cache"})
