"""Settings from the environment (pydantic-settings).

Secrets that a development install can invent (JWT_SECRET, ENCRYPTION_KEYS) are generated once
and kept in DATA_DIR/secrets.json so sessions and encrypted credentials survive restarts; in
production they must be given explicitly.
"""

from __future__ import annotations

import json
import secrets
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from cryptography.fernet import Fernet
from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class LogFormat(StrEnum):
    json = "json"
    console = "console"


class ConfigError(Exception):
    """Bad configuration: the message is one line that names the variable."""


def _normalise_database_url(url: str) -> str:
    """Accept the URLs people paste (postgres://, postgresql://, sqlite:///); pick our drivers."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("sqlite://") and not url.startswith("sqlite+aiosqlite://"):
        return "sqlite+aiosqlite://" + url[len("sqlite://") :]
    if url.startswith(("postgresql+psycopg://", "sqlite+aiosqlite://")):
        return url
    raise ValueError("must start with sqlite:/// or postgresql://")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    environment: Environment = Environment.development
    data_dir: Path = Path("./data")
    database_url: str = ""
    direct_url: str = ""
    jwt_secret: str = ""
    encryption_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)
    redis_url: str = ""
    public_url: str = "http://localhost:8000"
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    graph_api_url: str = "https://graph.facebook.com"
    graph_api_version: str = "v23.0"
    meta_webhook_verify_token: str = ""
    meta_app_secret: str = ""
    log_level: str = "INFO"
    log_format: LogFormat = LogFormat.console
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    session_ttl_hours: int = Field(default=24, ge=1, le=24 * 90)
    # false when `finnegans worker` processes run the background work instead of `serve`
    embedded_worker: bool = True
    # Flow HTTP nodes may not reach private, loopback or link-local addresses unless allowed.
    flow_http_allow_private: bool = False
    flow_session_timeout_hours: float = Field(default=24, gt=0, le=24 * 90)
    # After an agent's last message, give the conversation back to the bot once it has been
    # quiet this long (0: never; the agent resumes the bot by hand).
    inbox_return_to_bot_minutes: int = Field(default=0, ge=0, le=60 * 24 * 30)
    secure_cookies: bool | None = None
    # GET /metrics answers only with "Authorization: Bearer <metrics_token>"; empty: off.
    metrics_token: str = ""
    # Errors and traces to Sentry when set (sentry-sdk is imported only then).
    sentry_dsn: str = ""
    # Share of each number's send budget that broadcasts leave free for live conversations.
    broadcast_reserved_share: float = Field(default=0.1, ge=0, lt=1)
    # A recipient left `sending` by a dead process is resent only after this long without any
    # status webhook about it (Meta echoes the recipient id, so a sent message shows up).
    broadcast_sending_grace_seconds: float = Field(default=120, ge=0, le=24 * 3600)

    @field_validator("encryption_keys", "cors_origins", mode="before")
    @classmethod
    def _split_csv(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("log_level")
    @classmethod
    def _check_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @field_validator("database_url", "direct_url")
    @classmethod
    def _check_db_url(cls, value: str) -> str:
        return _normalise_database_url(value) if value else value

    @field_validator("encryption_keys")
    @classmethod
    def _check_keys(cls, value: list[str]) -> list[str]:
        for key in value:
            try:
                Fernet(key.encode())
            except ValueError as exc:
                raise ValueError("each key must be a url-safe base64 32-byte Fernet key") from exc
        return value

    @field_validator("public_url", "graph_api_url")
    @classmethod
    def _check_http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _production_requires_secrets(self) -> Settings:
        if self.environment is Environment.production:
            if not self.jwt_secret:
                raise ValueError("JWT_SECRET is required when ENVIRONMENT=production")
            if not self.encryption_keys:
                raise ValueError("ENCRYPTION_KEYS is required when ENVIRONMENT=production")
        if self.jwt_secret and len(self.jwt_secret) < 32:
            raise ValueError("JWT_SECRET must be at least 32 characters")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def migration_url(self) -> str:
        return self.direct_url or self.database_url

    @property
    def cookies_secure(self) -> bool:
        if self.secure_cookies is not None:
            return self.secure_cookies
        return self.public_url.startswith("https://")

    def complete(self) -> Settings:
        """Fill development defaults: the SQLite file and the persisted generated secrets."""
        if not self.database_url:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir / 'finnegans.db'}"
        if not self.jwt_secret or not self.encryption_keys:
            stored = _load_or_create_dev_secrets(self.data_dir)
            self.jwt_secret = self.jwt_secret or stored["jwt_secret"]
            self.encryption_keys = self.encryption_keys or [stored["encryption_key"]]
        return self


def _load_or_create_dev_secrets(data_dir: Path) -> dict[str, str]:
    path = data_dir / "secrets.json"
    if path.exists():
        loaded: dict[str, str] = json.loads(path.read_text())
        return loaded
    data_dir.mkdir(parents=True, exist_ok=True)
    created = {
        "jwt_secret": secrets.token_urlsafe(48),
        "encryption_key": Fernet.generate_key().decode(),
    }
    path.write_text(json.dumps(created))
    path.chmod(0o600)
    return created


def describe_validation_error(exc: ValidationError) -> str:
    """One line naming the variable: 'DATABASE_URL: must start with sqlite:/// or postgresql://'."""
    first = exc.errors()[0]
    name = "_".join(str(p) for p in first["loc"]).upper()
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{name}: {message}" if name else message


def load_settings() -> Settings:
    try:
        return Settings().complete()
    except ValidationError as exc:
        raise ConfigError(f"Configuration error: {describe_validation_error(exc)}") from None


@lru_cache
def get_settings() -> Settings:
    return load_settings()
