import { productType, type SubscriptionModel } from "@orchestrator-ts/core";
import { z } from "zod";
import { UserBlock } from "../product_blocks/user.js";

/** The fixed input that tells "User internal" from "User external". */
export const Affiliation = z.enum(["internal", "external"]);

export const User = productType("User", { user: UserBlock }, { fixedInputs: { affiliation: Affiliation }, description: "user administration" });

export type UserInactive = SubscriptionModel<typeof User, "initial">;
export type UserProvisioning = SubscriptionModel<typeof User, "provisioning">;
export type UserActive = SubscriptionModel<typeof User, "active">;
