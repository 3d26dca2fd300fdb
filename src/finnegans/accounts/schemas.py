"""Request and response models for auth, members, invitations and API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import EmailStr, Field, field_validator

from finnegans.db.models import Role
from finnegans.kit.schemas import InputModel


class CamelModel(InputModel):
    pass


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class RegisterIn(CamelModel):
    name: str = Field(min_length=1, max_length=120)
    email: EmailStr
    password: str = Field(min_length=8, max_length=128)
    workspace_name: str | None = Field(default=None, max_length=120, alias="workspaceName")

    _strip_name = field_validator("name", "workspace_name", mode="before")(_strip)


class LoginIn(CamelModel):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=128)
    workspace_id: str | None = Field(default=None, max_length=32, alias="workspaceId")


class WorkspaceOut(CamelModel):
    id: str
    name: str


class UserOut(CamelModel):
    id: str
    name: str
    email: str


class LoginOut(CamelModel):
    id: str
    name: str
    email: str
    token: str
    role: Role
    workspace: WorkspaceOut


class MeOut(CamelModel):
    user: UserOut | None  # None when the caller is an API key
    role: Role
    workspace: WorkspaceOut
    via: Literal["cookie", "bearer", "api_key"]


class SuccessOut(CamelModel):
    success: bool = True


class MemberOut(CamelModel):
    user_id: str = Field(serialization_alias="userId")
    name: str
    email: str
    role: Role
    joined_at: datetime = Field(serialization_alias="joinedAt")


class MemberUpdateIn(CamelModel):
    role: Role


class InvitationIn(CamelModel):
    email: EmailStr
    role: Role = Role.agent


class InvitationOut(CamelModel):
    id: str
    email: str
    role: Role
    created_at: datetime = Field(serialization_alias="createdAt")
    expires_at: datetime = Field(serialization_alias="expiresAt")


class InvitationCreatedOut(InvitationOut):
    token: str
    invite_url: str = Field(serialization_alias="inviteUrl")


class InvitationLookupOut(CamelModel):
    email: str
    role: Role
    workspace_name: str = Field(serialization_alias="workspaceName")
    user_exists: bool = Field(serialization_alias="userExists")


class InvitationAcceptIn(CamelModel):
    token: str = Field(min_length=10, max_length=128)
    name: str | None = Field(default=None, max_length=120)
    password: str = Field(min_length=8, max_length=128)


class ApiKeyIn(CamelModel):
    name: str = Field(min_length=1, max_length=120)


class ApiKeyOut(CamelModel):
    id: str
    name: str
    prefix: str
    created_at: datetime = Field(serialization_alias="createdAt")
    last_used_at: datetime | None = Field(serialization_alias="lastUsedAt")
    revoked_at: datetime | None = Field(serialization_alias="revokedAt")


class ApiKeyCreatedOut(ApiKeyOut):
    key: str
