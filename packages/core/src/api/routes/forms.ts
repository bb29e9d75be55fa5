/**
 * `/api/forms/{form_key}`: named standalone forms (registered with `registerForm`, pydantic-forms' `register_form`),
 * with the form protocol of process starts: the pages submitted so far (`[]` first), answered 510 with the next page,
 * 400 with per-field errors, or 200 with the form's result. An unknown key is a 404.
 */
import { z } from "zod";
import { startForm } from "../../forms/index.js";
import { userName, type ApiContext, type ZodApp } from "../app.js";
import { identifier } from "../schemas.js";

const pageInputs = z.array(z.record(z.string(), z.unknown())).describe("The form pages submitted so far: [] asks for the first page");

export async function formRoutes(app: ZodApp, _ctx: ApiContext): Promise<void> {
  app.post(
    "/forms/:form_key",
    {
      schema: {
        tags: ["forms"],
        summary: "Fill in a named form: 510 with the next page, 400 with field errors, 200 with the result; 404 unknown form",
        params: z.object({ form_key: identifier() }),
        body: pageInputs,
        response: { 200: z.record(z.string(), z.unknown()).describe("The form's result") },
      },
    },
    // FormNotFoundError (404), FormNotCompleteError (510) and FormValidationError (400) are answered by problem.ts
    async (request) => startForm(request.params.form_key, request.body, { user: userName(request.user) }),
  );
}
