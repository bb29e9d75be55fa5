import { OrchestratorError } from "../errors.js";

/** A product block or product type is declared in a way we cannot use (a programming error). */
export class DomainModelError extends OrchestratorError {
  constructor(message: string) {
    super("domain_model_invalid", message);
  }
}

/**
 * One problem found while validating a subscription for a lifecycle. `path` is dotted with list items as `[i]`
 * (`user.group.group_id`, `ports[1].vlan`; "" for the subscription itself); `message` is the full sentence,
 * e.g. "user.group.group_id is required in lifecycle active".
 */
export interface DomainIssue {
  readonly code: "required" | "unknown_field" | "invalid";
  readonly path: string;
  readonly message: string;
}

/** A subscription does not satisfy the model of the lifecycle it is validated for. */
export class DomainValidationError extends OrchestratorError {
  readonly lifecycle: string;
  readonly issues: readonly DomainIssue[];
  constructor(modelName: string, lifecycle: string, issues: readonly DomainIssue[]) {
    const lines = issues.map((issue) => `  ${issue.message}`);
    super(
      "subscription_invalid_for_lifecycle",
      `${modelName} is not valid for lifecycle ${lifecycle}:\n${lines.join("\n")}`,
    );
    this.lifecycle = lifecycle;
    this.issues = issues;
  }
}

/** No product type is registered under a product name. */
export class ProductNotInRegistryError extends OrchestratorError {
  readonly productName: string;
  constructor(productName: string, known: readonly string[]) {
    const hint = known.length === 0 ? "no products are registered" : `registered: ${known.map((n) => `'${n}'`).join(", ")}`;
    super(
      "product_not_in_registry",
      `'${productName}' is not found within the SUBSCRIPTION_MODEL_REGISTRY (${hint}); register it with registerProducts({ "${productName}": ... })`,
    );
    this.productName = productName;
  }
}
