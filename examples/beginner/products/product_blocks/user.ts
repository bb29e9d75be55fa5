/** The user block: the group the user belongs to (another subscription's block), a username, an age and an id. */
import { field, productBlock } from "@orchestrator-ts/core";
import { z } from "zod";
import { UserGroupBlock } from "./user_group.js";

export const UserBlock = productBlock(
  "UserBlock",
  {
    group: UserGroupBlock,
    username: field(z.string(), { requiredFrom: "provisioning", description: "name of the user" }),
    age: field(z.number().int(), { description: "age of the user" }),
    user_id: field(z.number().int(), { requiredFrom: "active", description: "id of the user" }),
  },
  { tag: "UB", description: "user block" },
);
