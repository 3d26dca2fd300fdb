"""Rules for a workspace's WhatsApp numbers: secrets encrypted, write-only and masked."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.accounts import audit
from finnegans.accounts.dependencies import Principal
from finnegans.context import AppContext
from finnegans.db.after_commit import after_commit
from finnegans.db.models import AccountStatus, WhatsAppAccount
from finnegans.kit.crypto import is_masked, mask
from finnegans.kit.errors import Conflict, NotFound
from finnegans.whatsapp.graph import ErrorKind, GraphError, GraphUnreachable, SendOutcomeUnknown
from finnegans.whatsapp.graph_factory import graph_client_for
from finnegans.whatsapp.repository import WhatsAppAccountRepository
from finnegans.whatsapp.sandbox import sandbox_defaults
from finnegans.whatsapp.schemas import AccountIn, AccountOut, ConnectionTestOut

_PLAIN_FIELDS = {
    "name": "name",
    "phone_number_id": "phone_number_id",
    "business_account_id": "waba_id",
    "display_phone_number": "display_phone_number",
    "verify_token": "verify_token",
    "send_budget_per_second": "send_budget_per_second",
    "sandbox": "sandbox",
}
_SECRET_FIELDS = {
    "app_secret": "app_secret_encrypted",
    "access_token": "access_token_encrypted",
    "phone_pin": "phone_pin_encrypted",
}
_CREDENTIAL_FIELDS = {"phone_number_id", "access_token", "app_secret", "business_account_id"}


def account_status(account: WhatsAppAccount) -> AccountStatus:
    if account.sandbox:
        return AccountStatus.sandbox
    if account.needs_reconnection:
        return AccountStatus.needs_reconnection
    if account.phone_number_id and account.access_token_encrypted and account.app_secret_encrypted:
        return AccountStatus.connected
    return AccountStatus.incomplete


class WhatsAppAccountService:
    def __init__(self, session: AsyncSession, ctx: AppContext) -> None:
        self.session = session
        self.ctx = ctx
        self.repo = WhatsAppAccountRepository(session)

    def to_out(self, account: WhatsAppAccount) -> AccountOut:
        def shown(ciphertext: str | None) -> str:
            return mask(self.ctx.secrets.decrypt(ciphertext)) if ciphertext else ""

        return AccountOut(
            id=account.id,
            name=account.name,
            phone_number_id=account.phone_number_id or "",
            business_account_id=account.waba_id or "",
            display_phone_number=account.display_phone_number or "",
            verify_token=account.verify_token or "",
            app_secret=shown(account.app_secret_encrypted),
            access_token=shown(account.access_token_encrypted),
            phone_pin=shown(account.phone_pin_encrypted),
            has_app_secret=bool(account.app_secret_encrypted),
            has_access_token=bool(account.access_token_encrypted),
            has_phone_pin=bool(account.phone_pin_encrypted),
            send_budget_per_second=account.send_budget_per_second,
            sandbox=account.sandbox,
            status=account_status(account),
            status_detail=account.status_detail,
            webhook_url=f"{self.ctx.settings.public_url}/webhook",
            created_at=account.created_at,
            updated_at=account.updated_at,
        )

    async def get(self, principal: Principal, account_id: str) -> WhatsAppAccount:
        account = await self.repo.get(principal.workspace_id, account_id)
        if account is None:
            raise NotFound("WhatsApp account not found")
        return account

    async def create(self, principal: Principal, data: AccountIn) -> WhatsAppAccount:
        account = WhatsAppAccount(workspace_id=principal.workspace_id)
        await self._apply(account, data)
        self.repo.add(account)
        await self.session.flush()
        self._after_commit(account)
        audit.record(
            self.session,
            principal,
            "whatsapp_account.created",
            target_type="whatsapp_account",
            target_id=account.id,
        )
        return account

    async def update(
        self, principal: Principal, account: WhatsAppAccount, data: AccountIn
    ) -> WhatsAppAccount:
        changed = await self._apply(account, data)
        await self.session.flush()
        self._after_commit(account)
        audit.record(
            self.session,
            principal,
            "whatsapp_account.updated",
            target_type="whatsapp_account",
            target_id=account.id,
            fields=sorted(changed),
        )
        return account

    async def delete(self, principal: Principal, account: WhatsAppAccount) -> None:
        await self.session.delete(account)
        after_commit(self.session, self.ctx.accounts.invalidate)
        audit.record(
            self.session,
            principal,
            "whatsapp_account.deleted",
            target_type="whatsapp_account",
            target_id=account.id,
        )

    async def _apply(self, account: WhatsAppAccount, data: AccountIn) -> set[str]:
        """Copy the given fields; a masked secret means "unchanged", "" or null means "clear"."""
        changed: set[str] = set()
        for field in data.model_fields_set:
            value = getattr(data, field)
            if field in _PLAIN_FIELDS:
                if field in ("send_budget_per_second", "sandbox") and value is None:
                    continue
                if isinstance(value, str) or value is None:
                    value = value or None
                    if field == "name":
                        value = value or "WhatsApp number"
                setattr(account, _PLAIN_FIELDS[field], value)
                changed.add(field)
            elif field in _SECRET_FIELDS:
                if isinstance(value, str) and is_masked(value):
                    continue
                setattr(
                    account,
                    _SECRET_FIELDS[field],
                    self.ctx.secrets.encrypt(value) if value else None,
                )
                changed.add(field)
        if account.sandbox:
            self._fill_sandbox_defaults(account)
        if changed & _CREDENTIAL_FIELDS:
            # New credentials deserve a fresh chance; the next Graph call re-checks them.
            account.needs_reconnection = False
            account.status_detail = None
        if "phone_number_id" in changed and account.phone_number_id:
            other = await self.repo.by_phone_number_id(account.phone_number_id)
            if other is not None and other.id != account.id:
                raise Conflict(
                    "This phone number ID is already connected to a workspace",
                    fields={"phoneNumberId": "is already connected"},
                )
        return changed

    def _fill_sandbox_defaults(self, account: WhatsAppAccount) -> None:
        """A sandbox number needs ids and secrets like a real one; invent what is missing."""
        defaults = sandbox_defaults()
        for field in ("phone_number_id", "waba_id", "display_phone_number", "verify_token"):
            if not getattr(account, field):
                setattr(account, field, defaults[field])
        if not account.app_secret_encrypted:
            account.app_secret_encrypted = self.ctx.secrets.encrypt(defaults["app_secret"])
        if not account.access_token_encrypted:
            account.access_token_encrypted = self.ctx.secrets.encrypt(defaults["access_token"])

    def _after_commit(self, account: WhatsAppAccount) -> None:
        def refresh() -> None:
            self.ctx.accounts.invalidate()
            self.ctx.sandbox.register(account)

        after_commit(self.session, refresh)

    async def test_connection(self, account: WhatsAppAccount) -> ConnectionTestOut:
        """Ask the Graph API (Meta's, or the emulator's for sandbox numbers) for the number."""
        if not account.phone_number_id or not account.access_token_encrypted:
            return ConnectionTestOut(
                ok=False,
                status=AccountStatus.incomplete,
                message="Enter the phone number ID and an access token first.",
            )
        try:
            async with graph_client_for(self.ctx, account) as client:
                details = await client.phone_number_details()
        except GraphError as error:
            if error.kind is ErrorKind.TOKEN_INVALID:
                account.needs_reconnection = True
                account.status_detail = "The access token is invalid or expired"
            code = f" (code {error.code})" if error.code else ""
            return ConnectionTestOut(
                ok=False,
                status=account_status(account),
                message=f"Meta answered {error.http_status}{code}: {error.message}",
            )
        except (GraphUnreachable, SendOutcomeUnknown) as error:
            return ConnectionTestOut(
                ok=False,
                status=account_status(account),
                message=f"Could not reach the Graph API: {error}",
            )
        account.needs_reconnection = False
        account.status_detail = None
        account.display_phone_number = (
            details.get("display_phone_number") or account.display_phone_number
        )
        account.quality_rating = details.get("quality_rating") or account.quality_rating
        name = details.get("verified_name") or "the number"
        where = " (sandbox: the built-in emulator)" if account.sandbox else ""
        return ConnectionTestOut(
            ok=True,
            status=account_status(account),
            message=f"Connected to {name} ({account.display_phone_number}){where}.",
        )
