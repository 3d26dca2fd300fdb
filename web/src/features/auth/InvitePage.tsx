import { useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { MailX } from "lucide-react";
import { isApiError } from "../../api/client";
import { invitationsApi, queryKeys } from "../../api/endpoints";
import type { AcceptInvitationRequest } from "../../api/types";
import { Button, buttonClasses } from "../../components/Button";
import { Field, Input } from "../../components/Field";
import { FormError } from "../../components/FormError";
import { Badge } from "../../components/Badge";
import { PageSpinner } from "../../components/Spinner";
import { useErrorMessage, useFormErrors } from "../../lib/errors";
import { AuthLayout } from "./AuthLayout";
import { MIN_PASSWORD_LENGTH } from "./RegisterPage";
import { useStartSession } from "./session";

export function InvitePage() {
  const { t } = useTranslation();
  const { token = "" } = useParams();
  const navigate = useNavigate();
  const startSession = useStartSession();
  const errors = useFormErrors();
  const describe = useErrorMessage();
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");

  const lookup = useQuery({
    queryKey: queryKeys.invitationLookup(token),
    queryFn: () => invitationsApi.lookup(token),
    retry: false,
  });

  const accept = useMutation({
    mutationFn: (body: AcceptInvitationRequest) => invitationsApi.accept(body),
    onSuccess: (response) => {
      startSession(response);
      navigate("/", { replace: true });
    },
    onError: errors.fromError,
  });

  if (lookup.isPending) {
    return (
      <AuthLayout title={t("auth.invite.title")}>
        <PageSpinner label={t("common.loading")} />
      </AuthLayout>
    );
  }

  if (lookup.isError) {
    const invalid = isApiError(lookup.error) && lookup.error.status >= 400 && lookup.error.status < 500;
    return (
      <AuthLayout title={t("auth.invite.invalidTitle")}>
        <div className="flex flex-col items-center gap-3 text-center" data-testid="accept-invalid">
          <MailX className="size-8 text-zinc-400" aria-hidden />
          <p className="text-sm text-zinc-600">
            {invalid ? t("auth.invite.invalidBody") : describe(lookup.error)}
          </p>
          <Link to="/login" className={buttonClasses("secondary", "md", "mt-2")}>
            {t("auth.invite.goToLogin")}
          </Link>
        </div>
      </AuthLayout>
    );
  }

  const invitation = lookup.data;
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    errors.reset();
    const body: AcceptInvitationRequest = { token, password };
    if (!invitation.userExists) body.name = name.trim();
    accept.mutate(body);
  };

  return (
    <AuthLayout
      title={t("auth.invite.title")}
      subtitle={t("auth.invite.subtitle", { workspace: invitation.workspaceName })}
    >
      <div className="mb-5 space-y-2 rounded-lg border border-zinc-200 bg-zinc-50 px-4 py-3 text-sm">
        <div className="flex items-center justify-between gap-3">
          <span className="text-zinc-500">{t("auth.invite.workspace")}</span>
          <span className="truncate font-medium text-zinc-900" data-testid="accept-workspace">
            {invitation.workspaceName}
          </span>
        </div>
        <div className="flex items-center justify-between gap-3">
          <span className="text-zinc-500">{t("auth.invite.role")}</span>
          <Badge tone="green" data-testid="accept-role">
            {t(`roles.${invitation.role}`)}
          </Badge>
        </div>
        <div className="flex items-center justify-between gap-3">
          <span className="text-zinc-500">{t("auth.fields.email")}</span>
          <span className="truncate font-medium text-zinc-900">{invitation.email}</span>
        </div>
      </div>
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={errors.message} />
        {invitation.userExists ? (
          <p className="text-sm text-zinc-600">{t("auth.invite.existingUser")}</p>
        ) : (
          <Field name="name" label={t("auth.fields.name")} error={errors.fields.name}>
            <Input
              autoComplete="name"
              autoFocus
              data-testid="accept-name"
              value={name}
              onChange={(e) => {
                setName(e.target.value);
                errors.clearField("name");
              }}
            />
          </Field>
        )}
        <Field
          name="password"
          label={invitation.userExists ? t("auth.invite.yourPassword") : t("auth.fields.password")}
          hint={invitation.userExists ? undefined : t("auth.passwordHint", { min: MIN_PASSWORD_LENGTH })}
          error={errors.fields.password}
        >
          <Input
            type="password"
            autoComplete={invitation.userExists ? "current-password" : "new-password"}
            autoFocus={invitation.userExists}
            data-testid="accept-password"
            value={password}
            onChange={(e) => {
              setPassword(e.target.value);
              errors.clearField("password");
            }}
          />
        </Field>
        <Button
          type="submit"
          variant="primary"
          className="w-full"
          loading={accept.isPending}
          data-testid="accept-submit"
        >
          {t("auth.invite.submit")}
        </Button>
      </form>
    </AuthLayout>
  );
}
