import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { MailPlus, Trash2, UserMinus, UsersRound } from "lucide-react";
import { invitationsApi, membersApi, queryKeys } from "../../../api/endpoints";
import type { CreateInvitationRequest, CreatedInvitation, Member, Role } from "../../../api/types";
import { Badge } from "../../../components/Badge";
import { Button } from "../../../components/Button";
import { Card, CardHeader } from "../../../components/Card";
import { CopyField } from "../../../components/CopyButton";
import { ConfirmDialog } from "../../../components/Dialog";
import { Field, Input, Select } from "../../../components/Field";
import { FormError } from "../../../components/FormError";
import { PageSpinner } from "../../../components/Spinner";
import { useToast } from "../../../components/Toast";
import { useErrorMessage, useFormErrors } from "../../../lib/errors";
import { formatDate, initials } from "../../../lib/format";
import { canManage, useSession } from "../../auth/session";
import { ReadOnlyNotice } from "../SettingsLayout";

const ROLES: Role[] = ["owner", "admin", "agent"];

/** Roles the current user may hand out: only an owner may grant "owner". */
function grantableRoles(myRole: Role): Role[] {
  return myRole === "owner" ? ROLES : ROLES.filter((r) => r !== "owner");
}

export function MembersSettingsPage() {
  const { t } = useTranslation();
  const session = useSession();
  const manager = canManage(session.role);

  return (
    <div className="space-y-6">
      {manager ? null : <ReadOnlyNotice>{t("settings.readOnly")}</ReadOnlyNotice>}
      <MembersTable />
      {manager ? <InviteForm /> : null}
      {manager ? <PendingInvitations /> : null}
    </div>
  );
}

