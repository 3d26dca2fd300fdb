"""`finnegans backup` / `finnegans restore`: one archive with everything a SQLite install needs.

The archive (`.tar.gz`) holds `manifest.json`, `finnegans.db` (an online, consistent copy made
with SQLite's backup API, so the server may keep running and writing), `secrets.json` when the
install keeps its generated secrets in DATA_DIR (without it the stored Meta secrets cannot be
decrypted) and, with `--with-media`, the `media/` folder.

PostgreSQL has its own tools: we print (or, with `--pg-dump`, run) `pg_dump` and say how to
`pg_restore`; the connection's password travels in `PGPASSWORD`, never on a command line that
`ps` shows to every user of the machine.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy.engine import make_url

from finnegans import __version__
from finnegans.db.migrate import alembic_config
from finnegans.kit.clock import utcnow

ARCHIVE_FORMAT = 1
MANIFEST = "manifest.json"
DATABASE = "finnegans.db"
SECRETS = "secrets.json"
MEDIA = "media"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is one line for the operator."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    revision: str
    secrets: bool
    media_files: int


@dataclass(frozen=True)
class RestoreResult:
    database: Path
    revision: str
    secrets: bool
    media_files: int


def sqlite_file(database_url: str, data_dir: Path) -> Path:
    """The SQLite file a DATABASE_URL names (no URL: the default file in DATA_DIR)."""
    if not database_url:
        return data_dir / DATABASE
    name = make_url(database_url).database
    if not name or name == ":memory:":
        raise BackupError("DATABASE_URL names no SQLite file to back up")
    return Path(name)


def default_archive_name() -> str:
    return f"finnegans-backup-{utcnow().strftime('%Y%m%dT%H%M%SZ')}.tar.gz"


# --- SQLite -------------------------------------------------------------------------------


def backup_sqlite(
    db_path: Path, data_dir: Path, output: Path, *, with_media: bool = False
) -> BackupResult:
    if not db_path.is_file():
        raise BackupError(f"no database at {db_path} (check DATA_DIR / DATABASE_URL)")
    output = output.resolve()
    if output.is_dir():  # `--output /backups`: a new archive in that folder
        output = output / default_archive_name()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".finnegans-backup-", dir=output.parent) as tmp:
        snapshot = Path(tmp) / DATABASE
        _online_copy(db_path, snapshot)
        revision = _check_database(snapshot)
        secrets = data_dir / SECRETS
        media = data_dir / MEDIA
        media_files = _count_files(media) if with_media and media.is_dir() else 0
        manifest = {
            "format": ARCHIVE_FORMAT,
            "finnegans_version": __version__,
            "created_at": utcnow().isoformat(),
            "alembic_revision": revision,
            "secrets": secrets.is_file(),
            "media_files": media_files,
        }
        # Written next to the target and renamed at the end: a failed backup leaves no archive
        # that looks complete. 0600: it may hold the keys that decrypt the Meta secrets.
        partial = Path(tmp) / "archive.partial"
        with tarfile.open(partial, "w:gz") as tar:
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2).encode())
            tar.add(snapshot, DATABASE)
            if secrets.is_file():
                tar.add(secrets, SECRETS)
            if media_files:
                tar.add(media, MEDIA)
        partial.chmod(0o600)
        os.replace(partial, output)
    return BackupResult(output, revision, secrets.is_file(), media_files)


def _online_copy(source: Path, target: Path) -> None:
    """SQLite's backup API in one step: one read transaction, so a consistent snapshot even
    while the server writes (WAL readers do not block writers, nor writers readers)."""
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        # A single self-contained file in the archive; the server turns WAL back on at start.
        dst.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise BackupError(f"could not copy {source}: {exc}") from None
    finally:
        dst.close()
        src.close()


def _check_database(path: Path) -> str:
    """Integrity-check a database file and return its migration revision."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()
            if not verdict or verdict[0] != "ok":
                raise BackupError(f"the database fails SQLite's integrity check: {verdict}")
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise BackupError(f"not a Finnegans database: {exc}") from None
    if not row:
        raise BackupError("the database has no migration revision (never migrated?)")
    return str(row[0])


