"""Configuration: defaults, normalisation, and one clear line for every bad value."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from finnegans.config import ConfigError, Settings, load_settings
from finnegans.db.base import UTCDateTime
from finnegans.kit.crypto import SecretBox, is_masked, mask


def _env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **values: str) -> None:
    for key in list(os.environ):
        if key in {"DATABASE_URL", "JWT_SECRET", "ENCRYPTION_KEYS", "ENVIRONMENT", "REDIS_URL"}:
            monkeypatch.delenv(key)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    for key, value in values.items():
        monkeypatch.setenv(key, value)


def test_development_defaults_persist_generated_secrets(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _env(monkeypatch, tmp_path)
    first = load_settings()
    assert first.database_url == f"sqlite+aiosqlite:///{tmp_path / 'finnegans.db'}"
    assert len(first.jwt_secret) >= 32 and first.encryption_keys
    again = load_settings()
    assert (again.jwt_secret, again.encryption_keys) == (first.jwt_secret, first.encryption_keys)
    assert oct((tmp_path / "secrets.json").stat().st_mode)[-3:] == "600"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("DATABASE_URL", "mysql://x", "DATABASE_URL: must start with sqlite:/// or postgresql://"),
        ("PORT", "eighty", "PORT:"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL: must be one of"),
        ("LOG_FORMAT", "xml", "LOG_FORMAT:"),
        ("ENCRYPTION_KEYS", "not-a-key", "ENCRYPTION_KEYS: each key must be"),
        ("PUBLIC_URL", "example.com", "PUBLIC_URL: must start with http"),
        ("JWT_SECRET", "short", "JWT_SECRET must be at least 32 characters"),
    ],
)
def test_bad_values_fail_with_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str, value: str, expected: str
) -> None:
    _env(monkeypatch, tmp_path, **{variable: value})
    with pytest.raises(ConfigError) as err:
        load_settings()
    message = str(err.value)
    assert "\n" not in message
    assert expected in message


def test_production_requires_explicit_secrets(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _env(monkeypatch, tmp_path, ENVIRONMENT="production")
    with pytest.raises(ConfigError, match="JWT_SECRET is required"):
        load_settings()
    _env(monkeypatch, tmp_path, ENVIRONMENT="production", JWT_SECRET="s" * 40)
    with pytest.raises(ConfigError, match="ENCRYPTION_KEYS is required"):
        load_settings()
    _env(
        monkeypatch,
        tmp_path,
        ENVIRONMENT="production",
        JWT_SECRET="s" * 40,
        ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )
    assert load_settings().environment.value == "production"
    assert not (tmp_path / "secrets.json").exists()


def test_database_urls_are_normalised() -> None:
    pg = Settings(_env_file=None, database_url="postgres://u:p@h/db")  # type: ignore[call-arg]
    assert pg.database_url == "postgresql+psycopg://u:p@h/db" and not pg.is_sqlite
    direct = Settings(_env_file=None, database_url="sqlite:///a.db", direct_url="postgresql://x/y")  # type: ignore[call-arg]
    assert direct.migration_url == "postgresql+psycopg://x/y"


def test_cli_reports_bad_config_in_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": "oracle://x", "DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "finnegans", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Configuration error: DATABASE_URL: must start with sqlite:/// or postgresql://"
    )


def test_serve_refuses_several_workers_on_sqlite(tmp_path: Path) -> None:
    env = {**os.environ, "DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "finnegans", "serve", "--workers", "2"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Refusing --workers > 1 on SQLite" in result.stderr


def test_utc_column_refuses_naive_and_converts_offsets() -> None:
    column = UTCDateTime()
    with pytest.raises(ValueError, match="naive"):
        column.process_bind_param(datetime(2026, 1, 1), None)  # type: ignore[arg-type]  # noqa: DTZ001
    plus3 = datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=3)))
    stored = column.process_bind_param(plus3, None)  # type: ignore[arg-type]
    assert stored == datetime(2026, 1, 1, 9)  # noqa: DTZ001 - what SQLite stores
    back = column.process_result_value(stored, None)  # type: ignore[arg-type]
    assert back == plus3 and back is not None and back.utcoffset() == timedelta(0)


def test_secrets_round_trip_rotate_and_mask() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    ciphertext = SecretBox([old]).encrypt("EAAG-token-1234")
    rotated_box = SecretBox([new, old])
    assert rotated_box.decrypt(ciphertext) == "EAAG-token-1234"
    assert SecretBox([new]).decrypt(rotated_box.rotate(ciphertext)) == "EAAG-token-1234"
    with pytest.raises(ValueError, match="ENCRYPTION_KEYS"):
        SecretBox([new]).decrypt(ciphertext)
    assert mask("EAAG-token-1234") == "••••••1234" and is_masked(mask("EAAG-token-1234"))
    assert mask("short") == "••••••" and mask("") == "" and mask(None) == ""
