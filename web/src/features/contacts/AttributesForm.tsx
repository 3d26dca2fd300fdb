/**
 * A contact's custom attributes: one control per definition, by its type (text, number, date,
 * boolean), plus any key a flow wrote without a definition (text). Values go to the server as
 * typed and it checks them against the definition; its 422 lands on the attribute's field.
 */
import { useMemo, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import type { AttributeDefinition, AttributeType } from "../../api/types";
import { Button } from "../../components/Button";
import { Field, Input, Select } from "../../components/Field";
import { FormError } from "../../components/FormError";
import { useContactFormErrors } from "./formErrors";

interface Row {
  key: string;
  label: string;
  type: AttributeType;
  defined: boolean;
}

/** What a stored value looks like in its form control ("" = not set). */
export function controlValue(value: unknown, type: AttributeType): string {
  if (value === null || value === undefined) return "";
  if (type === "boolean") return value === true ? "true" : value === false ? "false" : String(value);
  return String(value);
}

/**
 * The `attributes` of a PATCH: only the keys whose control changed; an emptied control removes
 * the key (null), a boolean goes as true/false, the rest as typed (the server converts).
 */
export function attributeChanges(
  rows: Row[],
  stored: Record<string, unknown>,
  draft: Record<string, string>,
): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const row of rows) {
    const before = controlValue(stored[row.key], row.type);
    const after = draft[row.key] ?? before;
    if (after === before) continue;
    if (after.trim() === "") changes[row.key] = null;
    else if (row.type === "boolean") changes[row.key] = after === "true";
    else changes[row.key] = after;
  }
  return changes;
}

export function attributeRows(definitions: AttributeDefinition[], stored: Record<string, unknown>): Row[] {
  const rows: Row[] = definitions.map((d) => ({ key: d.key, label: d.label, type: d.type, defined: true }));
  const known = new Set(rows.map((r) => r.key));
  for (const key of Object.keys(stored).sort()) {
    if (!known.has(key)) rows.push({ key, label: key, type: "text", defined: false });
  }
  return rows;
}

export function AttributesForm({
  definitions,
  stored,
  saving,
  onSave,
}: {
  definitions: AttributeDefinition[];
  stored: Record<string, unknown>;
  saving: boolean;
  /** Resolves when saved; rejects with the API error. */
  onSave: (changes: Record<string, unknown>) => Promise<unknown>;
}) {
  const { t } = useTranslation();
  const errors = useContactFormErrors();
  const [draft, setDraft] = useState<Record<string, string>>({});
  const rows = useMemo(() => attributeRows(definitions, stored), [definitions, stored]);
  const changes = attributeChanges(rows, stored, draft);
  const dirty = Object.keys(changes).length > 0;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    errors.reset();
    try {
      await onSave(changes);
      setDraft({});
    } catch (error) {
      errors.fromError(error);
    }
  };

  if (rows.length === 0) {
    return <p className="px-5 py-4 text-sm text-zinc-500" data-testid="attributes-none">{t("contacts.attributes.none")}</p>;
  }
  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="space-y-4 px-5 py-4" data-testid="attributes-form">
      <FormError message={errors.banner} />
      <div className="grid gap-4 sm:grid-cols-2">
        {rows.map((row) => {
          const name = `attributes.${row.key}`;
          const value = draft[row.key] ?? controlValue(stored[row.key], row.type);
          const set = (next: string) => {
            setDraft((current) => ({ ...current, [row.key]: next }));
            errors.clearField(name);
          };
          const common = { "data-testid": `attribute-${row.key}`, "data-type": row.type, value };
          return (
            <Field
              key={row.key}
              name={name}
              label={row.label}
              hint={row.defined ? t(`contacts.attributes.types.${row.type}`) : t("contacts.attributes.undefined", { key: row.key })}
              error={errors.fields[name]}
            >
              {row.type === "boolean" ? (
                <Select {...common} onChange={(e) => set(e.target.value)}>
                  <option value="">{t("contacts.attributes.unset")}</option>
                  <option value="true">{t("contacts.attributes.yes")}</option>
                  <option value="false">{t("contacts.attributes.no")}</option>
                </Select>
              ) : (
                <Input
                  {...common}
                  type={row.type === "number" ? "number" : row.type === "date" ? "date" : "text"}
                  step={row.type === "number" ? "any" : undefined}
                  onChange={(e) => set(e.target.value)}
                />
              )}
            </Field>
          );
        })}
      </div>
      <div className="flex justify-end gap-2">
        {dirty ? (
          <Button onClick={() => { setDraft({}); errors.reset(); }} data-testid="attributes-reset">
            {t("common.cancel")}
          </Button>
        ) : null}
        <Button type="submit" variant="primary" disabled={!dirty} loading={saving} data-testid="attributes-save">
          {t("common.save")}
        </Button>
      </div>
    </form>
  );
}
