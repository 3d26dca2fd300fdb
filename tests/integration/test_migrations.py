"""Migrations run up, down and up again on both databases, and match the models exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from finnegans.config import Settings
from finnegans.db.base import Base
from finnegans.db.migrate import downgrade, upgrade
from finnegans.db.migration_only import include_object


def _sync_url(url: str) -> str:
    return url.replace("+aiosqlite", "").replace("+psycopg", "+psycopg")


def _diff(url: str) -> list[object]:
    engine = create_engine(_sync_url(url))
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": include_object}
            ),
            Base.metadata,
        )
    engine.dispose()
    return list(diff)


def _tables(url: str) -> set[str]:
    engine = create_engine(_sync_url(url))
    names = set(inspect(engine).get_table_names()) - {"alembic_version"}
    engine.dispose()
    return names


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_upgrade_downgrade_upgrade_and_models_match(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        raw = f"sqlite:///{tmp_path / 'mig.db'}"
    else:
        raw = request.getfixturevalue("fresh_postgres_url")
    url = Settings(_env_file=None, database_url=raw).database_url  # type: ignore[call-arg]

    upgrade(url)
    assert _tables(url) == set(Base.metadata.tables)
    downgrade(url, "base")
    assert _tables(url) == set()
    upgrade(url)
    assert _diff(url) == [], "models and migrations disagree: write a migration"
