/**
 * The widget of one form field, by its kind (see schema.ts): inputs for text, numbers and booleans, a textarea for
 * `format: "long"`, a select for a choice (or a list of at most one choice), checkboxes for a list of choices, an
 * add/remove list for other arrays, a fieldset for a nested object, and display-only labels, dividers and summaries.
 */
import type { ChangeEvent } from "react";
import { fieldSpec, fieldsOf, initialValue, readOnlyValue, type Choice, type FieldSpec, type Schema } from "./schema.ts";

export interface FieldInputProps {
  field: FieldSpec;
  root: Schema;
  id: string;
  value: unknown;
  onChange: (value: unknown) => void;
  /** ids of the description and error texts (aria-describedby). */
  describedBy: string | undefined;
  invalid: boolean;
  disabled: boolean;
}

const choiceKey = (value: Choice["value"]) => JSON.stringify(value);

function ChoiceSelect({ id, choices, value, onChange, describedBy, invalid, disabled, required }: {
  id: string;
  choices: Choice[];
  value: unknown;
  onChange: (value: unknown) => void;
  describedBy: string | undefined;
  invalid: boolean;
  disabled: boolean;
  required: boolean;
}) {
  const selected = value === "" || value === undefined ? "" : choiceKey(value as Choice["value"]);
  return (
    <select
      id={id}
      value={selected}
      aria-describedby={describedBy}
      aria-invalid={invalid || undefined}
      aria-required={required || undefined}
      disabled={disabled}
      onChange={(event) => onChange(event.target.value === "" ? "" : (JSON.parse(event.target.value) as unknown))}
    >
      <option value="">Choose…</option>
      {choices.map((choice) => (
        <option key={choiceKey(choice.value)} value={choiceKey(choice.value)}>
          {choice.label}
        </option>
      ))}
    </select>
  );
}

