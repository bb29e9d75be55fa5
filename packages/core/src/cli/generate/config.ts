/**
 * The product YAML of `generate` (orchestrator-core's cli/generator format, see its docs/guides/generate-config-file.md):
 * read with line numbers, checked strictly. Unknown keys and bad values are errors naming the YAML path and line.
 */
import { readFileSync } from "node:fs";
import { isNode, LineCounter, parseDocument, type Document, type ScalarTag } from "yaml";
import { z } from "zod";
import { OrchestratorError } from "../../errors.js";

/**
 * Scalars as PyYAML (YAML 1.1) reads orchestrator-core's files, where YAML 1.2 differs: yes/no/on/off are booleans
 * (y and n stay text, as in PyYAML), and integers may have underscores (32_767).
 */
const PYYAML_SCALARS: ScalarTag[] = [
  {
    tag: "tag:yaml.org,2002:bool",
    default: true,
    identify: (value) => typeof value === "boolean",
    test: /^(?:[Yy]es|YES|[Nn]o|NO|[Oo]n|ON|[Oo]ff|OFF|[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
    resolve: (text) => /^(?:[Yy]es|YES|[Oo]n|ON|[Tt]rue|TRUE)$/.test(text),
  },
  {
    tag: "tag:yaml.org,2002:int",
    default: true,
    identify: (value) => typeof value === "number" && Number.isInteger(value),
    test: /^[-+]?[0-9][0-9_]*_[0-9_]*$/,
    resolve: (text) => Number.parseInt(text.replace(/_/g, ""), 10),
  },
];

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const identifier = z.string().regex(IDENT, "must be an identifier: letters, digits and _, not starting with a digit");
const validation = z.strictObject({ id: identifier, description: z.string().optional() });
const scalarValue = z.union([z.string(), z.number(), z.boolean()]);

/** orchestrator-core's lifecycle names for `required` (from which lifecycle state on a field must be filled in). */
export const REQUIRED_FROM = ["initial", "provisioning", "active"] as const;

const fieldSchema = z.strictObject({
  name: identifier,
  type: z.string().min(1),
  description: z.string().optional(),
  required: z.enum(REQUIRED_FROM).optional(),
  /** Present (even without a value) means the modify workflow may change the field. */
  modifiable: z.union([z.null(), z.boolean()]).optional(),
  default: scalarValue.optional(),
  validations: z.array(validation).optional(),
  enum_type: z.enum(["str", "int"]).optional(),
  values: z.array(z.union([z.string(), z.number()])).min(1).optional(),
  list_type: z.string().min(1).optional(),
  min_items: z.number().int().min(0).optional(),
  max_items: z.number().int().min(1).optional(),
  min_value: z.number().int().optional(),
  max_value: z.number().int().optional(),
});

const fixedInputSchema = z.strictObject({
  name: identifier,
  type: z.enum(["str", "int", "bool", "enum"]),
  description: z.string().optional(),
  enum_type: z.enum(["str", "int"]).optional(),
  values: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1).optional(),
});

const productBlockSchema = z.strictObject({
  name: z.string().min(1),
  type: identifier,
  tag: z.string().min(1).optional(),
  description: z.string().optional(),
  /** orchestrator-core lets a block name its own Python variable; kept for file names. */
  variable: identifier.optional(),
  block_name: identifier.optional(),
  fields: z.array(fieldSchema).default([]),
});

const workflowSchema = z.strictObject({
  name: z.enum(["create", "modify", "terminate", "validate"]),
  enabled: z.boolean().optional(),
  validations: z.array(validation).optional(),
  /** Titles of steps to add after the workflow's own (skeletons to fill in); orchestrator-core sets these in a template. */
  additional_steps: z.array(z.string().min(1)).optional(),
});

const configSchema = z.strictObject({
  config: z
    .strictObject({
      summary_forms: z.boolean().optional(),
      create_summary_forms: z.boolean().optional(),
    })
    .nullish(),
  name: z.string().min(1),
  type: identifier,
  tag: z.string().min(1).optional(),
  description: z.string().optional(),
  variable: identifier.optional(),
  fixed_inputs: z.array(fixedInputSchema).optional(),
  product_blocks: z.array(productBlockSchema).min(1),
  workflows: z.array(workflowSchema).optional(),
});

export type ProductConfig = z.infer<typeof configSchema>;
export type FieldConfig = z.infer<typeof fieldSchema>;
export type FixedInputConfig = z.infer<typeof fixedInputSchema>;
export type ProductBlockConfig = z.infer<typeof productBlockSchema>;
export type WorkflowConfig = z.infer<typeof workflowSchema>;

/** A config file that cannot be read, parsed or accepted; the message names the file, the YAML path and the line. */
export class GenerateConfigError extends OrchestratorError {
  constructor(message: string) {
    super("generate_config", message);
  }
}

/** A loaded config and where its parts are in the file (for later checks that name a line). */
export interface LoadedConfig {
  file: string;
  config: ProductConfig;
  /** "file:line" of the node at a YAML path, e.g. ["product_blocks", 0, "fields", 2, "type"]. */
  where(path: readonly (string | number)[]): string;
}

/** Render a YAML path as orchestrator-core users write it: product_blocks[0].fields[2].type. */
export function yamlPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), "") || "(top level)";
}

