/**
 * `/api/translations/{locale}` (public, as in orchestrator-core): the labels the WFO UI merges into its own —
 * `forms.fields` (form field labels) and `workflow` (a workflow's name → its description, from the database) —
 * deep-merged with `<TRANSLATIONS_DIR>/<locale>.json` when that setting names a folder with such a file. The UI loads
 * it on every page and does without it when it fails.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { z } from "zod";
import { PUBLIC_ROUTE, type ApiContext, type ZodApp } from "../app.js";

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** `source` merged into `target` (objects key by key, anything else replaced). */
function merge(target: Json, source: Json): Json {
  for (const [key, value] of Object.entries(source)) target[key] = isObject(target[key]) && isObject(value) ? merge(target[key] as Json, value) : value;
  return target;
}

export async function translationRoutes(app: ZodApp, ctx: ApiContext): Promise<void> {
  app.get(
    "/translations/:locale",
    {
      ...PUBLIC_ROUTE,
      schema: {
        tags: ["translations"],
        summary: "Labels for the WFO UI: form fields and workflows, and the app's own file for the locale",
        params: z.object({ locale: z.string().max(35, { error: "at most 35 characters" }).regex(/^[a-z]+-[A-Z]+$/, { error: "a locale such as en-GB or nl-NL" }) }),
        response: { 200: z.record(z.string(), z.unknown()) },
      },
    },
    async (request) => {
      const workflows = await ctx.database.db.selectFrom("workflows").select(["name", "description"]).where("deleted_at", "is", null).orderBy("name").execute();
      const translations: Json = { forms: { fields: {} }, workflow: Object.fromEntries(workflows.map((w) => [w.name, w.description])) };
      const folder = ctx.settings.TRANSLATIONS_DIR;
      if (!folder) return translations;
      const file = resolve(folder, `${request.params.locale}.json`);
      let text: string;
      try {
        text = await readFile(file, "utf8");
      } catch {
        return translations;
      }
      try {
        const own = JSON.parse(text) as unknown;
        if (isObject(own)) return merge(translations, own);
        request.log.warn({ file }, "translations file is not a JSON object: ignored");
      } catch (error) {
        request.log.warn({ file, err: error }, "translations file is not JSON: ignored");
      }
      return translations;
    },
  );
}
