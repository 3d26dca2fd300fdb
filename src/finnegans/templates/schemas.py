"""What the templates API accepts and answers (docs/api.md#message-templates).

Components are written in Meta's own shape (`type` HEADER/BODY/FOOTER/BUTTONS, `example`), so
a template copied from Meta's documentation or from the WhatsApp Manager works as is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator

from finnegans.kit.schemas import InputModel

Category = Literal["MARKETING", "UTILITY", "AUTHENTICATION"]
HeaderFormat = Literal["TEXT", "IMAGE", "VIDEO", "DOCUMENT", "LOCATION"]
ButtonType = Literal["QUICK_REPLY", "URL", "PHONE_NUMBER"]

NAME_PATTERN = r"^[a-z0-9_]{1,512}$"
# Meta's language codes: "en", "es", "en_US", "pt_BR", "zh_CN", "es_AR", "fil", "ka" ...
LANGUAGE_PATTERN = r"^[a-z]{2,3}(_[A-Za-z]{2,4})?$"


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


class HeaderIn(InputModel):
    type: Literal["HEADER"]
    format: HeaderFormat = "TEXT"
    text: str | None = Field(default=None, max_length=60)
    example: dict[str, Any] | None = None

    _format = field_validator("format", mode="before")(lambda v: _upper(v))


class BodyIn(InputModel):
    type: Literal["BODY"]
    text: str = Field(min_length=1, max_length=1024)
    example: dict[str, Any] | None = None


class FooterIn(InputModel):
    type: Literal["FOOTER"]
    text: str = Field(min_length=1, max_length=60)


class ButtonIn(InputModel):
    type: ButtonType
    text: str = Field(min_length=1, max_length=25)
    url: str | None = Field(default=None, max_length=2000)
    phone_number: str | None = Field(default=None, max_length=20)
    example: list[str] | None = Field(default=None, max_length=1)

    _type = field_validator("type", mode="before")(lambda v: _upper(v))


class ButtonsIn(InputModel):
    type: Literal["BUTTONS"]
    buttons: list[ButtonIn] = Field(min_length=1, max_length=10)


ComponentIn = Annotated[HeaderIn | BodyIn | FooterIn | ButtonsIn, Field(discriminator="type")]


class TemplateCreateIn(InputModel):
    name: str = Field(pattern=NAME_PATTERN, description="lowercase letters, digits and _")
    language: str = Field(pattern=LANGUAGE_PATTERN, description="e.g. en_US, es, pt_BR")
    category: Category
    components: list[ComponentIn] = Field(min_length=1, max_length=4)
    account_id: str | None = Field(
        default=None, max_length=32, description="the number whose WABA gets it (default: first)"
    )

    _category = field_validator("category", mode="before")(lambda v: _upper(v))

    @field_validator("components", mode="before")
    @classmethod
    def _component_types(cls, value: Any) -> Any:
        # Meta's docs write HEADER/BODY; many clients write header/body. Accept both.
        if isinstance(value, list):
            return [
                {**c, "type": _upper(c.get("type"))} if isinstance(c, dict) else c for c in value
            ]
        return value


class SyncIn(InputModel):
    account_id: str | None = Field(default=None, max_length=32)


class PreviewIn(InputModel):
    parameters: dict[str, str] = Field(
        default_factory=dict,
        max_length=40,
        description='keyed values, e.g. {"body.1": "Ana", "header.image": "https://..."}',
    )


class ParameterOut(BaseModel):
    key: str = Field(description="what to fill: body.1, body.first_name, header.image, button.0")
    component: Literal["header", "body", "button"]
    name: str
    type: Literal["text", "image", "video", "document", "location"]
    example: str | None


class TemplateOut(BaseModel):
    id: str
    account_id: str | None
    waba_id: str
    meta_template_id: str | None
    name: str
    language: str
    category: str
    status: str
    rejected_reason: str | None
    parameter_format: Literal["positional", "named"]
    components: list[dict[str, Any]]
    parameters: list[ParameterOut]
    last_synced_at: datetime | None
    created_at: datetime
    updated_at: datetime


class TemplateListOut(BaseModel):
    templates: list[TemplateOut]


class SyncOut(BaseModel):
    added: int
    updated: int
    removed: int
    unchanged: int
    accounts: int = Field(description="WhatsApp Business Accounts read")


class RenderedButtonOut(BaseModel):
    type: str
    text: str
    url: str | None
    phone_number: str | None


class RenderedOut(BaseModel):
    header: str | None
    header_media: dict[str, str] | None
    body: str
    footer: str | None
    buttons: list[RenderedButtonOut]


class PreviewOut(BaseModel):
    rendered: RenderedOut
    template: dict[str, Any] = Field(description="the exact Graph `template` object sent")
