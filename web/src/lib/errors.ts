import { useCallback, useState } from "react";
import { useTranslation } from "react-i18next";
import { isApiError } from "../api/client";

/** Turns any thrown value into a message for a banner or toast. */
export function useErrorMessage() {
  const { t } = useTranslation();
  return useCallback(
    (error: unknown): string => {
      if (isApiError(error)) {
        if (error.isNetworkError) return t("errors.network");
        if (error.message) return error.message;
        if (error.status === 403) return t("errors.forbidden");
        if (error.status === 404) return t("errors.notFound");
        if (error.status === 429) return t("errors.tooManyRequests");
        return t("errors.generic");
      }
      return t("errors.generic");
    },
    [t],
  );
}

/** Field errors (next to inputs) and a form-level message (banner) from an API error. */
export function useFormErrors() {
  const describe = useErrorMessage();
  const [fields, setFields] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);

  const fromError = useCallback(
    (error: unknown) => {
      setFields(isApiError(error) ? error.fields : {});
      setMessage(describe(error));
    },
    [describe],
  );

  const reset = useCallback(() => {
    setFields({});
    setMessage(null);
  }, []);

  const clearField = useCallback((name: string) => {
    setFields((current) => {
      if (!(name in current)) return current;
      const next = { ...current };
      delete next[name];
      return next;
    });
  }, []);

  return { fields, message, fromError, reset, clearField };
}
