/**
 * The TypeScript types of subscriptions and block instances per lifecycle: a field required in lifecycle `L` is a
 * plain property, any other field is optional and may be `null`.
 */
import type { z } from "zod";
import type { BlockField, BlockListField, ResourceField } from "./fields.js";
import type { RequiredIn, SubscriptionLifecycle } from "./lifecycle.js";
import type { AnyProductBlock } from "./product-block.js";
import type { AnyProductType } from "./product-type.js";

type Simplify<T> = { -readonly [K in keyof T]: T[K] } & {};

/** The `requiredFrom` of a declared field; a bare block is always required. */
type RequiredFromOf<F> = F extends AnyProductBlock
  ? "initial"
  : F extends BlockListField
    ? "always"
    : F extends { readonly requiredFrom: infer R }
      ? R
      : undefined;

/** Whether field `F` is a non-optional property in lifecycle `L`; block lists are always arrays. */
type IsPresent<F, L extends SubscriptionLifecycle> = [RequiredFromOf<F>] extends ["always"]
  ? true
  : [RequiredFromOf<F>] extends [RequiredIn<L>]
    ? true
    : false;

/** The value of field `F` in lifecycle `L`. */
export type FieldValue<F, L extends SubscriptionLifecycle> = F extends AnyProductBlock
  ? BlockModel<F, L>
  : F extends BlockListField<infer B>
    ? BlockModel<B, L>[]
    : F extends BlockField<infer B>
      ? BlockModel<B, L>
      : F extends ResourceField<infer S>
        ? z.output<S>
        : never;

type FieldsModel<F, L extends SubscriptionLifecycle> = {
  [K in keyof F as IsPresent<F[K], L> extends true ? K : never]: FieldValue<F[K], L>;
} & {
  [K in keyof F as IsPresent<F[K], L> extends true ? never : K]?: FieldValue<F[K], L> | null;
};

/** What every block instance carries besides its fields; filled in by save/load. */
export interface BlockInstanceData {
  /** `product_blocks.name` of the block. */
  name?: string;
  subscription_instance_id?: string;
  /** The subscription that owns the instance; another subscription's instance is only referenced, never changed. */
  owner_subscription_id?: string;
  label?: string | null;
  /** Instances of other subscriptions that use this block (filled in on load; not saved). */
  in_use_by?: { subscription_instance_id: string; subscription_id: string }[];
}

/** An instance of product block `B` as a subscription in lifecycle `L` holds it (a union when `L` is). */
export type BlockModel<B extends AnyProductBlock, L extends SubscriptionLifecycle = SubscriptionLifecycle> =
  L extends SubscriptionLifecycle ? Simplify<BlockInstanceData & FieldsModel<B["fields"], L>> : never;

/** The product a subscription belongs to (`products` row). */
export interface ProductData {
  product_id: string;
  /** `products.name`, the key of the SUBSCRIPTION_MODEL_REGISTRY. */
  name: string;
  description: string;
  product_type: string;
  tag: string;
  status: string;
  created_at?: string;
  end_date?: string | null;
}

/** The `subscriptions` columns of a subscription; timestamps are ISO strings (state between steps is JSON). */
export interface SubscriptionData<L extends SubscriptionLifecycle = SubscriptionLifecycle> {
  subscription_id: string;
  customer_id: string;
  description: string;
  status: L;
  insync: boolean;
  start_date: string | null;
  end_date: string | null;
  note: string | null;
  version: number;
  product: ProductData;
}

type FixedInputsModel<FI> = { [K in keyof FI]: FI[K] extends z.ZodType ? z.output<FI[K]> : never };

/** A subscription of product type `PT` in lifecycle `L` (a union when `L` is, e.g. the default: any status). */
export type SubscriptionModel<PT extends AnyProductType, L extends SubscriptionLifecycle = SubscriptionLifecycle> =
  L extends SubscriptionLifecycle
    ? Simplify<SubscriptionData<L> & FixedInputsModel<PT["fixedInputs"]> & FieldsModel<PT["blocks"], L>>
    : never;
