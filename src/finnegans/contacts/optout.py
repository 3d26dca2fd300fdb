"""Opt-out and opt-in: keywords a customer sends, Meta's marketing-preference signal, agents.

Every change of a contact's opt-out state writes a row to `contact_opt_events` (the audit
trail: what changed it, with which keyword or signal, who, when). Nothing here commits; the
caller's transaction does.

Keywords are matched against the *whole* message, folded like flow triggers (case, accents and
surrounding punctuation ignored): "Baja", "BAJA!" and "bája" opt out, "quiero darme de baja
de la promo" does not (a bot or an agent handles that one).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.contacts.repository import ContactRepository
from finnegans.contacts.settings import load_settings
from finnegans.db.models import Contact
from finnegans.flows.matching import fold
from finnegans.kit.clock import utcnow
from finnegans.kit.logging import get_logger

log = get_logger(__name__)

OptAction = Literal["opt_out", "opt_in"]
OptSource = Literal["keyword", "meta_marketing_preference", "agent", "import", "api"]
_EDGE_PUNCT = " \t\n\r!¡?¿.,;:…\"'()[]{}*_~-"
# Keywords have at most 40 characters (ContactSettingsIn), so a longer message is never one:
# it skips the settings lookup on the webhook hot path.
_LONGEST_KEYWORD = 40


def _folded(text: str | None) -> str:
    return fold(text).strip(_EDGE_PUNCT)


def keyword_action(
    text: str | None, opt_out: tuple[str, ...], opt_in: tuple[str, ...]
) -> tuple[OptAction, str] | None:
    """("opt_out" | "opt_in", the keyword) when the whole message is one of the keywords."""
    said = _folded(text)
    if not said:
        return None
    for word in opt_out:
        if said == _folded(word):
            return "opt_out", word
    for word in opt_in:
        if said == _folded(word):
            return "opt_in", word
    return None


def set_opt_state(
    session: AsyncSession,
    contact: Contact,
    opted_out: bool,
    *,
    source: OptSource,
    detail: str | None = None,
    actor_user_id: str | None = None,
    at: datetime | None = None,
) -> bool:
    """Change the contact's opt-out state and audit it; False (and no audit row) if unchanged."""
    if contact.opted_out == opted_out:
        return False
    when = at or utcnow()
    contact.opted_out = opted_out
    contact.opted_out_at = when if opted_out else None
    ContactRepository(session).add_opt_event(
        contact, "opt_out" if opted_out else "opt_in", source, detail, actor_user_id, when
    )
    return True


async def apply_inbound_optout(session: AsyncSession, contact: Contact, text: str | None) -> bool:
    """Apply an inbound message's opt-out/opt-in keyword to its contact.

    Returns True when the whole message was one of the workspace's keywords (whether or not the
    state changed: a second "STOP" is still a STOP), so the caller can keep the bot from
    answering it. Call it once per newly stored inbound message, in the same transaction.
    """
    said = _folded(text)
    if not said or len(said) > _LONGEST_KEYWORD:
        return False
    settings = await load_settings(session, contact.workspace_id)
    found = keyword_action(said, settings.opt_out_keywords, settings.opt_in_keywords)
    if found is None:
        return False
    action, keyword = found
    changed = set_opt_state(session, contact, action == "opt_out", source="keyword",
                            detail=keyword)  # fmt: skip
    if changed:
        log.info("contact_opt_keyword", contact_id=contact.id, action=action, keyword=keyword)
    return True


async def apply_marketing_preference(
    session: AsyncSession,
    contact: Contact,
    value: str,
    *,
    detail: str | None = None,
    at: datetime | None = None,
) -> bool:
    """Meta's `user_preferences` signal for one contact: "stop" opts out, "resume" opts in.

    Returns True if the contact's state changed. Unknown values are logged and ignored.
    """
    folded = value.strip().lower()
    if folded not in ("stop", "resume"):
        log.info("marketing_preference_ignored", contact_id=contact.id, value=value[:32])
        return False
    note = f"{folded}: {detail}" if detail else folded
    return set_opt_state(session, contact, folded == "stop",
                         source="meta_marketing_preference", detail=note, at=at)  # fmt: skip


async def apply_user_preferences(
    session: AsyncSession, workspace_id: str, value: Mapping[str, Any]
) -> int:
    """A whole `user_preferences` webhook change value (`entry[].changes[].value`), for a number
    of this workspace. Marketing preferences of contacts we know are applied; contacts we have
    never seen are not created (there is nothing to stop sending them). Returns how many
    contacts changed.

    Shape: `{"contacts": [...], "user_preferences": [{"wa_id", "user_id"?, "category":
    "marketing_messages", "value": "stop"|"resume", "detail", "timestamp"}]}`.
    """
    repo = ContactRepository(session)
    changed = 0
    preferences = value.get("user_preferences")
    for item in preferences if isinstance(preferences, list) else []:
        if not isinstance(item, Mapping) or item.get("category") != "marketing_messages":
            continue
        wa_id, bsuid = item.get("wa_id"), item.get("user_id")
        contact = await repo.by_whatsapp_ids(
            workspace_id,
            wa_id if isinstance(wa_id, str) else None,
            bsuid if isinstance(bsuid, str) else None,
        )
        if contact is None or not isinstance(item.get("value"), str):
            continue
        at = _timestamp(item.get("timestamp"))
        detail = item.get("detail")
        if await apply_marketing_preference(
            session, contact, item["value"], detail=detail if isinstance(detail, str) else None,
            at=at,
        ):  # fmt: skip
            changed += 1
    return changed


def _timestamp(raw: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(raw), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
