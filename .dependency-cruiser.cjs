/**
 * The import rules of packages/core/src (`npm run lint:boundaries`; docs/architecture.md explains them).
 *
 * 1. Faces: a module imports another folder only through that folder's `index.ts` (within a folder, modules import
 *    each other directly).
 * 2. Layers: data flows down. A module imports only from its own layer or the layers below it:
 *
 *      base (errors.ts, targets.ts) → db → settings.ts → migrations → domain → forms → workflow → workflows → api → cli
 *
 *    with the package's faces (index.ts, create-workflow.ts, testing.ts) on top.
 * 3. Apps (examples/, bench/) use the package only by its name (`@orchestrator-ts/core` and its subpath exports),
 *    never a relative path into packages/core/src. Tests (packages/*\/test) may import any module: unit tests reach
 *    into internals on purpose, so they are not cruised.
 *
 * TypeScript 7 has no JavaScript compiler API, which dependency-cruiser's own TypeScript parser needs; the sources
 * are parsed with swc instead (`parser: "swc"`).
 */
const SRC = "^packages/core/src/";

/** The layers from the bottom up: a layer may import its own and the ones before it. */
const LAYERS = [
  ["base", ["errors\\.ts$", "targets\\.ts$", "printable\\.ts$"]],
  ["db", ["db/"]],
  ["settings", ["settings\\.ts$"]],
  ["migrations", ["migrations/"]],
  ["domain", ["domain/"]],
  ["forms", ["forms/"]],
  ["workflow", ["workflow/"]],
  ["workflows", ["workflows/"]],
  ["api", ["api/"]],
  ["cli", ["cli/"]],
  ["package", ["index\\.ts$", "create-workflow\\.ts$", "testing\\.ts$"]],
];

const paths = (layer) => layer[1].map((p) => SRC + p);

/** One rule per layer: nothing in it imports a layer above it. */
const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer[0]}`,
  comment: `${layer[0]} is below ${LAYERS.slice(i + 1).map((l) => l[0]).join(", ")}: it must not import them (data flows down)`,
  severity: "error",
  from: { path: paths(layer) },
  to: { path: LAYERS.slice(i + 1).flatMap(paths) },
}));

module.exports = {
  forbidden: [
    {
      name: "through-the-face",
      comment: "import another folder through its index.ts (its face), not one of its modules",
      severity: "error",
      from: { path: `${SRC}([^/]+)/` },
      to: { path: `${SRC}[^/]+/.`, pathNot: [`${SRC}$1/`, `${SRC}[^/]+/index\\.ts$`] },
    },
    {
      name: "package-face-through-the-face",
      comment: "the package's faces (src/*.ts) import a folder through its index.ts too",
      severity: "error",
      from: { path: `${SRC}[^/]+\\.ts$` },
      to: { path: `${SRC}[^/]+/.`, pathNot: `${SRC}[^/]+/index\\.ts$` },
    },
    ...layerRules,
    {
      name: "apps-use-the-package",
      comment: "examples and benchmarks import @orchestrator-ts/core (or a subpath export), not packages/core/src by path",
      severity: "error",
      from: { path: "^(examples|bench)/" },
      to: { path: "^packages/core/", dependencyTypes: ["local"] },
    },
  ],
  options: {
    parser: "swc",
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    // examples/wfo-ui is a Next.js host of the stock UI with its own install (JSX pages; not one of our layers)
    exclude: { path: ["node_modules", "/test/", "^tmp/", "\\.orchestrator/", "/dist/", "\\.next/", "^examples/wfo-ui/"] },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "types", "default", "node"] },
  },
};
