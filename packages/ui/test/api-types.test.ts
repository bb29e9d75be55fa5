/**
 * The committed src/api/openapi.gen.ts is what the server's routes give now: a route changed without
 * `npm run api-types` fails here (build:ui and typecheck regenerate it, so this catches a stale commit).
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { currentApiTypes, generateApiTypes } from "../scripts/api-types.ts";

/** The first line where two texts differ, for a short message instead of a diff of 2,000 lines. */
function firstDifference(actual: string, expected: string): string {
  const a = actual.split("\n");
  const e = expected.split("\n");
  const index = a.findIndex((line, i) => line !== e[i]);
  const at = index === -1 ? a.length : index;
  return `line ${at + 1}: committed ${JSON.stringify(a[at] ?? "(end)")}, generated ${JSON.stringify(e[at] ?? "(end)")}`;
}

it("the committed API types are generated from the server's current OpenAPI document", { timeout: 60_000 }, async () => {
  const committed = currentApiTypes();
  assert.ok(committed, "packages/ui/src/api/openapi.gen.ts is missing: run `npm run api-types`");
  const generated = await generateApiTypes();
  if (committed !== generated) {
    assert.fail(`packages/ui/src/api/openapi.gen.ts is stale (${firstDifference(committed, generated)}): run \`npm run api-types\` and commit it`);
  }
});