/**
 * Read and check a product YAML. Throws GenerateConfigError naming the file, line and YAML path of every problem
 * (the first ten), e.g. `node.yaml:12 product_blocks[0].fields[1]: unknown key "reqired"`.
 */
export function loadConfig(file: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new GenerateConfigError(`Cannot read the config file ${file}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "it does not exist" : (error as Error).message}`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, customTags: (tags) => [...PYYAML_SCALARS, ...(tags as ScalarTag[])] });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const line = first.linePos?.[0].line;
    throw new GenerateConfigError(`${file}${line ? `:${line}` : ""}: not valid YAML: ${first.message.split("\n")[0]}`);
  }
  const where = (path: readonly (string | number)[]) => `${file}:${lineOf(doc, lineCounter, path)}`;
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    throw new GenerateConfigError(`${file}: cannot be read: ${(error as Error).message}`);
  }
  if (data === null || data === undefined) throw new GenerateConfigError(`${file} is empty: a product config is a mapping with name, type and product_blocks`);
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 10).map((issue) => describeIssue(issue, where));
    throw new GenerateConfigError(`${file} is not a valid product config:\n  ${problems.join("\n  ")}`);
  }
  return { file, config: parsed.data, where };
}

function describeIssue(issue: z.core.$ZodIssue, where: (path: readonly (string | number)[]) => string): string {
  const path = issue.path.filter((k): k is string | number => typeof k !== "symbol");
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => `${where([...path, key])} ${yamlPath(path)}: unknown key "${key}"`).join("\n  ");
  }
  return `${where(path)} ${yamlPath(path)}: ${issueText(issue)}`;
}

/** zod's issue in words: "is missing", "must be a string (not a number)", "must be one of: …". */
function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type") {
    const got = /received (\w+)/.exec(issue.message)?.[1];
    return got === "undefined" ? "is missing" : `must be ${article(issue.expected)}${got ? ` (not ${article(got)})` : ""}`;
  }
  if (issue.code === "invalid_union") {
    const expected = issue.errors.flat().map((e) => (e.code === "invalid_type" ? e.expected : undefined)).filter(Boolean);
    return expected.length ? `must be ${expected.map((e) => article(e!)).join(" or ")}` : issue.message;
  }
  if (issue.code === "invalid_value") return `must be one of: ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  return issue.message;
}

function article(type: string): string {
  if (type === "null") return "empty";
  if (type === "array") return "a list";
  if (type === "object") return "a mapping";
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** The line of the deepest node that exists along `path` (the key itself when the path ends in a missing key). */
function lineOf(doc: Document, lineCounter: LineCounter, path: readonly (string | number)[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return 1;
}
