/**
 * Input forms: pages as zod schemas, field helpers matching pydantic-forms, the stateless multi-page form protocol
 * (`postForm`) and its errors.
 */
export { formPage, pageMeta, pageTitle, validatePage, type FormPage, type FormPageOptions } from "./page.js";
export {
  accept,
  choice,
  choiceList,
  divider,
  label,
  longText,
  migrationSummary,
  readOnlyField,
  readOnlyList,
  type AcceptData,
  type AcceptItemType,
  type ChoiceListOptions,
  type ChoiceOptions,
  type SummaryData,
} from "./fields.js";
export { formSchema, titleFromKey } from "./json-schema.js";
export type { JsonSchema } from "./internal.js";
export {
  ask,
  firstPage,
  generateForm,
  postForm,
  type FormGenerator,
  type FormState,
  type InputForm,
} from "./post-form.js";
export { getForm, listForms, registerForm, startForm } from "./named-forms.js";
export {
  FormError,
  FormNotCompleteError,
  FormNotFoundError,
  FormOverflowError,
  FormValidationError,
  type FormProblem,
} from "./errors.js";
export { pydanticErrorMap, toFieldErrors, type FormFieldError } from "./validation.js";
