/**
 * Product-block instances in a subscription's domain model: any object with a `subscription_instance_id` is a block;
 * blocks nest in blocks, alone or in lists. Pure functions, unit-tested.
 */
import type { JsonObject, JsonValue } from "../../api/types.ts";

export interface BlockNode {
  /** The field that holds the block (`user_group`, `ports[1]`). */
  key: string;
  block: JsonObject;
  /** Plain fields (resource types and other values), without the block bookkeeping. */
  fields: [string, JsonValue][];
  children: BlockNode[];
  ownerSubscriptionId: string | null;
  inUseBy: { subscription_id: string; subscription_instance_id?: string }[];
}

const BOOKKEEPING = new Set(["subscription_instance_id", "owner_subscription_id", "in_use_by", "in_use_by_ids", "name", "label"]);

export const isBlock = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value) && typeof (value as JsonObject).subscription_instance_id === "string";

const isBlockList = (value: unknown): value is JsonObject[] => Array.isArray(value) && value.length > 0 && value.every(isBlock);

function node(key: string, block: JsonObject): BlockNode {
  const fields: [string, JsonValue][] = [];
  const children: BlockNode[] = [];
  for (const [field, value] of Object.entries(block)) {
    if (BOOKKEEPING.has(field)) continue;
    if (isBlock(value)) children.push(node(field, value));
    else if (isBlockList(value)) value.forEach((item, i) => children.push(node(`${field}[${i}]`, item)));
    else fields.push([field, value]);
  }
  const inUseBy = Array.isArray(block.in_use_by)
    ? block.in_use_by.filter((x): x is JsonObject => typeof x === "object" && x !== null && !Array.isArray(x)).map((x) => ({
        subscription_id: String(x.subscription_id ?? ""),
        ...(typeof x.subscription_instance_id === "string" ? { subscription_instance_id: x.subscription_instance_id } : {}),
      }))
    : [];
  return {
    key,
    block,
    fields,
    children,
    ownerSubscriptionId: typeof block.owner_subscription_id === "string" ? block.owner_subscription_id : null,
    inUseBy,
  };
}

/** The top-level blocks of a domain model (the subscription's own fields are not blocks). */
export function blockTree(model: JsonObject): BlockNode[] {
  const roots: BlockNode[] = [];
  for (const [key, value] of Object.entries(model)) {
    if (isBlock(value)) roots.push(node(key, value));
    else if (isBlockList(value)) value.forEach((item, i) => roots.push(node(`${key}[${i}]`, item)));
  }
  return roots;
}

/** The title of a block: its label, else its name, else the field holding it. */
export function blockTitle(node: BlockNode): string {
  const { label, name } = node.block;
  if (typeof label === "string" && label) return label;
  if (typeof name === "string" && name) return name;
  return node.key;
}
