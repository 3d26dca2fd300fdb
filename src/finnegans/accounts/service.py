"""Business rules for registration, login, members, invitations and API keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.accounts import audit
from finnegans.accounts.dependencies import Principal, client_ip
from finnegans.accounts.repository import AccountsRepository
from finnegans.accounts.schemas import InvitationAcceptIn, RegisterIn
from finnegans.accounts.security import (
    SessionClaims,
    hash_password,
    issue_session_token,
    new_api_key,
    new_one_time_token,
    session_expiry,
    sha256_hex,
    verify_password,
)
from finnegans.context import AppContext
from finnegans.db.models import (
    ApiKey,
    AuthSession,
    Invitation,
    Role,
    User,
    Workspace,
    WorkspaceMember,
)
from finnegans.kit.clock import utcnow
from finnegans.kit.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    TooManyRequests,
    Unauthorized,
)

INVITATION_TTL = timedelta(days=7)


@dataclass
class LoginResult:
    user: User
    workspace: Workspace
    role: Role
    token: str
    expires_in_seconds: int


class AccountsService:
    def __init__(self, session: AsyncSession, ctx: AppContext) -> None:
        self.session = session
        self.ctx = ctx
        self.repo = AccountsRepository(session)

    async def register(self, data: RegisterIn, *, ip: str, user_agent: str) -> LoginResult:
        email = data.email.lower()
        if await self.repo.user_by_email(email) is not None:
            raise Conflict("User already exists", fields={"email": "is already registered"})
        user = User(email=email, name=data.name, password_hash=hash_password(data.password))
        workspace = Workspace(name=data.workspace_name or f"{data.name}'s workspace")
        self.repo.add(user, workspace)
        await self.session.flush()
        self.repo.add(WorkspaceMember(workspace_id=workspace.id, user_id=user.id, role="owner"))
        return await self._start_session(user, workspace, Role.owner, ip=ip, user_agent=user_agent)

    async def login(
        self, email: str, password: str, workspace_id: str | None, *, ip: str, user_agent: str
    ) -> LoginResult:
        email = email.strip().lower()
        wait = await self.ctx.login_throttle.blocked_for(email, ip)
        if wait:
            raise TooManyRequests(
                "Too many failed login attempts; try again later",
                headers={"Retry-After": str(wait)},
                retryAfter=wait,
            )
        user = await self.repo.user_by_email(email)
        if not verify_password(password, user.password_hash if user else None) or user is None:
            await self.ctx.login_throttle.record_failure(email, ip)
            raise Unauthorized("Invalid credentials")
        member = (
            await self.repo.membership(workspace_id, user.id)
            if workspace_id
            else await self.repo.first_membership(user.id)
        )
        if member is None:
            await self.ctx.login_throttle.record_failure(email, ip)
            raise Unauthorized("Invalid credentials")
        await self.ctx.login_throttle.clear(email)
        workspace = await self._workspace(member.workspace_id)
        user.last_login_at = utcnow()
        return await self._start_session(
            user, workspace, Role(member.role), ip=ip, user_agent=user_agent
        )

    async def _start_session(
        self, user: User, workspace: Workspace, role: Role, *, ip: str, user_agent: str
    ) -> LoginResult:
        hours = self.ctx.settings.session_ttl_hours
        expires_at = session_expiry(hours)
        auth_session = AuthSession(
            user_id=user.id,
            workspace_id=workspace.id,
            expires_at=expires_at,
            ip=ip[:64],
            user_agent=user_agent[:255],
        )
        self.repo.add(auth_session)
        await self.session.flush()
        token = issue_session_token(
            SessionClaims(auth_session.id, user.id, workspace.id),
            self.ctx.settings.jwt_secret,
            expires_at,
        )
        return LoginResult(user, workspace, role, token, hours * 3600)

    async def _workspace(self, workspace_id: str) -> Workspace:
        workspace = await self.repo.workspace(workspace_id)
        if workspace is None:  # only if deleted mid-request: memberships cascade with it
            raise NotFound("Workspace not found")
        return workspace

    async def logout(self, principal: Principal) -> None:
        if principal.session_id:
            found = await self.repo.auth_session(principal.session_id)
            if found is not None and found.revoked_at is None:
                found.revoked_at = utcnow()

    # --- members -------------------------------------------------------------------------

    async def change_role(self, principal: Principal, user_id: str, role: Role) -> WorkspaceMember:
        member = await self._member_or_404(principal, user_id)
        self._check_may_manage(principal, Role(member.role), role)
        if member.role == "owner" and role != Role.owner:
            await self._keep_an_owner(principal.workspace_id)
        member.role = role.value
        audit.record(
            self.session,
            principal,
            "member.role_changed",
            target_type="user",
            target_id=user_id,
            role=role.value,
        )
        return member

    async def remove_member(self, principal: Principal, user_id: str) -> None:
        member = await self._member_or_404(principal, user_id)
        self._check_may_manage(principal, Role(member.role), Role(member.role))
        if member.role == "owner":
            await self._keep_an_owner(principal.workspace_id)
        await self.session.delete(member)
        audit.record(
            self.session, principal, "member.removed", target_type="user", target_id=user_id
        )

    async def _member_or_404(self, principal: Principal, user_id: str) -> WorkspaceMember:
        member = await self.repo.membership(principal.workspace_id, user_id)
        if member is None:
            raise NotFound("Member not found")
        return member

    @staticmethod
    def _check_may_manage(principal: Principal, current: Role, target: Role) -> None:
        if Role.owner in (current, target) and principal.role != Role.owner:
            raise Forbidden("Only an owner can grant, change or remove the owner role")

    async def _keep_an_owner(self, workspace_id: str) -> None:
        if await self.repo.count_owners(workspace_id) <= 1:
            raise Conflict("A workspace must keep at least one owner")

    # --- invitations ---------------------------------------------------------------------

    async def invite(self, principal: Principal, email: str, role: Role) -> tuple[Invitation, str]:
        self._check_may_manage(principal, role, role)
        email = email.lower()
        existing = await self.repo.user_by_email(email)
        if existing and await self.repo.membership(principal.workspace_id, existing.id):
            raise Conflict("This person is already a member", fields={"email": "already a member"})
        token, token_hash = new_one_time_token()
        invitation = Invitation(
            workspace_id=principal.workspace_id,
            email=email,
            role=role.value,
            token_hash=token_hash,
            invited_by_id=principal.user_id,
            expires_at=utcnow() + INVITATION_TTL,
        )
        self.repo.add(invitation)
        await self.session.flush()
        audit.record(
            self.session,
            principal,
            "invitation.created",
            target_type="invitation",
            target_id=invitation.id,
            email=email,
            role=role.value,
        )
        return invitation, token

    async def revoke_invitation(self, principal: Principal, invitation_id: str) -> None:
        invitation = await self.repo.invitation(principal.workspace_id, invitation_id)
        if invitation is None or invitation.accepted_at is not None:
            raise NotFound("Invitation not found")
        await self.session.delete(invitation)
        audit.record(
            self.session,
            principal,
            "invitation.revoked",
            target_type="invitation",
            target_id=invitation_id,
        )

    async def open_invitation(self, token: str) -> tuple[Invitation, Workspace, User | None]:
        invitation = await self.repo.invitation_by_token_hash(sha256_hex(token))
        if invitation is None or invitation.accepted_at or invitation.expires_at <= utcnow():
            raise NotFound("Invitation not found or expired")
        workspace = await self._workspace(invitation.workspace_id)
        return invitation, workspace, await self.repo.user_by_email(invitation.email)

    async def accept_invitation(
        self, data: InvitationAcceptIn, *, ip: str, user_agent: str
    ) -> LoginResult:
        invitation, workspace, user = await self.open_invitation(data.token)
        if user is None:
            if not data.name or not data.name.strip():
                raise BadRequest(
                    "Validation failed: name: is required", fields={"name": "is required"}
                )
            user = User(
                email=invitation.email,
                name=data.name.strip(),
                password_hash=hash_password(data.password),
            )
            self.repo.add(user)
            await self.session.flush()
        elif not verify_password(data.password, user.password_hash):
            raise Unauthorized("Invalid credentials")
        if await self.repo.membership(workspace.id, user.id) is None:
            self.repo.add(
                WorkspaceMember(workspace_id=workspace.id, user_id=user.id, role=invitation.role)
            )
        invitation.accepted_at = utcnow()
        return await self._start_session(
            user, workspace, Role(invitation.role), ip=ip, user_agent=user_agent
        )

    # --- API keys ------------------------------------------------------------------------

    async def create_api_key(self, principal: Principal, name: str) -> tuple[ApiKey, str]:
        key, prefix, key_hash = new_api_key()
        api_key = ApiKey(
            workspace_id=principal.workspace_id,
            name=name.strip(),
            prefix=prefix,
            key_hash=key_hash,
            created_by_id=principal.user_id,
        )
        self.repo.add(api_key)
        await self.session.flush()
        audit.record(
            self.session,
            principal,
            "api_key.created",
            target_type="api_key",
            target_id=api_key.id,
            name=api_key.name,
        )
        return api_key, key

    async def revoke_api_key(self, principal: Principal, key_id: str) -> None:
        api_key = await self.repo.api_key(principal.workspace_id, key_id)
        if api_key is None:
            raise NotFound("API key not found")
        if api_key.revoked_at is None:
            api_key.revoked_at = utcnow()
            audit.record(
                self.session, principal, "api_key.revoked", target_type="api_key", target_id=key_id
            )


__all__ = ["AccountsService", "LoginResult", "client_ip"]
