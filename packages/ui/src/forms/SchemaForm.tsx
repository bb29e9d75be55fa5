/**
 * One page of a server form: its title, every field with its label, description and server errors (inline, linked
 * with aria-describedby), and the Back / Next (or Submit) buttons.
 */
import { useEffect, useId, useMemo, useState, type FormEvent } from "react";
import { FieldInput } from "./FieldInput.tsx";
import { errorsByField, fieldsOf, initialValues, isDisplayOnly, pageData, type FieldError, type Schema } from "./schema.ts";

export interface SchemaFormProps {
  schema: Schema;
  /** Values to start from (the page's earlier input when going back). */
  values?: Record<string, unknown> | undefined;
  errors: readonly FieldError[];
  busy: boolean;
  hasNext: boolean;
  onSubmit: (data: Record<string, unknown>, values: Record<string, unknown>) => void;
  onBack?: (() => void) | undefined;
  onCancel?: (() => void) | undefined;
}

export function SchemaForm({ schema, values: given, errors, busy, hasNext, onSubmit, onBack, onCancel }: SchemaFormProps) {
  const fields = useMemo(() => fieldsOf(schema, schema), [schema]);
  const [values, setValues] = useState<Record<string, unknown>>(() => initialValues(schema, schema, given));
  const grouped = useMemo(() => errorsByField(errors, fields.map((f) => f.name)), [errors, fields]);
  // a field's server error goes away once the field is changed
  const [edited, setEdited] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => setEdited(new Set()), [errors]);
  const base = useId();
  const title = typeof schema.title === "string" && schema.title !== "unknown" ? schema.title : undefined;
  const general = grouped.get("") ?? [];

  function submit(event: FormEvent) {
    event.preventDefault();
    onSubmit(pageData(schema, schema, values), values);
  }

  return (
    <form className="schema-form" onSubmit={submit} noValidate aria-label={title ?? "Form"}>
      {title && <h3>{title}</h3>}
      {typeof schema.description === "string" && <p className="muted">{schema.description}</p>}
      {general.length > 0 && (
        <div role="alert" className="error-box">
          {general.map((message) => (
            <p key={message}>{message}</p>
          ))}
        </div>
      )}
      {fields.length === 0 && <p className="muted">No input needed.</p>}
      {fields.map((field) => {
        const id = `${base}-${field.name}`;
        const messages = edited.has(field.name) ? [] : (grouped.get(field.name) ?? []);
        const descriptionId = field.description ? `${id}-description` : undefined;
        const errorId = messages.length > 0 ? `${id}-error` : undefined;
        const describedBy = [descriptionId, errorId].filter(Boolean).join(" ") || undefined;
        const input = (
          <FieldInput
            field={field}
            root={schema}
            id={id}
            value={values[field.name]}
            onChange={(value) => {
              setValues((old) => ({ ...old, [field.name]: value }));
              if (!edited.has(field.name)) setEdited((old) => new Set(old).add(field.name));
            }}
            describedBy={describedBy}
            invalid={messages.length > 0}
            disabled={busy}
          />
        );
        const isGroup = field.kind === "choices" && field.maxItems !== 1;
        return (
          <div key={field.name} className={`form-field kind-${field.kind}${messages.length > 0 ? " has-error" : ""}`}>
            {isDisplayOnly(field) ? (
              input
            ) : field.kind === "boolean" ? (
              <label htmlFor={id} className="checkbox">
                {input} {field.title}
              </label>
            ) : (
              <>
                {isGroup || field.kind === "list" || field.kind === "object" || field.kind === "accept" ? (
                  <span className="field-title" id={`${id}-title`}>
                    {field.title}
                  </span>
                ) : (
                  <label htmlFor={id}>
                    {field.title}
                    {field.required && <span aria-hidden="true"> *</span>}
                  </label>
                )}
                {input}
              </>
            )}
            {field.description && (
              <p className="field-description" id={descriptionId}>
                {field.description}
              </p>
            )}
            {messages.length > 0 && (
              <p className="field-error" id={errorId}>
                {messages.join("; ")}
              </p>
            )}
          </div>
        );
      })}
      <div className="form-buttons">
        {onCancel && (
          <button type="button" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
        )}
        {onBack && (
          <button type="button" onClick={onBack} disabled={busy}>
            Back
          </button>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {hasNext ? "Next" : "Submit"}
        </button>
      </div>
    </form>
  );
}