function Summary({ schema }: { schema: Schema }) {
  const holder = (schema.extraProperties ?? schema.uniforms) as { data?: { headers?: string[]; labels?: string[]; columns?: unknown[][] } } | undefined;
  const data = holder?.data ?? {};
  const labels = data.labels ?? [];
  const columns = data.columns ?? [];
  return (
    <table className="form-summary">
      {data.headers && (
        <thead>
          <tr>
            {labels.length > 0 && <th />}
            {data.headers.map((header) => (
              <th key={header} scope="col">
                {header}
              </th>
            ))}
          </tr>
        </thead>
      )}
      <tbody>
        {(labels.length > 0 ? labels : (columns[0] ?? []).map((_, i) => String(i))).map((label, row) => (
          <tr key={label}>
            {labels.length > 0 && <th scope="row">{label}</th>}
            {columns.map((column, c) => (
              <td key={c}>{String(column[row] ?? "")}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The Accept checklist: every non-optional checkbox must be ticked for the value "ACCEPTED". */
function Accept({ field, id, onChange, describedBy, invalid, disabled }: FieldInputProps) {
  const items = Array.isArray(field.schema.data) ? (field.schema.data as [string, string][]) : [];
  const boxes = items.filter(([, type]) => type.includes("checkbox"));
  if (boxes.length === 0) {
    return (
      <label className="checkbox">
        <input
          id={id}
          type="checkbox"
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          disabled={disabled}
          onChange={(event) => onChange(event.target.checked ? "ACCEPTED" : "INCOMPLETE")}
        />{" "}
        I accept
      </label>
    );
  }
  const form = (event: ChangeEvent<HTMLInputElement>) => {
    const fieldset = event.target.closest("fieldset");
    const all = [...(fieldset?.querySelectorAll<HTMLInputElement>("input[data-required=true]") ?? [])];
    onChange(all.every((box) => box.checked) ? "ACCEPTED" : "INCOMPLETE");
  };
  return (
    <fieldset className="accept" aria-describedby={describedBy} id={id}>
      {items.map(([text, type], index) =>
        type.includes("checkbox") ? (
          <label key={index} className="checkbox">
            <input type="checkbox" data-required={!type.endsWith("?")} disabled={disabled} onChange={form} /> {text}
          </label>
        ) : type === "skip" || type === "margin" ? null : (
          <p key={index} className={`accept-${type}`}>
            {text}
          </p>
        ),
      )}
    </fieldset>
  );
}

export function FieldInput(props: FieldInputProps) {
  const { field, root, id, value, onChange, describedBy, invalid, disabled } = props;
  const common = { id, "aria-describedby": describedBy, "aria-invalid": invalid || undefined, "aria-required": field.required || undefined, disabled };
  switch (field.kind) {
    case "label": {
      const text = typeof field.schema.default === "string" && field.schema.default ? field.schema.default : field.title;
      return <p className="form-label-text">{text}</p>;
    }
    case "divider":
      return <hr />;
    case "summary":
      return <Summary schema={field.schema} />;
    case "accept":
      return <Accept {...props} />;
    case "readonly": {
      const shown = readOnlyValue(field.schema);
      return <input {...common} readOnly aria-readonly="true" value={Array.isArray(shown) ? shown.join(", ") : String(shown ?? "")} />;
    }
    case "boolean":
      return <input {...common} type="checkbox" checked={value === true} onChange={(event) => onChange(event.target.checked)} />;
    case "integer":
    case "number":
      return (
        <input
          {...common}
          type="number"
          inputMode={field.kind === "integer" ? "numeric" : "decimal"}
          step={field.kind === "integer" ? 1 : "any"}
          min={typeof field.schema.minimum === "number" ? field.schema.minimum : undefined}
          max={typeof field.schema.maximum === "number" ? field.schema.maximum : undefined}
          value={String(value ?? "")}
          onChange={(event) => onChange(event.target.value)}
        />
      );
    case "long":
      return <textarea {...common} rows={4} value={String(value ?? "")} onChange={(event) => onChange(event.target.value)} />;
    case "text":
      return (
        <input
          {...common}
          type={field.schema.format === "email" ? "email" : field.schema.format === "password" ? "password" : "text"}
          value={String(value ?? "")}
          maxLength={typeof field.schema.maxLength === "number" ? field.schema.maxLength : undefined}
          onChange={(event) => onChange(event.target.value)}
        />
      );
    case "choice":
      return (
        <ChoiceSelect
          id={id}
          choices={field.choices}
          value={value}
          onChange={onChange}
          describedBy={describedBy}
          invalid={invalid}
          disabled={disabled}
          required={field.required}
        />
      );
    case "choices": {
      const list = Array.isArray(value) ? value : [];
      if (field.maxItems === 1) {
        // a list of exactly one choice (pydantic-forms' single-select list) is a dropdown
        return (
          <ChoiceSelect
            id={id}
            choices={field.choices}
            value={list[0] ?? ""}
            onChange={(v) => onChange(v === "" ? [] : [v])}
            describedBy={describedBy}
            invalid={invalid}
            disabled={disabled}
            required={field.required}
          />
        );
      }
      const keys = new Set(list.map((v) => choiceKey(v as Choice["value"])));
      return (
        <div role="group" id={id} aria-describedby={describedBy} className="choice-group">
          {field.choices.map((choice) => {
            const key = choiceKey(choice.value);
            const checked = keys.has(key);
            const full = field.maxItems !== undefined && keys.size >= field.maxItems && !checked;
            return (
              <label key={key} className="checkbox">
                <input
                  type="checkbox"
                  checked={checked}
                  disabled={disabled || full}
                  onChange={(event) =>
                    onChange(event.target.checked ? [...list, choice.value] : list.filter((v) => choiceKey(v as Choice["value"]) !== key))
                  }
                />{" "}
                {choice.label}
              </label>
            );
          })}
        </div>
      );
    }
    case "list": {
      const list = Array.isArray(value) ? value : [];
      const itemField = fieldSpec(`${field.name}`, field.items ?? {}, root, true);
      const canAdd = field.maxItems === undefined || list.length < field.maxItems;
      const canRemove = list.length > (field.minItems ?? 0);
      return (
        <div role="group" id={id} aria-describedby={describedBy} className="list-field">
          {list.map((item, index) => (
            <div key={index} className="list-item">
              <label className="visually-hidden" htmlFor={`${id}-${index}`}>
                {field.title} {index + 1}
              </label>
              <FieldInput
                {...props}
                field={{ ...itemField, title: `${field.title} ${index + 1}` }}
                id={`${id}-${index}`}
                value={item}
                describedBy={undefined}
                onChange={(next) => onChange(list.map((old, i) => (i === index ? next : old)))}
              />
              <button type="button" disabled={disabled || !canRemove} onClick={() => onChange(list.filter((_, i) => i !== index))} aria-label={`Remove ${field.title} ${index + 1}`}>
                Remove
              </button>
            </div>
          ))}
          <button type="button" disabled={disabled || !canAdd} onClick={() => onChange([...list, initialValue(itemField, root)])}>
            Add {field.title}
          </button>
        </div>
      );
    }
    case "object": {
      const record = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
      return (
        <div role="group" id={id} aria-describedby={describedBy} className="object-field">
          {fieldsOf(field.schema, root).map((sub) => (
            <div key={sub.name} className="form-field">
              <label htmlFor={`${id}-${sub.name}`}>{sub.title}</label>
              <FieldInput
                {...props}
                field={sub}
                id={`${id}-${sub.name}`}
                value={record[sub.name]}
                describedBy={undefined}
                invalid={false}
                onChange={(next) => onChange({ ...record, [sub.name]: next })}
              />
            </div>
          ))}
        </div>
      );
    }
  }
}
