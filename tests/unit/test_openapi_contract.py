"""The dashboard's generated API types come from the server's real schema: keep them in step."""

from __future__ import annotations

import json
from pathlib import Path

from finnegans.main import create_app
from tests.conftest import make_settings

WEB = Path(__file__).resolve().parents[2] / "web"


def test_committed_openapi_json_matches_the_server(tmp_path: Path) -> None:
    schema = create_app(make_settings(f"sqlite:///{tmp_path}/x.db", tmp_path)).openapi()
    committed = json.loads((WEB / "openapi.json").read_text())
    assert committed == schema, "run `make openapi` and commit web/openapi.json + schema.d.ts"
    assert (WEB / "src/api/schema.d.ts").stat().st_mtime > 0


def test_errors_are_documented_as_400_error_objects(tmp_path: Path) -> None:
    schema = create_app(make_settings(f"sqlite:///{tmp_path}/x.db", tmp_path)).openapi()
    login = schema["paths"]["/api/auth/login"]["post"]["responses"]
    assert "422" not in login
    assert login["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
