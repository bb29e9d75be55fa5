import { productType, type SubscriptionModel } from "@orchestrator-ts/core";
import { UserGroupBlock } from "../product_blocks/user_group.js";

export const UserGroup = productType("UserGroup", { user_group: UserGroupBlock }, { description: "user group administration" });

/** A user group subscription in each lifecycle (the original's UserGroupInactive / UserGroupProvisioning / UserGroup). */
export type UserGroupInactive = SubscriptionModel<typeof UserGroup, "initial">;
export type UserGroupProvisioning = SubscriptionModel<typeof UserGroup, "provisioning">;
export type UserGroupActive = SubscriptionModel<typeof UserGroup, "active">;
