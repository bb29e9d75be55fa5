/** The beginner example's products, registered by product name (several products may share a product type). */
import { registerProducts } from "@orchestrator-ts/core";
import { User } from "./product_types/user.js";
import { UserGroup } from "./product_types/user_group.js";

registerProducts({
  "User Group": UserGroup,
  "User internal": User,
  "User external": User,
});

export { User, UserGroup };
