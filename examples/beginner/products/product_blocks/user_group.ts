/** The user group block: a name while provisioning, the group's id in the external system once active. */
import { field, productBlock } from "@orchestrator-ts/core";
import { z } from "zod";

export const UserGroupBlock = productBlock(
  "UserGroupBlock",
  {
    group_name: field(z.string(), { requiredFrom: "provisioning", description: "name of the user group" }),
    group_id: field(z.number().int(), { requiredFrom: "active", description: "id of the user group" }),
  },
  { tag: "UGB", description: "user group block" },
);
