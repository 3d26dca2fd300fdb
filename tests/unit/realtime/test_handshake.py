"""Where a handshake's credentials come from, and which browser origins may open a socket."""

from __future__ import annotations

from pathlib import Path

from finnegans.realtime.auth import handshake_credentials
from finnegans.realtime.hub import _origin_check
from tests.conftest import make_settings


def test_auth_token_wins_over_header_and_cookie_is_read() -> None:
    environ = {
        "HTTP_AUTHORIZATION": "Bearer from-header",
        "HTTP_COOKIE": "other=1; finnegans_session=from-cookie; finnegans_csrf=x",
    }
    assert handshake_credentials(environ, {"token": "from-auth"}) == ("from-auth", "from-cookie")
    assert handshake_credentials(environ, None) == ("from-header", "from-cookie")
    assert handshake_credentials(environ, {"token": "  "}) == ("from-header", "from-cookie")
    assert handshake_credentials({}, {"token": 42}) == (None, None)
    assert handshake_credentials({"HTTP_AUTHORIZATION": "Basic abc"}, "junk") == (None, None)


def test_origins(tmp_path: Path) -> None:
    settings = make_settings(
        "sqlite:///:memory:",
        tmp_path,
        public_url="https://chat.example.com",
        cors_origins=["http://localhost:5173"],
    )
    check = _origin_check(settings)
    environ = {"HTTP_HOST": "10.0.0.5:8000", "wsgi.url_scheme": "http"}
    assert check(None, environ)  # not a browser
    assert check("https://chat.example.com", environ)
    assert check("http://localhost:5173", environ)
    assert check("http://10.0.0.5:8000", environ)  # same origin
    assert not check("https://evil.example", environ)
    assert not check("http://10.0.0.5:8001", environ)
