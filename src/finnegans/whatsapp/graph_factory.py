"""One place that builds the Graph API client for an account: Meta's, or the emulator's."""

from __future__ import annotations

from typing import Any

from finnegans.context import AppContext
from finnegans.db.models import WhatsAppAccount
from finnegans.whatsapp.graph import GraphClient
from finnegans.whatsapp.sandbox import EMULATOR_BASE_URL
from finnegans.whatsapp.send_budget import arrival_guard_for


def graph_client_for(ctx: AppContext, account: WhatsAppAccount) -> GraphClient:
    """A client for this account (use it as an async context manager)."""
    if not account.phone_number_id or not account.access_token_encrypted:
        raise ValueError("the account needs a phone number ID and an access token")
    in_sandbox = account.sandbox and ctx.sandbox.graph_http is not None
    return GraphClient(
        access_token=ctx.secrets.decrypt(account.access_token_encrypted),
        phone_number_id=account.phone_number_id,
        waba_id=account.waba_id,
        api_version=ctx.settings.graph_api_version,
        base_url=EMULATOR_BASE_URL if in_sandbox else ctx.settings.graph_api_url,
        # Sandbox numbers reach the in-process emulator over its ASGI transport.
        http_client=ctx.sandbox.graph_http if in_sandbox else None,
        **number_budget(ctx, account),
    )


def number_budget(ctx: AppContext, account: WhatsAppAccount) -> dict[str, Any]:
    """Every message to Meta pays into the number's budget at its full rate (live replies,
    inbox and template sends, and broadcasts on top of their own reduced-rate key), so the
    number's total stays under its limit in every process (one Redis budget with REDIS_URL)."""
    return {
        "send_budget": ctx.send_budget,
        "send_rate_per_second": account.send_budget_per_second,
        "budget_key": account_budget_key(account.id),
        # Slots on the number's key stay spent a little longer than 1 s: sends reach Meta with
        # jitter (see `send_budget.IN_PROCESS_NUMBER_WINDOW_SECONDS`).
        "budget_window_seconds": ctx.send_budget.number_window_seconds,
        "arrival_guard": arrival_guard_for(account_budget_key(account.id)),
    }


def account_budget_key(account_id: str) -> str:
    return f"number:{account_id}"
