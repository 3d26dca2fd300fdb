"""WhatsApp's "typing…" bubble for the customer while an agent types in the inbox.

Meta shows it through the mark-as-read call on the customer's last message (it also marks the
thread read, as answering it would) and hides it after 25 s or at the next message. Agents
start typing often, so one call per conversation every 20 s is plenty; the limit lives in the
`limits` storage (Redis when REDIS_URL is set) so several server processes share it.
The call runs in a background task: the socket's ack never waits on Meta, and a Graph failure
is logged, never raised into the socket.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from limits import RateLimitItemPerSecond
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from sqlalchemy import select

from finnegans.db.models import Message, WhatsAppAccount
from finnegans.kit.logging import get_logger
from finnegans.whatsapp.graph_factory import graph_client_for

if TYPE_CHECKING:
    from finnegans.context import AppContext

log = get_logger(__name__)

ONCE_PER_20_SECONDS = RateLimitItemPerSecond(1, 20)


class TypingIndicator:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        redis_url = ctx.settings.redis_url
        uri = f"async+{redis_url}" if redis_url else "async+memory://"
        options = {"implementation": "redispy"} if redis_url else {}  # coredis is not installed
        storage = storage_from_string(uri, **options)
        if not isinstance(storage, Storage):
            raise TypeError(f"{uri} is not an async storage")
        self._limiter = MovingWindowRateLimiter(storage)
        self._tasks: set[asyncio.Task[bool]] = set()

    def show_soon(self, workspace_id: str, contact_id: str) -> None:
        """Start showing the indicator in the background (returns at once)."""
        task = asyncio.get_running_loop().create_task(self.show(workspace_id, contact_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def show(self, workspace_id: str, contact_id: str) -> bool:
        """True when a Graph call was made; never raises."""
        try:
            if not await self._limiter.hit(ONCE_PER_20_SECONDS, "typing", workspace_id, contact_id):
                return False
            target = await self._last_inbound(workspace_id, contact_id)
            if target is None:
                return False  # nothing to show it on: the customer has not written yet
            wamid, account = target
            async with graph_client_for(self.ctx, account) as graph:
                await graph.mark_as_read(wamid, typing_indicator=True)
            return True
        except Exception:
            log.warning(
                "typing_indicator_failed",
                workspace_id=workspace_id,
                contact_id=contact_id,
                exc_info=True,
            )
            return False

    async def _last_inbound(
        self, workspace_id: str, contact_id: str
    ) -> tuple[str, WhatsAppAccount] | None:
        """The customer's last message with a wamid, and the number it was sent to."""
        # Imported here: the inbox imports this package to emit its events.
        from finnegans.inbox.outbox import account_for_contact

        async with self.ctx.db.unit_of_work(write=False) as session:
            row = (
                await session.execute(
                    select(Message.wamid, Message.whatsapp_account_id)
                    .where(
                        Message.workspace_id == workspace_id,
                        Message.contact_id == contact_id,
                        Message.direction == "inbound",
                        Message.wamid.is_not(None),
                    )
                    .order_by(Message.created_at.desc())
                    .limit(1)
                )
            ).first()
            if row is None or row.wamid is None:
                return None
            account = (
                await session.get(WhatsAppAccount, row.whatsapp_account_id)
                if row.whatsapp_account_id
                else None
            )
            if account is None or account.workspace_id != workspace_id:
                account = await account_for_contact(session, workspace_id, contact_id)
        return (row.wamid, account) if account is not None else None

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)
