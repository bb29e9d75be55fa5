/**
 * Input forms and the stateless multi-page form protocol (pydantic-forms `post_form`).
 *
 * The server keeps nothing between calls: the client posts the list of all pages it filled in so far, and the form
 * is replayed from the start against it. Each call either ends with the form's result, or with `FormNotCompleteError`
 * carrying the JSON Schema of the next page, or with `FormValidationError` for the first page that does not validate.
 * Form generators must therefore be deterministic: the same state and inputs must lead to the same pages.
 */
import type { z } from "zod";
import { FormNotCompleteError, FormOverflowError } from "./errors.js";
import { isZodSchema, type JsonSchema } from "./internal.js";
import { formSchema } from "./json-schema.js";
import { pageMeta, validatePage, type FormPage } from "./page.js";

/** The state a form runs against (the process state) and the data it produces. */
export type FormState = Record<string, unknown>;

/**
 * A multi-page form: yields pages; each `yield page` evaluates to that page's validated, parsed data (use
 * `yield* ask(page)` for a typed result). The return value is the form's result, merged into the process state.
 */
export type FormGenerator =
  | AsyncGenerator<FormPage, FormState | void, unknown>
  | Generator<FormPage, FormState | void, unknown>;

/**
 * An input form: a function of the state returning either a form generator (multi-page) or a single page (possibly
 * asynchronously); a single page's parsed data is the form's result.
 */
export type InputForm = (state: FormState) => FormGenerator | FormPage | Promise<FormPage>;

/** Asks for one page inside a form generator and returns its parsed data, typed: `const p = yield* ask(page)`. */
export async function* ask<P extends FormPage>(page: P): AsyncGenerator<P, z.output<P>, unknown> {
  return (yield page) as z.output<P>;
}

type Driver = {
  next(value?: unknown): Promise<IteratorResult<unknown, unknown>> | IteratorResult<unknown, unknown>;
  return?(value?: unknown): unknown;
};

function isIterator(value: unknown): value is Driver {
  return typeof value === "object" && value !== null && typeof (value as { next?: unknown }).next === "function" && !isZodSchema(value);
}

async function* singlePage(page: FormPage | Promise<FormPage>): AsyncGenerator<FormPage, FormState, unknown> {
  return (yield await page) as FormState;
}

function start(form: InputForm, state: FormState): Driver {
  const produced = form(state);
  return isIterator(produced) ? produced : singlePage(produced);
}

/**
 * A deep copy of the state, so a form never changes the caller's object: plain objects, arrays, Dates, Maps and Sets
 * are copied; other class instances (domain models) are shared, keeping their prototype.
 */
function copyState(state: FormState): FormState {
  const seen = new Map<object, unknown>();
  const copy = (value: unknown): unknown => {
    if (typeof value !== "object" || value === null) return value;
    const done = seen.get(value);
    if (done !== undefined) return done;
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      seen.set(value, out);
      for (const item of value) out.push(copy(item));
      return out;
    }
    if (value instanceof Date) return new Date(value.getTime());
    if (value instanceof Map) {
      const out = new Map();
      seen.set(value, out);
      for (const [key, item] of value) out.set(key, copy(item));
      return out;
    }
    if (value instanceof Set) {
      const out = new Set();
      seen.set(value, out);
      for (const item of value) out.add(copy(item));
      return out;
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return value;
    const out: Record<string, unknown> = {};
    seen.set(value, out);
    for (const [key, item] of Object.entries(value)) {
      // defineProperty, not assignment: an own "__proto__" key must stay a key
      Object.defineProperty(out, key, { value: copy(item), enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  return copy(state) as FormState;
}

function asPage(value: unknown): FormPage {
  if (!isZodSchema(value)) throw new TypeError("A form yielded something that is not a zod schema (a form page)");
  return value as unknown as FormPage;
}

/**
 * Runs `form` against a copy of `state` with `userInputs` (one object per page, in order):
 * - each input is validated against the current page (`FormValidationError` on failure), merged into the state copy
 *   the form sees, and its parsed data sent into the form;
 * - the form wants another page but the inputs ran out: `FormNotCompleteError` with that page's JSON Schema;
 * - the form finished with inputs left over: `FormOverflowError`;
 * - otherwise the form's result. No form: `{}`.
 */
export async function postForm(
  form: InputForm | undefined,
  state: FormState,
  userInputs: readonly unknown[],
): Promise<FormState> {
  if (!form) return {};
  const currentState = copyState(state);
  const inputs = [...userInputs];
  const generator = start(form, currentState);
  let finished = false;
  try {
    let step = await generator.next();
    while (!step.done) {
      const page = asPage(step.value);
      if (inputs.length === 0) throw new FormNotCompleteError(formSchema(page), pageMeta(page));
      const data = await validatePage(page, inputs.shift());
      Object.assign(currentState, data);
      step = await generator.next(data);
    }
    finished = true;
    if (inputs.length > 0) throw new FormOverflowError(inputs.length);
    const result = step.value;
    return typeof result === "object" && result !== null ? (result as FormState) : {};
  } finally {
    if (!finished) {
      try {
        await generator.return?.(undefined);
      } catch {
        // the form's own cleanup failing must not hide the form error
      }
    }
  }
}

/**
 * The JSON Schema of the page the form asks for after `userInputs`, or null when the form is complete
 * (pydantic-forms `generate_form`). Validation errors are thrown as by `postForm`.
 */
export async function generateForm(
  form: InputForm | undefined,
  state: FormState,
  userInputs: readonly unknown[],
): Promise<JsonSchema | null> {
  try {
    await postForm(form, state, userInputs);
  } catch (error) {
    if (error instanceof FormNotCompleteError) return error.form;
    throw error;
  }
  return null;
}

/** The JSON Schema of a form's first page, or null when it has none (e.g. to show the form of a suspended step). */
export function firstPage(form: InputForm | undefined, state: FormState): Promise<JsonSchema | null> {
  return generateForm(form, state, []);
}
