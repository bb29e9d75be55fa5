/**
 * Named standalone forms (pydantic-forms `register_form` / `start_form`), served by `POST /api/forms/{key}`.
 */
import { FormNotFoundError } from "./errors.js";
import { postForm, type FormState, type InputForm } from "./post-form.js";

const forms = new Map<string, InputForm>();

/** Registers a form under `key`. Registering a different form under a taken key throws. */
export function registerForm(key: string, form: InputForm): void {
  const existing = forms.get(key);
  if (existing && existing !== form) throw new Error(`Trying to re-register form ${key} with a different function`);
  forms.set(key, form);
}

/** The keys of the registered forms. */
export function listForms(): string[] {
  return [...forms.keys()];
}

/** The form registered under `key`; `FormNotFoundError` if there is none. */
export function getForm(key: string): InputForm {
  const form = forms.get(key);
  if (!form) throw new FormNotFoundError(key);
  return form;
}

/** Runs the named form with state `{ form_key: key, ...extraState }` (see `postForm`). */
export function startForm(key: string, userInputs: readonly unknown[] = [], extraState: FormState = {}): Promise<FormState> {
  return postForm(getForm(key), { form_key: key, ...extraState }, userInputs);
}
