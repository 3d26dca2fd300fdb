"""WhatsApp numbers of a workspace, plus the original system's /api/settings."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from pydantic import ValidationError

from finnegans.accounts.dependencies import AdminPrincipal, CurrentPrincipal
from finnegans.db.dependencies import Ctx, DbSession
from finnegans.kit.errors import BadRequest, validation_fields
from finnegans.whatsapp.accounts_service import WhatsAppAccountService
from finnegans.whatsapp.repository import WhatsAppAccountRepository
from finnegans.whatsapp.schemas import (
    AccountIn,
    AccountOut,
    ConnectionTestOut,
    LegacySettingsIn,
    LegacySettingsOut,
)

router = APIRouter(prefix="/api", tags=["whatsapp accounts"])


@router.get("/whatsapp-accounts")
async def list_accounts(
    principal: CurrentPrincipal, session: DbSession, ctx: Ctx
) -> list[AccountOut]:
    service = WhatsAppAccountService(session, ctx)
    return [service.to_out(a) for a in await service.repo.list(principal.workspace_id)]


@router.post("/whatsapp-accounts", status_code=status.HTTP_201_CREATED)
async def create_account(
    data: AccountIn, principal: AdminPrincipal, session: DbSession, ctx: Ctx
) -> AccountOut:
    service = WhatsAppAccountService(session, ctx)
    return service.to_out(await service.create(principal, data))


@router.get("/whatsapp-accounts/{account_id}")
async def get_account(
    account_id: str, principal: CurrentPrincipal, session: DbSession, ctx: Ctx
) -> AccountOut:
    service = WhatsAppAccountService(session, ctx)
    return service.to_out(await service.get(principal, account_id))


@router.put("/whatsapp-accounts/{account_id}", operation_id="replace_whatsapp_account")
@router.patch("/whatsapp-accounts/{account_id}", operation_id="update_whatsapp_account")
async def update_account(
    account_id: str, data: AccountIn, principal: AdminPrincipal, session: DbSession, ctx: Ctx
) -> AccountOut:
    """Update the given fields; omitted fields and masked secrets keep their stored value."""
    service = WhatsAppAccountService(session, ctx)
    account = await service.get(principal, account_id)
    return service.to_out(await service.update(principal, account, data))


@router.delete("/whatsapp-accounts/{account_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_account(
    account_id: str, principal: AdminPrincipal, session: DbSession, ctx: Ctx
) -> Response:
    service = WhatsAppAccountService(session, ctx)
    await service.delete(principal, await service.get(principal, account_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/whatsapp-accounts/{account_id}/test")
async def test_account(
    account_id: str, principal: AdminPrincipal, session: DbSession, ctx: Ctx
) -> ConnectionTestOut:
    """Check the stored credentials against the Graph API and record the result."""
    service = WhatsAppAccountService(session, ctx)
    return await service.test_connection(await service.get(principal, account_id))


# --- the original system's settings API, on the workspace's first number -------------------


def _legacy_out(out: AccountOut | None, webhook_url: str) -> LegacySettingsOut:
    return LegacySettingsOut(
        metaVerifyToken=out.verify_token if out else "",
        metaAppSecret=out.app_secret if out else "",
        metaAccessToken=out.access_token if out else "",
        metaPhoneNumberId=out.phone_number_id if out else "",
        metaBusinessAccountId=out.business_account_id if out else "",
        metaPhonePin=out.phone_pin if out else "",
        webhookUrl=webhook_url,
    )


@router.get("/settings")
async def get_settings(
    principal: CurrentPrincipal, session: DbSession, ctx: Ctx
) -> LegacySettingsOut:
    service = WhatsAppAccountService(session, ctx)
    account = await service.repo.first(principal.workspace_id)
    return _legacy_out(
        service.to_out(account) if account else None, f"{ctx.settings.public_url}/webhook"
    )


@router.post("/settings", operation_id="save_settings")
@router.put("/settings", operation_id="replace_settings")
async def save_settings(
    data: LegacySettingsIn, principal: AdminPrincipal, session: DbSession, ctx: Ctx
) -> LegacySettingsOut:
    """Save the six Meta fields. Omitted fields and masked secrets are kept."""
    try:
        account_in = data.as_account()
    except ValidationError as exc:
        fields = {
            f"meta{k[0].upper()}{_camel(k)[1:]}": v
            for k, v in validation_fields(list(exc.errors())).items()
        }
        raise BadRequest(
            "Validation failed: " + "; ".join(f"{k}: {v}" for k, v in fields.items()), fields=fields
        ) from None
    service = WhatsAppAccountService(session, ctx)
    account = await service.repo.first(principal.workspace_id)
    if account is None:
        account = await service.create(principal, account_in)
    else:
        account = await service.update(principal, account, account_in)
    return _legacy_out(service.to_out(account), f"{ctx.settings.public_url}/webhook")


@router.delete("/settings")
async def clear_settings(
    principal: AdminPrincipal, session: DbSession, ctx: Ctx
) -> dict[str, bool]:
    """Clear the six Meta fields of the first number (the number itself stays)."""
    service = WhatsAppAccountService(session, ctx)
    account = await service.repo.first(principal.workspace_id)
    if account is not None:
        cleared = AccountIn.model_validate(
            {
                k: None
                for k in (
                    "phone_number_id",
                    "business_account_id",
                    "verify_token",
                    "app_secret",
                    "access_token",
                    "phone_pin",
                )
            }
        )
        await service.update(principal, account, cleared)
    return {"success": True}


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(p.title() for p in rest)


__all__ = ["WhatsAppAccountRepository", "router"]
