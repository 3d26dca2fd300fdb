import { useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { authApi } from "../../api/endpoints";
import type { RegisterRequest } from "../../api/types";
import { Button } from "../../components/Button";
import { Field, Input } from "../../components/Field";
import { FormError } from "../../components/FormError";
import { useFormErrors } from "../../lib/errors";
import { AuthLayout } from "./AuthLayout";
import { safeNext, useStartSession } from "./session";

export const MIN_PASSWORD_LENGTH = 8;

export function RegisterPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const startSession = useStartSession();
  const errors = useFormErrors();
  const [form, setForm] = useState({ name: "", workspaceName: "", email: "", password: "" });

  const register = useMutation({
    mutationFn: (body: RegisterRequest) => authApi.register(body),
    onSuccess: (response) => {
      startSession(response);
      navigate(next, { replace: true });
    },
    onError: errors.fromError,
  });

  const set = (key: keyof typeof form) => (value: string) => {
    setForm((current) => ({ ...current, [key]: value }));
    errors.clearField(key);
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    errors.reset();
    const body: RegisterRequest = {
      name: form.name.trim(),
      email: form.email.trim(),
      password: form.password,
    };
    if (form.workspaceName.trim()) body.workspaceName = form.workspaceName.trim();
    register.mutate(body);
  };

  const shortPassword = form.password.length > 0 && form.password.length < MIN_PASSWORD_LENGTH;
  const loginHref = next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`;

  return (
    <AuthLayout
      title={t("auth.register.title")}
      subtitle={t("auth.register.subtitle")}
      footer={
        <>
          {t("auth.register.haveAccount")}{" "}
          <Link to={loginHref} className="font-medium text-brand-700 hover:underline">
            {t("auth.register.loginLink")}
          </Link>
        </>
      }
    >
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={errors.message} />
        <Field name="name" label={t("auth.fields.name")} error={errors.fields.name}>
          <Input
            autoComplete="name"
            autoFocus
            data-testid="register-name"
            value={form.name}
            onChange={(e) => set("name")(e.target.value)}
          />
        </Field>
        <Field
          name="workspaceName"
          label={
            <>
              {t("auth.fields.workspaceName")}{" "}
              <span className="font-normal text-zinc-400">{t("common.optional")}</span>
            </>
          }
          hint={t("auth.register.workspaceHint")}
          error={errors.fields.workspaceName}
        >
          <Input
            autoComplete="organization"
            data-testid="register-workspace"
            value={form.workspaceName}
            onChange={(e) => set("workspaceName")(e.target.value)}
          />
        </Field>
        <Field name="email" label={t("auth.fields.email")} error={errors.fields.email}>
          <Input
            type="email"
            autoComplete="email"
            data-testid="register-email"
            value={form.email}
            onChange={(e) => set("email")(e.target.value)}
          />
        </Field>
        <Field
          name="password"
          label={t("auth.fields.password")}
          hint={
            <span className={shortPassword ? "text-amber-700" : undefined}>
              {t("auth.passwordHint", { min: MIN_PASSWORD_LENGTH })}
            </span>
          }
          error={errors.fields.password}
        >
          <Input
            type="password"
            autoComplete="new-password"
            data-testid="register-password"
            value={form.password}
            onChange={(e) => set("password")(e.target.value)}
          />
        </Field>
        <Button
          type="submit"
          variant="primary"
          className="w-full"
          loading={register.isPending}
          data-testid="register-submit"
        >
          {t("auth.register.submit")}
        </Button>
      </form>
    </AuthLayout>
  );
}