def _count_files(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file())


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(utcnow().timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def restore_sqlite(
    archive: Path, data_dir: Path, db_path: Path, *, force: bool = False
) -> RestoreResult:
    """Unpack a backup into DATA_DIR; the server must be stopped."""
    manifest = _read_manifest(archive)
    occupied = _occupied(data_dir, db_path)
    if occupied and not force:
        raise BackupError(
            f"{occupied} already exists: restore into an empty DATA_DIR, or pass --force to "
            "replace its database, secrets and media (stop the server first)"
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    # Unpacked and checked inside DATA_DIR first, so a broken archive replaces nothing and the
    # final moves are renames on one file system.
    with tempfile.TemporaryDirectory(prefix=".finnegans-restore-", dir=data_dir) as tmp:
        staging = Path(tmp)
        with tarfile.open(archive, "r:gz") as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(staging, filter="data")
            else:  # Python < 3.11.4; _read_manifest already allowed only plain files and folders
                tar.extractall(staging)  # noqa: S202
        revision = _check_database(staging / DATABASE)
        if revision != manifest["alembic_revision"]:
            raise BackupError("the archive's database does not match its manifest")
        _check_known_revision(revision)
        for suffix in ("-wal", "-shm", "-journal"):
            # A stale write-ahead log next to the restored file would be replayed into it.
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        os.replace(staging / DATABASE, db_path)
        has_secrets = (staging / SECRETS).is_file()
        if has_secrets:
            os.replace(staging / SECRETS, data_dir / SECRETS)
            (data_dir / SECRETS).chmod(0o600)
        media_files = 0
        if (staging / MEDIA).is_dir():
            media_files = _count_files(staging / MEDIA)
            shutil.rmtree(data_dir / MEDIA, ignore_errors=True)
            os.replace(staging / MEDIA, data_dir / MEDIA)
    return RestoreResult(db_path, revision, has_secrets, media_files)


def _read_manifest(archive: Path) -> dict[str, Any]:
    """Check the archive before touching DATA_DIR: a readable tar.gz with our manifest, a
    database, and nothing but plain files and folders under the names we write."""
    if not archive.is_file():
        raise BackupError(f"no archive at {archive}")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()
            for member in members:
                if not _allowed_member(member):
                    raise BackupError(f"not a Finnegans backup: unexpected entry {member.name!r}")
            names = {m.name for m in members}
            if MANIFEST not in names or DATABASE not in names:
                raise BackupError("not a Finnegans backup: no manifest.json or finnegans.db")
            extracted = tar.extractfile(MANIFEST)
            manifest: dict[str, Any] = json.loads(extracted.read() if extracted else b"")
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise BackupError(f"not a readable backup archive: {exc}") from None
    if not isinstance(manifest, dict):
        raise BackupError("not a Finnegans backup: manifest.json is not an object")
    if manifest.get("format") != ARCHIVE_FORMAT or "alembic_revision" not in manifest:
        raise BackupError(f"unsupported backup format {manifest.get('format')!r}")
    return manifest


def _allowed_member(member: tarfile.TarInfo) -> bool:
    path = Path(member.name)
    if path.is_absolute() or ".." in path.parts:
        return False
    if member.name in (MANIFEST, DATABASE, SECRETS):
        return member.isfile()
    return path.parts[0] == MEDIA and (member.isfile() or member.isdir())


def _occupied(data_dir: Path, db_path: Path) -> str | None:
    if db_path.exists():
        return str(db_path)
    if data_dir.is_dir() and any(data_dir.iterdir()):
        return f"DATA_DIR {data_dir}"
    return None


def _check_known_revision(revision: str) -> None:
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    try:
        scripts.get_revision(revision)
    except CommandError:
        raise BackupError(
            f"the backup is at migration {revision}, which this version of Finnegans does not "
            "know: install the version that made it (or a newer one)"
        ) from None


# --- PostgreSQL ---------------------------------------------------------------------------


def pg_environment(database_url: str) -> dict[str, str]:
    """libpq variables for a DATABASE_URL, so pg_dump needs no password on its command line."""
    url = make_url(database_url)
    values = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
    }
    return {key: str(value) for key, value in values.items() if value}


def pg_dump_command(output: Path) -> list[str]:
    """pg_dump's arguments; the connection comes from the PG* variables (`pg_environment`)."""
    return ["pg_dump", "--format=custom", "--no-owner", f"--file={output}"]


def postgres_instructions(output: Path) -> str:
    """What to run by hand on PostgreSQL (DATABASE_URL as the operator wrote it: postgresql://)."""
    return (
        "PostgreSQL: back up with pg_dump and restore with pg_restore (keep ENCRYPTION_KEYS "
        "with the dump: without them the stored Meta secrets cannot be decrypted):\n"
        f'  pg_dump --format=custom --no-owner --file={output} "$DATABASE_URL"\n'
        f'  pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" {output}\n'
        'Media files are in DATA_DIR/media: tar czf media.tgz -C "$DATA_DIR" media\n'
        "Or run `finnegans backup --pg-dump` to have this command run pg_dump for you."
    )


def run_pg_dump(database_url: str, output: Path) -> Path:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError("pg_dump is not on PATH (apt-get install postgresql-client)")
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    command = [pg_dump, *pg_dump_command(output)[1:]]
    env = {**os.environ, **pg_environment(database_url)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        output.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {done.stderr.strip().splitlines()[-1:]}")
    output.chmod(0o600)
    return output
