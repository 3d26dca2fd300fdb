import { useCallback, useState } from "react";
import { isApiError } from "../../api/client";
import { useErrorMessage } from "../../lib/errors";

/**
 * Field → message from an API error, for the contacts forms.
 *
 * The contacts rules (409 duplicate phone, 422 phone or attribute type) answer a full sentence
 * in `error` ("phone: +54… is already the contact Ana") and a terse code in `fields`
 * ({"phone": "duplicate"}): the sentence is what a user can act on, so it goes on the field.
 * Request validation (400) names each field with its own reason, which is kept as is.
 */
export function fieldMessages(error: unknown): Record<string, string> {
  if (!isApiError(error)) return {};
  const names = Object.keys(error.fields);
  if ((error.status === 409 || error.status === 422) && names.length === 1 && error.message) {
    const name = names[0];
    return { [name]: error.message.startsWith(`${name}: `) ? error.message.slice(name.length + 2) : error.message };
  }
  return error.fields;
}

/** Field errors next to the inputs, and a banner only for what no field explains. */
export function useContactFormErrors() {
  const describe = useErrorMessage();
  const [fields, setFields] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<string | null>(null);

  const fromError = useCallback(
    (error: unknown) => {
      const mapped = fieldMessages(error);
      setFields(mapped);
      setBanner(Object.keys(mapped).length > 0 ? null : describe(error));
    },
    [describe],
  );
  const reset = useCallback(() => {
    setFields({});
    setBanner(null);
  }, []);
  const clearField = useCallback((name: string) => {
    setFields((current) => {
      if (!(name in current)) return current;
      const next = { ...current };
      delete next[name];
      return next;
    });
  }, []);
  return { fields, banner, fromError, reset, clearField };
}
