/** Which product type each product (`products.name`) uses; filled in by the application at start-up. */
import { DomainModelError, ProductNotInRegistryError } from "./errors.js";
import type { SubscriptionLifecycle } from "./lifecycle.js";
import { type AnyProductType, isProductType } from "./product-type.js";
import type { SubscriptionModel } from "./types.js";
import { toLifecycle } from "./validate.js";

/**
 * Product name → product type. Several products may share one type (each fixed-input variant is its own product:
 * "User internal" and "User external" are both `User`).
 */
export const SUBSCRIPTION_MODEL_REGISTRY = new Map<string, AnyProductType>();

/** Register product types by product name; a name registered again is replaced, as in the original's dict. */
export function registerProducts(products: { readonly [productName: string]: AnyProductType }): void {
  for (const [name, model] of Object.entries(products)) {
    if (!isProductType(model)) {
      throw new DomainModelError(`registerProducts(): '${name}' must map to a productType(...), not ${describe(model)}`);
    }
  }
  for (const [name, model] of Object.entries(products)) SUBSCRIPTION_MODEL_REGISTRY.set(name, model);
}

/** The product type registered for a product name; `ProductNotInRegistryError` when there is none. */
export function modelForProduct(productName: string): AnyProductType {
  const model = SUBSCRIPTION_MODEL_REGISTRY.get(productName);
  if (model === undefined) throw new ProductNotInRegistryError(productName, [...SUBSCRIPTION_MODEL_REGISTRY.keys()]);
  return model;
}

/**
 * `toLifecycle` with the product type looked up in the registry by `model.product.name` (for code that handles
 * subscriptions of any product, such as the built-in "Set subscription to 'active'" step).
 */
export function fromOtherLifecycle<L extends SubscriptionLifecycle>(
  model: { readonly product: { readonly name: string }; readonly [field: string]: unknown },
  lifecycle: L,
): SubscriptionModel<AnyProductType, L> {
  const productName = model?.product?.name;
  if (typeof productName !== "string") throw new DomainModelError("fromOtherLifecycle(): the model has no product.name");
  const productType = modelForProduct(productName);
  return toLifecycle(model as SubscriptionModel<AnyProductType>, productType, lifecycle);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return (value as { kind?: unknown }).kind === "productBlock" ? "a product block" : "an object";
  return typeof value;
}
