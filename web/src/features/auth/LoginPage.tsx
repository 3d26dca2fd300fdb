import { useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { authApi } from "../../api/endpoints";
import type { LoginRequest } from "../../api/types";
import { Button } from "../../components/Button";
import { Field, Input } from "../../components/Field";
import { FormError } from "../../components/FormError";
import { useFormErrors } from "../../lib/errors";
import { AuthLayout } from "./AuthLayout";
import { safeNext, useStartSession } from "./session";

export function LoginPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const startSession = useStartSession();
  const errors = useFormErrors();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");

  const login = useMutation({
    mutationFn: (body: LoginRequest) => authApi.login(body),
    onSuccess: (response) => {
      startSession(response);
      navigate(next, { replace: true });
    },
    onError: errors.fromError,
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    errors.reset();
    login.mutate({ email: email.trim(), password });
  };

  const registerHref = next === "/" ? "/register" : `/register?next=${encodeURIComponent(next)}`;

  return (
    <AuthLayout
      title={t("auth.login.title")}
      subtitle={t("auth.login.subtitle")}
      footer={
        <>
          {t("auth.login.noAccount")}{" "}
          <Link to={registerHref} className="font-medium text-brand-700 hover:underline">
            {t("auth.login.registerLink")}
          </Link>
        </>
      }
    >
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={errors.message} />
        <Field name="email" label={t("auth.fields.email")} error={errors.fields.email}>
          <Input
            type="email"
            autoComplete="email"
            autoFocus
            data-testid="login-email"
            value={email}
            onChange={(e) => {
              setEmail(e.target.value);
              errors.clearField("email");
            }}
          />
        </Field>
        <Field name="password" label={t("auth.fields.password")} error={errors.fields.password}>
          <Input
            type="password"
            autoComplete="current-password"
            data-testid="login-password"
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
          loading={login.isPending}
          data-testid="login-submit"
        >
          {t("auth.login.submit")}
        </Button>
      </form>
    </AuthLayout>
  );
}
