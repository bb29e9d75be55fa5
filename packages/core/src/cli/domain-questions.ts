/**
 * The answers `db migrate-domain-models` needs and the models do not give: descriptions, tags, fixed-input values,
 * confirmations and default values of resource types for existing subscriptions. Each comes from `--inputs`
 * (orchestrator-core's format) or, failing that, from the prompt; without a prompt a missing answer is an error.
 */
import pc from "picocolors";
import { type ResourceTypeDescription, isRequiredIn, isSubscriptionLifecycle } from "../domain/index.js";
import { OrchestratorError } from "../errors.js";
import type { LineInput } from "./prompt.js";

/** `--inputs`: prefilled answers, keyed by product, block or resource type name (orchestrator-core's format). */
export type DomainInputs = Record<string, Record<string, string>>;

export interface QuestionsOptions {
  inputs?: DomainInputs;
  /** Asks for what the inputs do not say; undefined = non-interactive (missing answers are errors). */
  io?: LineInput;
}

export class Questions {
  private readonly inputs: DomainInputs;
  private readonly io: LineInput | undefined;
  private readonly defaults = new Map<string, string | undefined>();

  constructor(options: QuestionsOptions) {
    this.inputs = options.inputs ?? {};
    this.io = options.io;
  }

  /** `inputs[key][field]`, else the fallback, else asked until answered. */
  async ask(key: string, field: string, question: string, fallback?: string): Promise<string> {
    const given = this.inputs[key]?.[field] ?? fallback;
    if (given !== undefined && given !== "") return given;
    if (!this.io) throw missing(key, field);
    for (;;) {
      const answer = await this.io.ask(question);
      if (answer === undefined) throw ended(`${key}.${field}`);
      if (answer) return answer;
    }
  }

  /** One of `values` (a menu when there are several), from the inputs or asked. */
  async choose(key: string, field: string, question: string, values: readonly string[] | undefined): Promise<string> {
    const given = this.inputs[key]?.[field];
    if (given !== undefined) {
      if (values && !values.includes(given)) throw new OrchestratorError("invalid_input", `${key}.${field} must be one of ${values.join(", ")}, not ${given}`);
      return given;
    }
    if (values?.length === 1) return values[0]!;
    if (!this.io || !values) return this.ask(key, field, question);
    this.io.line(question);
    const picked = await this.io.menu(values.map((v, i) => [String(i + 1), v] as const));
    if (picked === undefined) throw ended(`${key}.${field}`);
    return values[Number(picked) - 1]!;
  }

  /** A yes/no question; no when there is no prompt or the input has ended. */
  async confirm(question: string): Promise<boolean> {
    if (!this.io) return false;
    return (await this.io.ask(`${question} [y/n]: `)) === "y";
  }

  /**
   * The value existing instances of `block` get for resource type `rt` (orchestrator-core's
   * `generate_create_resource_type_instance_values_sql`: `inputs[rt][block]`, else `inputs[rt].value`, else asked).
   * Required — an empty answer is refused — when the field is required in a status some of those subscriptions have;
   * otherwise empty means no value. The answer is checked against the field's type (booleans are stored as
   * True/False, as saving a model does). Asked once per block and resource type.
   */
  async defaultValue(rt: ResourceTypeDescription, block: string, statuses: ReadonlySet<string>): Promise<string | undefined> {
    const cacheKey = `${block}\u0000${rt.resourceType}`;
    if (this.defaults.has(cacheKey)) return this.defaults.get(cacheKey);
    const requiredIn = [...statuses].filter((s) => isSubscriptionLifecycle(s) && isRequiredIn(rt.requiredFrom, s));
    const what = `default value of ${rt.resourceType} for the instances of ${block}`;
    const given = this.inputs[rt.resourceType]?.[block] ?? this.inputs[rt.resourceType]?.value;
    let value: string | undefined;
    if (given !== undefined && given !== "") {
      const checked = checkValue(rt, given);
      if (checked.error) throw new OrchestratorError("invalid_input", `--inputs ${rt.resourceType}.${block}: ${checked.error}`);
      value = checked.value;
    } else if (!this.io) {
      if (requiredIn.length) {
        throw new OrchestratorError(
          "invalid_input",
          `Missing input: the ${what} (required in ${requiredIn.join(", ")} subscriptions); give it in --inputs, e.g. {"${rt.resourceType}": {"${block}": "…"}}`,
        );
      }
    } else {
      const question =
        `Supply default subscription instance value for resource type ${pc.magenta(rt.resourceType)} and product block ${pc.bold(block)}` +
        `${requiredIn.length ? ` (required in ${requiredIn.join(", ")})` : " (empty: none)"}: `;
      for (;;) {
        const answer = await this.io.ask(question);
        if (answer === undefined && requiredIn.length) throw ended(`the ${what}`);
        if (answer === undefined || (answer === "" && !requiredIn.length)) break;
        if (answer === "") continue;
        const checked = checkValue(rt, answer);
        if (!checked.error) {
          value = checked.value;
          break;
        }
        this.io.line(pc.red(checked.error));
      }
    }
    this.defaults.set(cacheKey, value);
    return value;
  }
}

/** A default as it is stored, or why it does not fit the field. */
export function checkValue(rt: ResourceTypeDescription, raw: string): { value?: string; error?: string } {
  const text = raw.trim();
  let value = text;
  switch (rt.valueType) {
    case "integer":
      if (!/^[+-]?\d+$/.test(text)) return { error: `${rt.resourceType} is an integer, not ${JSON.stringify(raw)}` };
      value = String(Number.parseInt(text, 10));
      break;
    case "number":
      if (text === "" || !Number.isFinite(Number(text))) return { error: `${rt.resourceType} is a number, not ${JSON.stringify(raw)}` };
      value = String(Number(text));
      break;
    case "boolean":
      if (/^(true|yes|1)$/i.test(text)) value = "True";
      else if (/^(false|no|0)$/i.test(text)) value = "False";
      else return { error: `${rt.resourceType} is true or false, not ${JSON.stringify(raw)}` };
      break;
    default:
      value = raw;
  }
  if (rt.values && rt.valueType !== "boolean" && !rt.values.includes(value)) {
    return { error: `${rt.resourceType} must be one of ${rt.values.join(", ")}, not ${JSON.stringify(raw)}` };
  }
  return { value };
}

function missing(key: string, field: string): OrchestratorError {
  return new OrchestratorError("invalid_input", `Missing input: ${key}.${field} (give it in --inputs, e.g. {"${key}": {"${field}": "…"}})`);
}

function ended(what: string): OrchestratorError {
  return new OrchestratorError("invalid_input", `Input ended before ${what} was given; nothing written`);
}
