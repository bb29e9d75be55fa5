/**
 * `generate`: products, product blocks, workflows, unit tests and migrations from a product YAML, as
 * orchestrator-core's `python main.py generate …` (cli/generate.py) with its options: `--config-file` (`-cf`),
 * `--dryrun` (prints instead of writing; here writing is the default), `--force` (`-f`), `--python-version` (`-p`,
 * meaningless here: a note says so), `--skip-existing-blocks` for `migration`.
 */
import { resolve } from "node:path";
import { Command } from "commander";
import type { CliContext } from "../context.js";
import { loadConfig } from "./config.js";
import { productBlockFiles, productFiles } from "./domain-models.js";
import { writeGenerated, type GeneratedFile } from "./files.js";
import { generateMigration } from "./migration.js";
import { buildModel, type ProductModel } from "./model.js";
import { unitTestFiles } from "./unit-tests.js";
import { workflowFiles } from "./workflows.js";

interface GenerateOptions {
  configFile: string;
  dryrun: boolean;
  force?: boolean;
  pythonVersion?: string;
  skipExistingBlocks?: boolean;
}

type Part = "product-blocks" | "product" | "workflows" | "unit-tests" | "migration";

const FILES: Record<Exclude<Part, "migration">, (model: ProductModel, source: string) => GeneratedFile[]> = {
  "product-blocks": productBlockFiles,
  product: productFiles,
  workflows: workflowFiles,
  "unit-tests": unitTestFiles,
};

const DESCRIPTIONS: Record<Part | "all", string> = {
  "product-blocks": "Write the product blocks' domain models (products/product_blocks)",
  product: "Write the product type (products/product_types) and register its products (products/index.ts)",
  workflows: "Write the create, modify, terminate and validate workflows and register them (workflows/index.ts)",
  "unit-tests": "Write tests that run the product's workflows (tests/<product>.test.ts)",
  migration: "Write the revisions that add the products and their workflows to the database (data branch)",
  all: "All of the above: product blocks, product, workflows, unit tests and the migrations",
};

/** The original's two-letter short options (`-cf`, `-fp`) as commander reads them. */
export function normalizeGenerateArgs(argv: readonly string[]): string[] {
  const at = argv.indexOf("generate");
  if (at < 0) return [...argv];
  return argv.map((arg, i) => (i > at && arg === "-cf" ? "--config-file" : arg));
}

export function generateCommand(ctx: CliContext): Command {
  const generate = new Command("generate").description("Write a product's code and migrations from a product YAML (orchestrator-core's generate)");
  for (const part of ["product-blocks", "product", "workflows", "unit-tests", "migration", "all"] as const) {
    const command = generate
      .command(part)
      .description(DESCRIPTIONS[part])
      .requiredOption("-c, --config-file <file>", "the product YAML (orchestrator-core's format; -cf works too)")
      .option("--dryrun", "print the files instead of writing them", false)
      .option("--no-dryrun", "write the files (the default here)")
      .option("-p, --python-version <version>", "accepted for orchestrator-core's scripts; has no meaning here");
    if (part !== "migration") command.option("-f, --force", "overwrite generated files that exist");
    if (part === "migration" || part === "all") command.option("--skip-existing-blocks", "leave out of the migration the product blocks an earlier revision of the app creates");
    command.addHelpText("after", `\nExample:\n  npx tsx main.ts generate ${part} --config-file products/node.yaml${part === "migration" ? "" : " --dryrun"}`);
    command.action(async (opts: GenerateOptions) => run(ctx, part, opts));
  }
  return generate;
}

async function run(ctx: CliContext, part: Part | "all", opts: GenerateOptions): Promise<void> {
  if (opts.pythonVersion !== undefined) ctx.err(`note: --python-version ${opts.pythonVersion} has no meaning for orchestrator-ts (it writes TypeScript); ignored`);
  const file = resolve(opts.configFile);
  const loaded = loadConfig(file);
  const model = buildModel(loaded, ctx.appRoot);
  if (loaded.config.config?.summary_forms || loaded.config.config?.create_summary_forms) {
    ctx.err("note: summary_forms is not generated yet: the create and modify forms have one page");
  }
  const source = loaded.file.startsWith(ctx.appRoot) ? loaded.file.slice(ctx.appRoot.length + 1) : loaded.file;
  const parts: Exclude<Part, "migration">[] = part === "all" ? ["product-blocks", "product", "workflows", "unit-tests"] : part === "migration" ? [] : [part];
  const files = parts.flatMap((p) => FILES[p](model, source));
  const write = { appRoot: ctx.appRoot, dryrun: opts.dryrun, force: opts.force === true, out: ctx.out };
  // in `all`, refuse before anything (code or migrations) is written
  writeGenerated(files, write);
  if (part === "migration" || part === "all") {
    await generateMigration(model, {
      appRoot: ctx.appRoot,
      dryrun: opts.dryrun,
      skipExistingBlocks: opts.skipExistingBlocks === true,
      ifExists: part === "migration" && !opts.dryrun ? "error" : "skip",
      out: ctx.out,
    });
  }
  if (!opts.dryrun && (part === "migration" || part === "all")) ctx.out("Next: npx tsx main.ts db upgrade heads");
}
