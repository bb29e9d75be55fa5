/**
 * The errors of the form protocol, each with a stable `code` and `toProblem()`: the HTTP status and JSON body
 * orchestrator-core (pydantic-forms' FastAPI handler) answers with, for the API layer to send unchanged.
 */
import { OrchestratorError } from "../errors.js";
import type { JsonSchema } from "./internal.js";
import { formatFieldErrors, type FormFieldError } from "./validation.js";

/** The JSON body of a form error response. */
export interface FormProblem {
  type: string;
  title: string;
  detail: string;
  status: number;
  [key: string]: unknown;
}

/** Base class of the form errors. */
export abstract class FormError extends OrchestratorError {
  /** HTTP status the API answers with. */
  abstract readonly status: number;
  /** HTTP body the API answers with. */
  abstract toProblem(): FormProblem;
}

/**
 * The user inputs ran out while the form has another page: part of the normal flow. `form` is the JSON Schema of that
 * page, `meta` the page's extra data (`formPage(..., { meta })`), null if it has none. HTTP 510 Not Extended.
 */
export class FormNotCompleteError extends FormError {
  readonly status = 510;
  readonly form: JsonSchema;
  readonly meta: unknown;

  constructor(form: JsonSchema, meta: unknown = null) {
    super("form_not_complete", `Form not complete: the next page is "${String(form.title ?? "unknown")}"`);
    this.form = form;
    this.meta = meta;
  }

  toProblem(): FormProblem {
    return {
      type: "FormNotCompleteError",
      title: "Form not complete",
      detail: JSON.stringify(this.form),
      form: this.form,
      meta: this.meta ?? null,
      status: this.status,
    };
  }
}

/** A page input did not validate. `errors` is pydantic-forms' `validation_errors` list. HTTP 400. */
export class FormValidationError extends FormError {
  readonly status = 400;
  /** The title of the page that failed. */
  readonly pageName: string;
  readonly errors: FormFieldError[];

  constructor(pageName: string, errors: FormFieldError[]) {
    super("form_invalid", formatFieldErrors(pageName, errors));
    this.pageName = pageName;
    this.errors = errors;
  }

  toProblem(): FormProblem {
    return {
      type: "FormValidationError",
      title: "Form not valid",
      detail: this.message,
      validation_errors: this.errors,
      status: this.status,
    };
  }
}

/** More user inputs than the form has pages. HTTP 500, as in orchestrator-core. */
export class FormOverflowError extends FormError {
  readonly status = 500;
  readonly remaining: number;

  constructor(remaining: number) {
    super("form_overflow", `Did not process all user_inputs (${remaining} remaining)`);
    this.remaining = remaining;
  }

  toProblem(): FormProblem {
    return { type: "FormOverflowError", title: "Internal Server Error", detail: this.message, status: this.status };
  }
}

/** No form is registered under the requested key (named forms, `POST /api/forms/{key}`). HTTP 404. */
export class FormNotFoundError extends FormError {
  readonly status = 404;
  readonly key: string;

  constructor(key: string) {
    super("form_not_found", `Form ${key} does not exist.`);
    this.key = key;
  }

  toProblem(): FormProblem {
    return { type: "FormNotFoundError", title: "Form not found", detail: this.message, status: this.status };
  }
}
