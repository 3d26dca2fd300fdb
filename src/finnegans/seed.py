"""The demo workspace and user creation shared by `finnegans seed` and `create-user`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import EmailStr, TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.accounts.repository import AccountsRepository
from finnegans.accounts.security import hash_password
from finnegans.config import Settings
from finnegans.db.engine import create_engine
from finnegans.db.models import (
    Flow,
    FlowVersion,
    User,
    WhatsAppAccount,
    Workspace,
    WorkspaceMember,
)
from finnegans.db.session import Database
from finnegans.flows.definition import normalize_definition
from finnegans.kit.crypto import SecretBox
from finnegans.whatsapp.sandbox import sandbox_defaults

DEMO_EMAIL = "demo@finnegans.local"
DEMO_PASSWORD = "finnegans-demo"  # noqa: S105 - documented demo login, local only
DEMO_WORKSPACE = "Demo workspace"


@dataclass
class SeedResult:
    email: str
    password: str
    created: bool


async def seed_demo(settings: Settings) -> SeedResult:
    db = Database(create_engine(settings.database_url))
    try:
        async with db.unit_of_work() as session:
            repo = AccountsRepository(session)
            if await repo.user_by_email(DEMO_EMAIL) is not None:
                return SeedResult(DEMO_EMAIL, DEMO_PASSWORD, created=False)
            workspace_id = await _add_owner(
                session, DEMO_EMAIL, "Demo Owner", DEMO_PASSWORD, DEMO_WORKSPACE
            )
            session.add(_sandbox_number(settings, workspace_id))
            await _add_demo_flow(session, workspace_id)
        return SeedResult(DEMO_EMAIL, DEMO_PASSWORD, created=True)
    finally:
        await db.dispose()


async def create_owner(
    settings: Settings, *, email: str, name: str, password: str, workspace_name: str | None
) -> str:
    try:
        email = TypeAdapter(EmailStr).validate_python(email.strip()).lower()
    except ValidationError:
        raise ValueError(f"{email!r} is not a valid e-mail address") from None
    if len(password) < 8:
        raise ValueError("the password must have at least 8 characters")
    db = Database(create_engine(settings.database_url))
    try:
        async with db.unit_of_work() as session:
            if await AccountsRepository(session).user_by_email(email) is not None:
                raise ValueError(f"a user with e-mail {email} already exists")
            await _add_owner(
                session,
                email,
                name.strip() or email,
                password,
                workspace_name or f"{name}'s workspace",
            )
    finally:
        await db.dispose()
    return f"{email}, owner of a new workspace"


def _sandbox_number(settings: Settings, workspace_id: str) -> WhatsAppAccount:
    """The demo's WhatsApp number: wired to the built-in emulator, no Meta account needed."""
    box = SecretBox(settings.encryption_keys)
    values = sandbox_defaults()
    return WhatsAppAccount(
        workspace_id=workspace_id,
        name="Demo sandbox",
        sandbox=True,
        phone_number_id=values["phone_number_id"],
        waba_id=values["waba_id"],
        display_phone_number=values["display_phone_number"],
        verify_token=values["verify_token"],
        app_secret_encrypted=box.encrypt(values["app_secret"]),
        access_token_encrypted=box.encrypt(values["access_token"]),
    )


async def _add_owner(session: AsyncSession, email: str, name: str, password: str, ws: str) -> str:
    user = User(email=email, name=name, password_hash=hash_password(password))
    workspace = Workspace(name=ws)
    session.add_all([user, workspace])
    await session.flush()
    session.add(WorkspaceMember(workspace_id=workspace.id, user_id=user.id, role="owner"))
    return workspace.id


DEMO_FLOW = Path(__file__).resolve().parent / "flows" / "demo_flow.json"


async def _add_demo_flow(session: AsyncSession, workspace_id: str) -> None:
    """A published flow that shows off the node types; say "hola" in the phone simulator."""
    definition = normalize_definition(json.loads(DEMO_FLOW.read_text(encoding="utf-8")))
    flow = Flow(
        workspace_id=workspace_id,
        name="Demo: coffee shop",
        trigger="hola, hello, hi, menu",
        status="Active",
        definition=definition,
    )
    session.add(flow)
    await session.flush()
    version = FlowVersion(workspace_id=workspace_id, flow_id=flow.id, version=1,
                          definition=definition)  # fmt: skip
    session.add(version)
    await session.flush()
    flow.published_version_id = version.id
