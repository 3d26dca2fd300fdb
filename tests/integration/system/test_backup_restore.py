"""`finnegans backup` while the server writes, `finnegans restore` into a fresh DATA_DIR, and the
restored install serving the same data (logins and stored Meta secrets included)."""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import sqlite3
import sys
import tarfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from asgi_lifespan import LifespanManager
from httpx import ASGITransport, AsyncClient

from finnegans.config import Settings
from finnegans.db.migrate import upgrade
from finnegans.main import create_app
from tests.conftest import make_settings
from tests.helpers import register

TOKEN = "EAAG-access-token-abcdefghijklmnop-9876"


def _settings(data_dir: Path) -> Settings:
    """Like a development install: no keys given, so they are generated into secrets.json."""
    return make_settings(
        f"sqlite:///{data_dir / 'finnegans.db'}", data_dir, jwt_secret="", encryption_keys=[]
    )


@asynccontextmanager
async def _running(settings: Settings) -> AsyncIterator[AsyncClient]:
    app = create_app(settings)
    async with (
        LifespanManager(app, startup_timeout=30, shutdown_timeout=30),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as client,
    ):
        yield client


async def _cli(
    cwd: Path, data_dir: Path, *args: str, database_url: str | None = None
) -> tuple[int, str]:
    """Run `finnegans ARGS` as an operator would: its own process, configured by environment."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "JWT_SECRET"}}
    env.update({"DATA_DIR": str(data_dir), "ENVIRONMENT": "test", "ENCRYPTION_KEYS": ""})
    env["LOG_LEVEL"] = "ERROR"
    if database_url:
        env["DATABASE_URL"] = database_url
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "finnegans",
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode()


async def _count(client: AsyncClient, auth: dict[str, str]) -> int:
    r = await client.get("/api/contacts/count", headers=auth)
    assert r.status_code == 200, r.text
    count: int = r.json()["count"]
    return count


async def test_backup_while_writing_then_restore_and_serve(tmp_path: Path) -> None:
    source_dir, restored_dir = tmp_path / "data", tmp_path / "restored"
    settings = _settings(source_dir)
    upgrade(settings.database_url)
    (source_dir / "media" / "ws").mkdir(parents=True)
    (source_dir / "media" / "ws" / "photo.jpg").write_bytes(b"\xff\xd8 a picture")
    archive = tmp_path / "backups" / "nightly.tar.gz"

    async with _running(settings) as client:
        owner = await register(client)
        number = await client.post(
            "/api/whatsapp-accounts",
            headers=owner.auth,
            json={"name": "Sales", "phoneNumberId": "106540352242922", "accessToken": TOKEN},
        )
        assert number.status_code == 201, number.text
        first = await client.post(
            "/api/contacts", headers=owner.auth, json={"phone": "+34600000000", "name": "Ana"}
        )
        assert first.status_code == 201, first.text

        written = 0
        stop = asyncio.Event()

        async def write_loop() -> None:
            nonlocal written
            while not stop.is_set():
                r = await client.post(
                    "/api/contacts",
                    headers=owner.auth,
                    json={"phone": f"+3461{written:07d}", "name": f"Loop {written}"},
                )
                assert r.status_code == 201, r.text
                written += 1

        writer = asyncio.create_task(write_loop())
        while written < 5:
            await asyncio.sleep(0.01)
        during_start = written
        code, out = await _cli(
            tmp_path, source_dir, "backup", "--output", str(archive), "--with-media"
        )
        during_end = written
        stop.set()
        await writer
        assert code == 0, out
        assert "with secrets.json" in out and "1 media files" in out
        assert during_end > during_start, "the server kept writing while the backup ran"
        total = await _count(client, owner.auth)

    assert archive.stat().st_mode & 0o077 == 0  # it holds the encryption key: owner only

    code, out = await _cli(tmp_path, restored_dir, "restore", str(archive))
    assert code == 0, out
    assert (restored_dir / "media" / "ws" / "photo.jpg").read_bytes() == b"\xff\xd8 a picture"

    async with _running(_settings(restored_dir)) as client:
        # The login token still works: JWT_SECRET came back in secrets.json.
        restored = await _count(client, owner.auth)
        # A consistent snapshot: the first contact, the loop's first writes, nothing past the end.
        assert 1 + during_start <= restored <= total
        listed = await client.get("/api/contacts", headers=owner.auth, params={"q": "Ana"})
        assert [c["name"] for c in listed.json()["contacts"]] == ["Ana"]
        account = await client.get(
            f"/api/whatsapp-accounts/{number.json()['id']}", headers=owner.auth
        )
        assert account.status_code == 200, account.text
        # The masked value is computed by decrypting: the encryption key travelled too.
        assert account.json()["accessToken"].endswith(TOKEN[-4:])
        assert account.json()["hasAccessToken"] is True


async def test_restore_refuses_an_occupied_data_dir_unless_forced(tmp_path: Path) -> None:
    source_dir, target_dir = tmp_path / "data", tmp_path / "target"
    upgrade(_settings(source_dir).database_url)
    archive = tmp_path / "b.tar.gz"
    code, out = await _cli(tmp_path, source_dir, "backup", "--output", str(archive))
    assert code == 0, out

    target_dir.mkdir()
    (target_dir / "finnegans.db").write_bytes(b"the live database")
    (target_dir / "finnegans.db-wal").write_bytes(b"its write-ahead log")
    code, out = await _cli(tmp_path, target_dir, "restore", str(archive))
    assert code == 1 and "already exists" in out and "--force" in out
    assert (target_dir / "finnegans.db").read_bytes() == b"the live database"

    code, out = await _cli(tmp_path, target_dir, "restore", str(archive), "--force")
    assert code == 0, out
    assert not (target_dir / "finnegans.db-wal").exists()  # a stale log would be replayed
    conn = sqlite3.connect(target_dir / "finnegans.db")
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


def _tar(path: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"notes.txt": b"hello"}, "unexpected entry"),
        ({"manifest.json": b"{}", "finnegans.db": b"x", "../evil": b"x"}, "unexpected entry"),
        ({"manifest.json": b"{}", "finnegans.db": b"x"}, "unsupported backup format"),
        ({"manifest.json": b"[1]", "finnegans.db": b"x"}, "manifest.json is not an object"),
        ({"manifest.json": b"\xff", "finnegans.db": b"x"}, "not a readable backup archive"),
        (
            {
                "manifest.json": json.dumps({"format": 1, "alembic_revision": "0006"}).encode(),
                "finnegans.db": b"not a database",
            },
            "not a Finnegans database",
        ),
    ],
)
async def test_restore_checks_the_archive_and_leaves_data_dir_alone(
    tmp_path: Path, files: dict[str, bytes], message: str
) -> None:
    archive = _tar(tmp_path / "bad.tar.gz", files)
    target = tmp_path / "target"
    code, out = await _cli(tmp_path, target, "restore", str(archive))
    assert code == 1 and message in out, out
    assert not (target / "finnegans.db").exists()
    assert not (tmp_path / "evil").exists()


async def test_backup_into_a_folder_names_the_archive_and_a_missing_database_is_an_error(
    tmp_path: Path,
) -> None:
    source_dir, folder = tmp_path / "data", tmp_path / "backups"
    folder.mkdir()
    code, out = await _cli(tmp_path, source_dir, "backup", "--output", str(folder))
    assert code == 1 and "no database at" in out  # nothing migrated yet
    assert list(folder.iterdir()) == []
    upgrade(_settings(source_dir).database_url)
    code, out = await _cli(tmp_path, source_dir, "backup", "--output", str(folder))
    assert code == 0, out
    (archive,) = folder.iterdir()
    assert re.fullmatch(r"finnegans-backup-\d{8}T\d{6}Z\.tar\.gz", archive.name)


async def test_restore_refuses_a_backup_from_a_newer_version(tmp_path: Path) -> None:
    source_dir = tmp_path / "data"
    upgrade(_settings(source_dir).database_url)
    conn = sqlite3.connect(source_dir / "finnegans.db")
    conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.commit()
    conn.close()
    archive = tmp_path / "future.tar.gz"
    assert (await _cli(tmp_path, source_dir, "backup", "--output", str(archive)))[0] == 0
    code, out = await _cli(tmp_path, tmp_path / "target", "restore", str(archive))
    assert code == 1 and "9999_future" in out and "does not know" in out


async def test_postgres_backup_prints_the_commands_or_runs_pg_dump(
    fresh_postgres_url: str, tmp_path: Path
) -> None:
    upgrade(Settings(_env_file=None, database_url=fresh_postgres_url).database_url)  # type: ignore[call-arg]
    data = tmp_path / "data"
    code, out = await _cli(tmp_path, data, "backup", database_url=fresh_postgres_url)
    assert code == 0, out
    assert "pg_dump --format=custom --no-owner" in out and "pg_restore --clean --if-exists" in out
    assert "ENCRYPTION_KEYS" in out

    dump = tmp_path / "pg.dump"
    args = ("backup", "--pg-dump", "--output", str(dump))
    code, out = await _cli(tmp_path, data, *args, database_url=fresh_postgres_url)
    assert code == 0, out
    listing = await asyncio.create_subprocess_exec(
        "pg_restore", "--list", str(dump), stdout=asyncio.subprocess.PIPE
    )
    tables, _ = await listing.communicate()
    assert listing.returncode == 0
    assert b"TABLE public contacts" in tables and b"TABLE DATA public alembic_version" in tables

    code, out = await _cli(tmp_path, data, "restore", str(dump), database_url=fresh_postgres_url)
    assert code == 2 and "pg_restore" in out
