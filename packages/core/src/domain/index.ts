/**
 * Domain models: product blocks and product types whose fields become required as a subscription's lifecycle
 * advances, the registry of products, and plain-data descriptions for migrations and storage.
 */
export {
  isRequiredIn,
  isSubscriptionLifecycle,
  LIFECYCLE_VARIANT,
  type LifecycleVariant,
  MODEL_VARIANTS,
  type RequiredFrom,
  type RequiredIn,
  SUBSCRIPTION_LIFECYCLES,
  SubscriptionLifecycle,
} from "./lifecycle.js";
export {
  type BlockField,
  type BlockListField,
  type BlockListOptions,
  blockList,
  type FieldInput,
  type FieldOptions,
  type FieldSpec,
  field,
  isProductBlock,
  type ResourceField,
  type ResourceValueType,
} from "./fields.js";
export {
  type AnyProductBlock,
  BLOCK_INSTANCE_FIELDS,
  type BlockFields,
  type ProductBlock,
  type ProductBlockOptions,
  productBlock,
} from "./product-block.js";
export {
  type AnyProductType,
  type FixedInputs,
  isProductType,
  type ProductType,
  type ProductTypeOptions,
  productType,
  type RootBlockInput,
  type RootBlocks,
  SUBSCRIPTION_FIELDS,
} from "./product-type.js";
export type {
  BlockInstanceData,
  BlockModel,
  FieldValue,
  ProductData,
  SubscriptionData,
  SubscriptionModel,
} from "./types.js";
export { blockSchema, parseSubscription, subscriptionSchema, toLifecycle } from "./validate.js";
export { fromOtherLifecycle, modelForProduct, registerProducts, SUBSCRIPTION_MODEL_REGISTRY } from "./registry.js";
export {
  type BlockDescription,
  type BlockReference,
  type BlockRelation,
  describeBlock,
  describeProductType,
  describeRegistry,
  type FixedInputDescription,
  type ProductTypeDescription,
  type RegistryDescription,
  type ResourceTypeDescription,
} from "./introspect.js";
export { type DomainIssue, DomainModelError, DomainValidationError, ProductNotInRegistryError } from "./errors.js";
export {
  fromProductId,
  newBlockInstance,
  fromSubscription,
  modelFromStored,
  saveSubscription,
  changeLifecycle,
  validateLifecycleChange,
  isSubscriptionModel,
  ProductNotFoundError,
  SAFE_USED_BY_TRANSITIONS_FOR_STATUS,
  type AnySubscriptionModel,
  type FromProductIdOptions,
  type SaveSubscriptionOptions,
} from "./subscription.js";
export {
  loadStoredSubscription,
  loadStoredSubscriptions,
  saveStoredSubscription,
  StaleDataError,
  SubscriptionNotFoundError,
  type StoredBlock,
  type StoredSubscription,
} from "./subscription-store.js";
export {
  getSubscriptionMetadata,
  setSubscriptionMetadata,
  getCustomerDescriptions,
  setCustomerDescription,
  deleteCustomerDescription,
  type CustomerDescription,
} from "./metadata.js";
