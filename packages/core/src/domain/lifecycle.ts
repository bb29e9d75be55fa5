/**
 * Subscription lifecycles and how they decide which fields of a domain model must be filled in.
 *
 * The original declares three classes per block or product (`XInactive`, `XProvisioning`, `X`); the generated and
 * the beginner's classes register `XProvisioning` for `provisioning`, `X` for `active`, and the `is_base` class
 * `XInactive` for "no lifecycle", which is what every other status falls back to. Here a field says from which of
 * those three *model variants* on it is required (`requiredFrom`), and `LIFECYCLE_VARIANT` says which variant a
 * status uses: `disabled`, `terminated` and `migrating` use the inactive variant, as in the original, so a
 * terminated subscription whose data is incomplete still loads.
 */

/** The status of a subscription (`subscriptions.status`). */
export const SubscriptionLifecycle = {
  INITIAL: "initial",
  PROVISIONING: "provisioning",
  ACTIVE: "active",
  DISABLED: "disabled",
  TERMINATED: "terminated",
  MIGRATING: "migrating",
} as const;
export type SubscriptionLifecycle = (typeof SubscriptionLifecycle)[keyof typeof SubscriptionLifecycle];

/** Every status, in the order a subscription usually goes through them. */
export const SUBSCRIPTION_LIFECYCLES: readonly SubscriptionLifecycle[] = Object.values(SubscriptionLifecycle);

/**
 * The model variants, weakest first: `initial` is the original's `XInactive`, `provisioning` its `XProvisioning`,
 * `active` the plain `X`. A field's `requiredFrom` is one of these.
 */
export const MODEL_VARIANTS = ["initial", "provisioning", "active"] as const;
export type RequiredFrom = (typeof MODEL_VARIANTS)[number];

/** Which model variant each status uses (the original's `lookup_specialized_type`). */
export const LIFECYCLE_VARIANT = {
  initial: "initial",
  provisioning: "provisioning",
  active: "active",
  disabled: "initial",
  terminated: "initial",
  migrating: "initial",
} as const satisfies Record<SubscriptionLifecycle, RequiredFrom>;
export type LifecycleVariant = typeof LIFECYCLE_VARIANT;

/** For a model variant, the `requiredFrom` values whose fields are required in it. */
export interface RequiredInVariant {
  initial: "initial";
  provisioning: "initial" | "provisioning";
  active: "initial" | "provisioning" | "active";
}

/** The `requiredFrom` values whose fields are required in lifecycle `L` (a single status). */
export type RequiredIn<L extends SubscriptionLifecycle> = RequiredInVariant[LifecycleVariant[L]];

export function isSubscriptionLifecycle(value: unknown): value is SubscriptionLifecycle {
  return typeof value === "string" && Object.hasOwn(LIFECYCLE_VARIANT, value);
}

/** Whether a field declared with `requiredFrom` (undefined: never required) must be filled in for `lifecycle`. */
export function isRequiredIn(requiredFrom: RequiredFrom | undefined, lifecycle: SubscriptionLifecycle): boolean {
  if (requiredFrom === undefined) return false;
  return MODEL_VARIANTS.indexOf(requiredFrom) <= MODEL_VARIANTS.indexOf(LIFECYCLE_VARIANT[lifecycle]);
}
