"""Sandbox numbers: the built-in emulator, in-process, behind the same Graph client as Meta.

A sandbox account's sends go through the real GraphClient to the emulator's Graph app (over an
ASGI transport, no network), and the emulator's webhooks come back through the real /webhook
endpoint, signed with the account's app secret. So the demo exercises the production path.
"""

from __future__ import annotations

import secrets
from typing import Any

import httpx

from finnegans.db.models import WhatsAppAccount
from finnegans.kit.crypto import SecretBox
from finnegans.whatsapp.emulator import Emulator

EMULATOR_BASE_URL = "http://graph.emulator"


def sandbox_defaults() -> dict[str, Any]:
    """Identifiers and secrets for a new sandbox number (it never talks to Meta)."""
    digits = "".join(secrets.choice("0123456789") for _ in range(10))
    return {
        "phone_number_id": "1" + digits + "0000",
        "waba_id": "2" + digits + "0000",
        "display_phone_number": f"+1 555 {digits[:3]} {digits[3:7]}",
        "verify_token": secrets.token_urlsafe(16),
        "app_secret": secrets.token_hex(16),
        "access_token": "SANDBOX-" + secrets.token_urlsafe(24),
    }


class SandboxHub:
    def __init__(self, secrets_box: SecretBox, webhook_url: str) -> None:
        self.secrets = secrets_box
        self.webhook_url = webhook_url
        self.emulator: Emulator | None = None
        self.graph_http: httpx.AsyncClient | None = None
        self._customers: dict[str, set[str]] = {}

    def remember_customer(self, phone_number_id: str, wa_id: str) -> None:
        """Simulated customers created for a number (the emulator's customers are global)."""
        self._customers.setdefault(phone_number_id, set()).add(wa_id)

    def customers_of(self, phone_number_id: str) -> set[str]:
        return self._customers.get(phone_number_id, set())

    def start(self, platform_app: Any) -> None:
        """Wire the emulator to this process's app: webhooks in, Graph calls out, both in memory."""
        hooks = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=platform_app), base_url=self.webhook_url
        )
        self.emulator = Emulator(http=hooks)
        self.graph_http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.emulator.graph_app), base_url=EMULATOR_BASE_URL
        )

    async def stop(self) -> None:
        if self.emulator is not None:
            await self.emulator.aclose()
        if self.graph_http is not None:
            await self.graph_http.aclose()

    def register(self, account: WhatsAppAccount) -> None:
        """Make (or refresh) the emulator's copy of a sandbox number."""
        if self.emulator is None or not account.sandbox or not account.phone_number_id:
            return
        token = self._plain(account.access_token_encrypted)
        secret = self._plain(account.app_secret_encrypted)
        existing = self.emulator.state.numbers.get(account.phone_number_id)
        if existing is not None:
            existing.access_token = token or existing.access_token
            existing.app_secret = secret or existing.app_secret
            existing.throughput_mps = account.send_budget_per_second
            return
        self.emulator.add_number(
            account.phone_number_id,
            waba_id=account.waba_id,
            display_phone_number=(account.display_phone_number or "").replace(" ", "") or None,
            access_token=token,
            app_secret=secret,
            webhook_url=self.webhook_url,
            throughput_mps=account.send_budget_per_second,
            verified_name=account.name,
            verify_token=account.verify_token,
        )

    def _plain(self, ciphertext: str | None) -> str | None:
        return self.secrets.decrypt(ciphertext) if ciphertext else None
