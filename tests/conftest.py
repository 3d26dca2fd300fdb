"""Shared fixtures: settings for a throwaway database, the app, and an HTTP client.

Integration tests run once per database backend: SQLite always, PostgreSQL when
TEST_POSTGRES_URL points at a server (`make test` starts one). With CI=true a missing
PostgreSQL is an error, never a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from asgi_lifespan import LifespanManager
from cryptography.fernet import Fernet
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from finnegans.config import Settings
from finnegans.db.migrate import upgrade
from finnegans.main import create_app

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
ENCRYPTION_KEY = Fernet.generate_key().decode()


def require_service(name: str, value: str | None) -> str:
    if value:
        return value
    if IN_CI:
        pytest.fail(f"{name} is not set: CI must run every backend (use `make test`)")
    pytest.skip(f"{name} not set; run `make test` to start PostgreSQL and Redis")


def make_settings(database_url: str, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "data_dir": data_dir,
        "jwt_secret": "test-secret-" + "x" * 40,
        "encryption_keys": [ENCRYPTION_KEY],
        "public_url": "http://testserver",
        "log_level": "WARNING",
        "redis_url": "",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values).complete()  # type: ignore[call-arg]


def _create_postgres_database(server_url: str) -> str:
    name = f"finnegans_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def _drop_postgres_database(server_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_server() -> str:
    return require_service("TEST_POSTGRES_URL", os.environ.get("TEST_POSTGRES_URL"))


@pytest.fixture(scope="session")
def redis_url() -> str:
    return require_service("TEST_REDIS_URL", os.environ.get("TEST_REDIS_URL"))


@pytest.fixture
def fresh_postgres_url(postgres_server: str) -> Iterator[str]:
    url = _create_postgres_database(postgres_server)
    yield url
    _drop_postgres_database(postgres_server, url)


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database shared by the tests of one backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        upgrade(Settings(_env_file=None, database_url=url).database_url)  # type: ignore[call-arg]
        yield url
        return
    server = require_service("TEST_POSTGRES_URL", os.environ.get("TEST_POSTGRES_URL"))
    url = _create_postgres_database(server)
    upgrade(Settings(_env_file=None, database_url=url).database_url)  # type: ignore[call-arg]
    yield url
    _drop_postgres_database(server, url)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    # Shutdown stops the workers; on a loaded CI machine that can take longer than the default 5 s.
    async with LifespanManager(application, startup_timeout=30, shutdown_timeout=30):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def client_factory(app: FastAPI) -> AsyncIterator[Any]:
    """Independent clients (separate cookie jars) on the same app."""
    clients: list[AsyncClient] = []

    def make() -> AsyncClient:
        c = AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver")
        clients.append(c)
        return c

    yield make
    for c in clients:
        await c.aclose()
