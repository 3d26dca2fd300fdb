"""Find the WhatsApp account (and its app secret) a webhook body is for, with a short cache.

The webhook is the hottest path in the product, so the lookup by phone_number_id / WABA id is
cached for a few seconds; an account change clears the cache (see `invalidate`).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from finnegans.accounts.security import constant_time_equal
from finnegans.db.models import WhatsAppAccount
from finnegans.db.session import Database
from finnegans.kit.crypto import SecretBox

CACHE_SECONDS = 5.0


@dataclass(frozen=True)
class AccountRoute:
    account_id: str
    workspace_id: str
    phone_number_id: str | None
    waba_id: str | None
    app_secret: str | None
    verify_token: str | None


def routing_ids(body: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(phone_number_ids, waba_ids) named in a webhook body, without trusting its shape."""
    phone_ids: set[str] = set()
    waba_ids: set[str] = set()
    entries = body.get("entry")
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        if isinstance(entry.get("id"), str | int):
            waba_ids.add(str(entry["id"]))
        changes = entry.get("changes")
        for change in changes if isinstance(changes, list) else []:
            value = change.get("value") if isinstance(change, dict) else None
            metadata = value.get("metadata") if isinstance(value, dict) else None
            if isinstance(metadata, dict) and isinstance(
                metadata.get("phone_number_id"), str | int
            ):
                phone_ids.add(str(metadata["phone_number_id"]))
    return phone_ids, waba_ids


class AccountDirectory:
    def __init__(self, db: Database, secrets: SecretBox) -> None:
        self.db = db
        self.secrets = secrets
        self._routes: list[AccountRoute] = []
        self._loaded_at = -1e9
        self._generation = 0
        self._loading: asyncio.Future[list[AccountRoute]] | None = None

    def invalidate(self) -> None:
        self._generation += 1
        self._loaded_at = -1e9
        self._loading = None  # a load already running may predate the change: do not join it

    async def _all(self, *, refresh_if_older_than: float = CACHE_SECONDS) -> list[AccountRoute]:
        if time.monotonic() - self._loaded_at < refresh_if_older_than:
            return self._routes
        # When the cache expires under load, every webhook arriving during the reload would
        # start its own: share one load instead.
        if self._loading is None:
            loading = asyncio.ensure_future(self._load())
            self._loading = loading
            loading.add_done_callback(lambda _: self._forget_load(loading))
        return await asyncio.shield(self._loading)

    def _forget_load(self, loading: asyncio.Future[list[AccountRoute]]) -> None:
        if self._loading is loading:
            self._loading = None
        if not loading.cancelled():
            loading.exception()  # mark a failure as seen: its waiters have re-raised it already

    async def _load(self) -> list[AccountRoute]:
        generation = self._generation
        async with self.db.unit_of_work(write=False) as session:
            rows = (await session.execute(select(WhatsAppAccount))).scalars().all()
            self._routes = [
                AccountRoute(
                    account_id=row.id,
                    workspace_id=row.workspace_id,
                    phone_number_id=row.phone_number_id,
                    waba_id=row.waba_id,
                    app_secret=self._decrypt(row.app_secret_encrypted),
                    verify_token=row.verify_token,
                )
                for row in rows
            ]
        # A load that raced with an invalidation may hold stale rows: use it, but not as fresh.
        if generation == self._generation:
            self._loaded_at = time.monotonic()
        return self._routes

    def _decrypt(self, ciphertext: str | None) -> str | None:
        if not ciphertext:
            return None
        try:
            return self.secrets.decrypt(ciphertext)
        except ValueError:
            return None  # a key was rotated away; the account needs its secret re-entered

    async def for_body(self, body: dict[str, Any]) -> list[AccountRoute]:
        """Accounts a body is for: by phone_number_id, or by WABA id for fields without metadata."""
        phone_ids, waba_ids = routing_ids(body)
        found = self._match(await self._all(), phone_ids, waba_ids)
        if not found:
            # A number connected a moment ago must not wait for the cache to expire.
            found = self._match(await self._all(refresh_if_older_than=0.2), phone_ids, waba_ids)
        return found

    @staticmethod
    def _match(
        routes: list[AccountRoute], phone_ids: set[str], waba_ids: set[str]
    ) -> list[AccountRoute]:
        if phone_ids:
            return [r for r in routes if r.phone_number_id in phone_ids]
        return [r for r in routes if r.waba_id and r.waba_id in waba_ids]

    async def by_phone_number_id(self, phone_number_id: str) -> AccountRoute | None:
        for route in await self._all():
            if route.phone_number_id == phone_number_id:
                return route
        return None

    async def by_waba_id(self, waba_id: str) -> list[AccountRoute]:
        return [r for r in await self._all() if r.waba_id == waba_id]

    async def verify_token_matches(self, token: str) -> bool:
        routes = await self._all(refresh_if_older_than=0.2)
        return any(constant_time_equal(r.verify_token, token) for r in routes if r.verify_token)
