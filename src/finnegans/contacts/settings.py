"""A workspace's contact settings: default phone country and the opt-out/opt-in keywords.

They live under `workspace.settings["contacts"]` (a JSON column that already exists), so a new
setting needs no migration. Missing values fall back to the defaults below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.db.models import Workspace
from finnegans.kit.errors import NotFound

# Whole messages that mean "stop messaging me" / "you may message me again" (compared folded:
# case and accents ignored, so "Baja", "BAJA" and "bája" are the same).
DEFAULT_OPT_OUT_KEYWORDS = (
    "STOP", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "QUIT", "BAJA", "DAR DE BAJA", "CANCELAR",
    "DETENER", "PARAR", "NO MAS", "DESUSCRIBIR", "SAIR", "PARE",
)  # fmt: skip
DEFAULT_OPT_IN_KEYWORDS = ("START", "UNSTOP", "SUBSCRIBE", "ALTA", "SUSCRIBIR", "VOLVER")


@dataclass(frozen=True)
class ContactSettings:
    default_country: str | None
    opt_out_keywords: tuple[str, ...]
    opt_in_keywords: tuple[str, ...]


def _stored(workspace: Workspace) -> dict[str, Any]:
    raw = (workspace.settings or {}).get("contacts")
    return raw if isinstance(raw, dict) else {}


def settings_of(workspace: Workspace) -> ContactSettings:
    stored = _stored(workspace)
    out_words = stored.get("opt_out_keywords")
    in_words = stored.get("opt_in_keywords")
    return ContactSettings(
        default_country=stored.get("default_country") or None,
        opt_out_keywords=tuple(out_words)
        if isinstance(out_words, list)
        else DEFAULT_OPT_OUT_KEYWORDS,
        opt_in_keywords=tuple(in_words) if isinstance(in_words, list) else DEFAULT_OPT_IN_KEYWORDS,
    )


async def workspace_of(session: AsyncSession, workspace_id: str) -> Workspace:
    # session.get uses the identity map: the webhook path pays for one SELECT per transaction.
    workspace = await session.get(Workspace, workspace_id)
    if workspace is None:
        raise NotFound("Workspace not found")
    return workspace


async def load_settings(session: AsyncSession, workspace_id: str) -> ContactSettings:
    return settings_of(await workspace_of(session, workspace_id))


async def save_settings(
    session: AsyncSession, workspace_id: str, settings: ContactSettings
) -> ContactSettings:
    workspace = await workspace_of(session, workspace_id)
    # A new dict, so SQLAlchemy sees the JSON column change.
    workspace.settings = {
        **(workspace.settings or {}),
        "contacts": {
            "default_country": settings.default_country,
            "opt_out_keywords": list(settings.opt_out_keywords),
            "opt_in_keywords": list(settings.opt_in_keywords),
        },
    }
    await session.flush()
    return settings