function MembersTable() {
  const { t } = useTranslation();
  const session = useSession();
  const toast = useToast();
  const describe = useErrorMessage();
  const queryClient = useQueryClient();
  const manager = canManage(session.role);
  const [removing, setRemoving] = useState<Member | null>(null);
  const members = useQuery({ queryKey: queryKeys.members, queryFn: membersApi.list });

  const updateRole = useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: Role }) => membersApi.update(userId, { role }),
    onSuccess: () => {
      toast.success(t("members.toast.roleUpdated"));
      void queryClient.invalidateQueries({ queryKey: queryKeys.members });
    },
    onError: (error) => {
      toast.error(describe(error));
      void queryClient.invalidateQueries({ queryKey: queryKeys.members });
    },
  });

  const remove = useMutation({
    mutationFn: (userId: string) => membersApi.remove(userId),
    onSuccess: () => {
      setRemoving(null);
      toast.success(t("members.toast.removed"));
      void queryClient.invalidateQueries({ queryKey: queryKeys.members });
    },
    onError: (error) => {
      setRemoving(null);
      toast.error(describe(error));
    },
  });

  /** An admin may not touch an owner; only an owner may. */
  const canEdit = (member: Member) => manager && (session.role === "owner" || member.role !== "owner");

  return (
    <Card>
      <CardHeader title={t("members.title")} description={t("members.description")} />
      {members.isPending ? (
        <PageSpinner label={t("common.loading")} />
      ) : members.isError ? (
        <div className="p-5">
          <FormError message={describe(members.error)} />
        </div>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm" data-testid="members-table">
            <thead className="border-b border-zinc-100 text-xs text-zinc-500">
              <tr>
                <th scope="col" className="px-5 py-2.5 font-medium">{t("members.columns.member")}</th>
                <th scope="col" className="px-3 py-2.5 font-medium">{t("members.columns.role")}</th>
                <th scope="col" className="hidden px-3 py-2.5 font-medium sm:table-cell">{t("members.columns.joined")}</th>
                {manager ? (
                  <th scope="col" className="px-5 py-2.5 text-right font-medium">
                    <span className="sr-only">{t("common.actions")}</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100">
              {members.data.map((member) => {
                const isMe = String(member.userId) === String(session.user.id);
                const editable = canEdit(member);
                return (
                  <tr key={member.userId} data-testid="member-row" data-email={member.email}>
                    <td className="px-5 py-3">
                      <div className="flex items-center gap-3">
                        <span className="flex size-8 shrink-0 items-center justify-center rounded-full bg-zinc-100 text-xs font-semibold text-zinc-600">
                          {initials(member.name)}
                        </span>
                        <div className="min-w-0">
                          <p className="truncate font-medium text-zinc-900">
                            {member.name}
                            {isMe ? <span className="ml-1.5 text-xs font-normal text-zinc-400">{t("members.you")}</span> : null}
                          </p>
                          <p className="truncate text-xs text-zinc-500">{member.email}</p>
                        </div>
                      </div>
                    </td>
                    <td className="px-3 py-3">
                      {editable ? (
                        <Select
                          aria-label={t("members.roleFor", { name: member.name })}
                          data-testid="member-role"
                          className="h-8 w-32 text-xs"
                          value={member.role}
                          disabled={updateRole.isPending}
                          onChange={(e) =>
                            updateRole.mutate({ userId: String(member.userId), role: e.target.value as Role })
                          }
                        >
                          {ROLES.map((role) => (
                            <option key={role} value={role} disabled={!grantableRoles(session.role).includes(role)}>
                              {t(`roles.${role}`)}
                            </option>
                          ))}
                        </Select>
                      ) : (
                        <Badge tone={member.role === "owner" ? "green" : "zinc"}>{t(`roles.${member.role}`)}</Badge>
                      )}
                    </td>
                    <td className="hidden px-3 py-3 text-zinc-500 sm:table-cell">{formatDate(member.joinedAt)}</td>
                    {manager ? (
                      <td className="px-5 py-3 text-right">
                        {editable ? (
                          <Button
                            size="sm"
                            variant="ghost"
                            data-testid="member-remove"
                            aria-label={t("members.removeFor", { name: member.name })}
                            icon={<UserMinus className="size-4" aria-hidden />}
                            onClick={() => setRemoving(member)}
                          >
                            <span className="hidden sm:inline">{t("members.remove")}</span>
                          </Button>
                        ) : null}
                      </td>
                    ) : null}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={removing !== null}
        title={t("members.removeTitle")}
        description={t("members.removeBody", { name: removing?.name ?? "", email: removing?.email ?? "" })}
        confirmLabel={t("members.remove")}
        loading={remove.isPending}
        onConfirm={() => removing && remove.mutate(String(removing.userId))}
        onCancel={() => setRemoving(null)}
      />
    </Card>
  );
}

function InviteForm() {
  const { t } = useTranslation();
  const session = useSession();
  const queryClient = useQueryClient();
  const toast = useToast();
  const errors = useFormErrors();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("agent");
  const [created, setCreated] = useState<CreatedInvitation | null>(null);

  const invite = useMutation({
    mutationFn: (body: CreateInvitationRequest) => invitationsApi.create(body),
    onSuccess: (invitation) => {
      setCreated(invitation);
      setEmail("");
      toast.success(t("members.toast.invited", { email: invitation.email }));
      void queryClient.invalidateQueries({ queryKey: queryKeys.invitations });
    },
    onError: errors.fromError,
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    errors.reset();
    setCreated(null);
    invite.mutate({ email: email.trim(), role });
  };

  return (
    <Card>
      <CardHeader title={t("members.invite.title")} description={t("members.invite.description")} />
      <form onSubmit={onSubmit} noValidate className="space-y-4 px-5 py-5">
        <FormError message={errors.message} />
        <div className="grid gap-4 sm:grid-cols-[1fr_10rem_auto] sm:items-start">
          <Field name="email" label={t("auth.fields.email")} error={errors.fields.email}>
            <Input
              type="email"
              autoComplete="off"
              placeholder={t("members.invite.emailPlaceholder")}
              data-testid="invite-email"
              value={email}
              onChange={(e) => {
                setEmail(e.target.value);
                errors.clearField("email");
              }}
            />
          </Field>
          <Field name="role" label={t("members.columns.role")} error={errors.fields.role}>
            <Select data-testid="invite-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {grantableRoles(session.role).map((r) => (
                <option key={r} value={r}>
                  {t(`roles.${r}`)}
                </option>
              ))}
            </Select>
          </Field>
          <Button
            type="submit"
            variant="primary"
            className="sm:mt-6"
            loading={invite.isPending}
            data-testid="invite-submit"
            icon={<MailPlus className="size-4" aria-hidden />}
          >
            {t("members.invite.submit")}
          </Button>
        </div>
        <p className="text-xs text-zinc-500">{t("members.invite.rolesHelp")}</p>
        {created ? (
          <div className="space-y-2 rounded-lg border border-brand-200 bg-brand-50/60 p-4" data-testid="invite-result">
            <p className="text-sm font-medium text-zinc-900">{t("members.invite.createdTitle", { email: created.email })}</p>
            <p className="text-xs text-zinc-600">{t("members.invite.createdBody")}</p>
            <CopyField
              value={created.inviteUrl}
              testId="invite-url"
              copyTestId="copy-invite-url"
              label={t("members.invite.copyLink")}
            />
          </div>
        ) : null}
      </form>
    </Card>
  );
}

function PendingInvitations() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const toast = useToast();
  const describe = useErrorMessage();
  const invitations = useQuery({ queryKey: queryKeys.invitations, queryFn: invitationsApi.list });

  const revoke = useMutation({
    mutationFn: (id: string) => invitationsApi.revoke(id),
    onSuccess: () => {
      toast.success(t("members.toast.invitationRevoked"));
      void queryClient.invalidateQueries({ queryKey: queryKeys.invitations });
    },
    onError: (error) => toast.error(describe(error)),
  });

  return (
    <Card>
      <CardHeader title={t("members.pending.title")} description={t("members.pending.description")} />
      {invitations.isPending ? (
        <PageSpinner label={t("common.loading")} />
      ) : invitations.isError ? (
        <div className="p-5">
          <FormError message={describe(invitations.error)} />
        </div>
      ) : invitations.data.length === 0 ? (
        <div className="flex items-center gap-3 px-5 py-6 text-sm text-zinc-500" data-testid="invitations-empty">
          <UsersRound className="size-5 text-zinc-300" aria-hidden />
          {t("members.pending.empty")}
        </div>
      ) : (
        <ul className="divide-y divide-zinc-100" data-testid="invitations-list">
          {invitations.data.map((invitation) => (
            <li
              key={invitation.id}
              data-testid="invitation-row"
              className="flex flex-wrap items-center gap-3 px-5 py-3"
            >
              <div className="min-w-0 flex-1">
                <p className="truncate text-sm font-medium text-zinc-900">{invitation.email}</p>
                <p className="text-xs text-zinc-500">
                  {t("members.pending.expires", { date: formatDate(invitation.expiresAt) })}
                </p>
              </div>
              <Badge>{t(`roles.${invitation.role}`)}</Badge>
              <Button
                size="sm"
                variant="ghost"
                data-testid="invitation-revoke"
                loading={revoke.isPending && revoke.variables === String(invitation.id)}
                icon={<Trash2 className="size-4" aria-hidden />}
                onClick={() => revoke.mutate(String(invitation.id))}
              >
                {t("members.pending.revoke")}
              </Button>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
