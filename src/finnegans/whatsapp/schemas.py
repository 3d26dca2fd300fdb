"""WhatsApp account settings: what the API accepts and what it shows (secrets masked)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from finnegans.db.models import AccountStatus
from finnegans.kit.schemas import InputModel

_DIGITS = r"^[0-9]{1,64}$"


class _In(InputModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", str_strip_whitespace=True)


class AccountIn(_In):
    """Fields of a WhatsApp number. Omitted fields keep their value on update."""

    name: str | None = Field(default=None, max_length=120)
    phone_number_id: str | None = Field(default=None, alias="phoneNumberId", max_length=64)
    business_account_id: str | None = Field(default=None, alias="businessAccountId", max_length=64)
    display_phone_number: str | None = Field(
        default=None, alias="displayPhoneNumber", max_length=32
    )
    verify_token: str | None = Field(default=None, alias="verifyToken", max_length=255)
    app_secret: str | None = Field(default=None, alias="appSecret", max_length=512)
    access_token: str | None = Field(default=None, alias="accessToken", max_length=4096)
    phone_pin: str | None = Field(default=None, alias="phonePin", max_length=64)
    send_budget_per_second: int | None = Field(
        default=None, alias="sendBudgetPerSecond", ge=1, le=1000
    )
    sandbox: bool | None = None

    @field_validator("phone_number_id", "business_account_id")
    @classmethod
    def _digits(cls, value: str | None) -> str | None:
        if value and not value.isdigit():
            raise ValueError("must contain digits only (copy it from Meta's API Setup page)")
        return value

    @field_validator("phone_pin")
    @classmethod
    def _pin(cls, value: str | None) -> str | None:
        if value and not value.startswith("••") and not (value.isdigit() and len(value) == 6):
            raise ValueError("must be the 6-digit two-step verification PIN")
        return value


class AccountOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str
    name: str
    phone_number_id: str = Field(serialization_alias="phoneNumberId")
    business_account_id: str = Field(serialization_alias="businessAccountId")
    display_phone_number: str = Field(serialization_alias="displayPhoneNumber")
    verify_token: str = Field(serialization_alias="verifyToken")
    app_secret: str = Field(serialization_alias="appSecret")
    access_token: str = Field(serialization_alias="accessToken")
    phone_pin: str = Field(serialization_alias="phonePin")
    has_app_secret: bool = Field(serialization_alias="hasAppSecret")
    has_access_token: bool = Field(serialization_alias="hasAccessToken")
    has_phone_pin: bool = Field(serialization_alias="hasPhonePin")
    send_budget_per_second: int = Field(serialization_alias="sendBudgetPerSecond")
    sandbox: bool
    status: AccountStatus
    status_detail: str | None = Field(serialization_alias="statusDetail")
    webhook_url: str = Field(serialization_alias="webhookUrl")
    created_at: datetime = Field(serialization_alias="createdAt")
    updated_at: datetime = Field(serialization_alias="updatedAt")


class ConnectionTestOut(BaseModel):
    ok: bool
    status: AccountStatus
    message: str


class LegacySettingsIn(_In):
    """The original system's six fields (POST/PUT /api/settings)."""

    meta_verify_token: str | None = Field(default=None, alias="metaVerifyToken", max_length=255)
    meta_app_secret: str | None = Field(default=None, alias="metaAppSecret", max_length=512)
    meta_access_token: str | None = Field(default=None, alias="metaAccessToken", max_length=4096)
    meta_phone_number_id: str | None = Field(default=None, alias="metaPhoneNumberId", max_length=64)
    meta_business_account_id: str | None = Field(
        default=None, alias="metaBusinessAccountId", max_length=64
    )
    meta_phone_pin: str | None = Field(default=None, alias="metaPhonePin", max_length=64)

    def as_account(self) -> AccountIn:
        values = {
            "verify_token": self.meta_verify_token,
            "app_secret": self.meta_app_secret,
            "access_token": self.meta_access_token,
            "phone_number_id": self.meta_phone_number_id,
            "business_account_id": self.meta_business_account_id,
            "phone_pin": self.meta_phone_pin,
        }
        return AccountIn.model_validate(
            {k: v for k, v in values.items() if k in self.model_fields_set_as_account()}
        )

    def model_fields_set_as_account(self) -> set[str]:
        return {name.removeprefix("meta_") for name in self.model_fields_set}


class LegacySettingsOut(BaseModel):
    metaVerifyToken: str
    metaAppSecret: str
    metaAccessToken: str
    metaPhoneNumberId: str
    metaBusinessAccountId: str
    metaPhonePin: str
    webhookUrl: str
