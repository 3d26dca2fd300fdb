"""`finnegans serve | worker | migrate | seed | create-user | backup | restore | openapi`."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from finnegans.config import ConfigError, Settings, describe_validation_error, load_settings

app = typer.Typer(
    help="Finnegans: self-hostable WhatsApp chatbot platform.",
    no_args_is_help=True,
    add_completion=False,
)


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


def _settings_as_given() -> Settings:
    """Settings without development defaults: backup and restore must not invent secrets.json
    (a restore would then find DATA_DIR occupied, and a backup would hold keys nothing used)."""
    try:
        return Settings()
    except ValidationError as exc:
        typer.echo(f"Configuration error: {describe_validation_error(exc)}", err=True)
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (env HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (env PORT, default 8000).")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Server processes (PostgreSQL only).")] = 1,
    migrate: Annotated[bool, typer.Option(help="Apply pending migrations first.")] = True,
    reload: Annotated[bool, typer.Option(help="Reload on code changes (development).")] = False,
) -> None:
    """Serve the API, the webhook and the dashboard."""
    import uvicorn

    settings = _settings()
    if workers > 1 and settings.is_sqlite:
        typer.echo(
            "Refusing --workers > 1 on SQLite: one process must own the database file. "
            "Use PostgreSQL (DATABASE_URL=postgresql://...) to run several processes.",
            err=True,
        )
        raise typer.Exit(2)
    if migrate:
        from finnegans.db.migrate import upgrade

        upgrade(settings.migration_url)
    uvicorn.run(
        "finnegans.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        reload=reload,
        proxy_headers=True,
        log_level=settings.log_level.lower(),
        access_log=settings.log_level == "DEBUG",
    )


@app.command()
def worker(
    nice: Annotated[
        int,
        typer.Option(
            min=0,
            max=19,
            help="Lower this process's CPU priority by this much (0 keeps it), so on a shared "
            "machine `serve` acknowledges webhooks first and processing takes the spare CPU.",
        ),
    ] = 10,
) -> None:
    """Process stored webhook events in this process (run `serve` with EMBEDDED_WORKER=false).

    Several workers may run at once on PostgreSQL (rows are claimed with SKIP LOCKED). Sandbox
    numbers' media is downloaded by `serve`, where the in-process emulator lives.
    """
    from finnegans.jobs.standalone import run_worker

    if nice:
        os.nice(nice)
    settings = _settings()
    if settings.is_sqlite:
        typer.echo(
            "Note: on SQLite a separate worker shares the database file with `serve`; "
            "PostgreSQL is recommended for separate workers.",
            err=True,
        )
    asyncio.run(run_worker(settings))


@app.command()
def migrate(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
    down: Annotated[bool, typer.Option(help="Downgrade to REVISION instead.")] = False,
) -> None:
    """Apply database migrations (uses DIRECT_URL when set)."""
    from finnegans.db.migrate import downgrade, upgrade

    settings = _settings()
    (downgrade if down else upgrade)(settings.migration_url, revision)
    typer.echo(f"Database at {'revision ' + revision if down else 'the latest revision'}.")


@app.command()
def seed() -> None:
    """Create the demo workspace and its login (idempotent)."""
    from finnegans.seed import seed_demo

    settings = _settings()
    from finnegans.db.migrate import upgrade

    upgrade(settings.migration_url)
    result = asyncio.run(seed_demo(settings))
    typer.echo(
        f"Demo workspace ready: log in at {settings.public_url} with "
        f"{result.email} / {result.password}" + (" (created)" if result.created else "")
    )


@app.command("create-user")
def create_user(
    email: Annotated[str, typer.Option(prompt=True)],
    name: Annotated[str, typer.Option(prompt=True)],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    workspace: Annotated[str | None, typer.Option(help="Workspace name for a new owner.")] = None,
) -> None:
    """Create a user who owns a new workspace."""
    from finnegans.seed import create_owner

    settings = _settings()
    try:
        created = asyncio.run(
            create_owner(
                settings, email=email, name=name, password=password, workspace_name=workspace
            )
        )
    except ValueError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Created {created}.")


@app.command()
def emulator(
    port: Annotated[int, typer.Option(help="Port for the emulator's Graph API.")] = 8090,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    webhook_url: Annotated[
        str, typer.Option(help="Where to post webhooks.")
    ] = "http://127.0.0.1:8000/webhook",
    app_secret: Annotated[str, typer.Option(help="Signs the webhooks.")] = "emulator-app-secret",  # noqa: S107
    phone_number_id: Annotated[str, typer.Option()] = "106540352242922",
    access_token: Annotated[str, typer.Option()] = "emulator-token",  # noqa: S107
    waba_id: Annotated[str, typer.Option()] = "102290129340398",
    throughput: Annotated[int, typer.Option(help="Messages/s before 130429.")] = 80,
) -> None:
    """Run the WhatsApp Cloud API emulator as its own server (benchmarks, manual testing).

    Point a number at it with GRAPH_API_URL=http://HOST:PORT.
    """
    from finnegans.whatsapp.emulator import run

    run(
        port=port,
        host=host,
        webhook_url=webhook_url,
        app_secret=app_secret,
        phone_number_id=phone_number_id,
        access_token=access_token,
        waba_id=waba_id,
        throughput_mps=throughput,
    )


@app.command()
def backup(
    output: Annotated[
        Path | None,
        typer.Option(help="Archive to write (default: finnegans-backup-<UTC time>.tar.gz)."),
    ] = None,
    with_media: Annotated[bool, typer.Option(help="Also archive DATA_DIR/media.")] = False,
    pg_dump: Annotated[
        bool, typer.Option(help="PostgreSQL: run pg_dump (custom format) into --output.")
    ] = False,
) -> None:
    """Back up the database (SQLite: an online copy, safe while `serve` runs) and secrets.json.

    On PostgreSQL prints the pg_dump / pg_restore commands, or runs pg_dump with --pg-dump.
    """
    from finnegans.system import backup as backups

    settings = _settings_as_given()
    try:
        if settings.database_url and not settings.is_sqlite:
            target = output or Path(backups.default_archive_name().replace(".tar.gz", ".dump"))
            if not pg_dump:
                typer.echo(backups.postgres_instructions(target))
                return
            written = backups.run_pg_dump(settings.database_url, target)
            typer.echo(f"Wrote {written}. Keep ENCRYPTION_KEYS with it.")
            return
        db_path = backups.sqlite_file(settings.database_url, settings.data_dir)
        result = backups.backup_sqlite(
            db_path,
            settings.data_dir,
            output or Path(backups.default_archive_name()),
            with_media=with_media,
        )
    except (backups.BackupError, OSError) as exc:
        typer.echo(f"Backup failed: {exc}", err=True)
        raise typer.Exit(1) from None
    secrets = (
        "with secrets.json"
        if result.secrets
        else "no secrets.json (keep ENCRYPTION_KEYS and JWT_SECRET with it)"
    )
    typer.echo(
        f"Wrote {result.path}: database at migration {result.revision}, {secrets}, "
        f"{result.media_files} media files."
    )


@app.command()
def restore(
    archive: Annotated[Path, typer.Argument(help="A `finnegans backup` archive.")],
    force: Annotated[
        bool, typer.Option(help="Replace the database, secrets and media already in DATA_DIR.")
    ] = False,
) -> None:
    """Restore a SQLite backup into DATA_DIR (stop the server first)."""
    from finnegans.system import backup as backups

    settings = _settings_as_given()
    if settings.database_url and not settings.is_sqlite:
        typer.echo(
            "DATABASE_URL is PostgreSQL: restore its dump with pg_restore "
            '(pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" FILE.dump).',
            err=True,
        )
        raise typer.Exit(2)
    try:
        result = backups.restore_sqlite(
            archive,
            settings.data_dir,
            backups.sqlite_file(settings.database_url, settings.data_dir),
            force=force,
        )
    except (backups.BackupError, OSError) as exc:
        typer.echo(f"Restore failed: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"Restored {result.database} (migration {result.revision})"
        + (", secrets.json" if result.secrets else "")
        + f", {result.media_files} media files. Start the server: it applies newer migrations."
    )


@app.command()
def openapi() -> None:
    """Print the OpenAPI schema (used to generate the dashboard's API types)."""
    from finnegans.main import create_app

    os.environ.setdefault("LOG_LEVEL", "WARNING")
    schema = create_app(_settings()).openapi()
    sys.stdout.write(json.dumps(schema, indent=2, sort_keys=True) + "\n")


def main() -> None:
    app()
