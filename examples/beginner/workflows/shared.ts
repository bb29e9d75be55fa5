/** What the beginner workflows share: the user group dropdown and the fake external systems. */
import { createHash } from "node:crypto";
import { choice, choiceList, formDb } from "@orchestrator-ts/core";

/**
 * A dropdown of the active user groups, labelled by description, whose value is the subscription id; the submitted
 * value is a list with exactly one id.
 */
export async function userGroupSelector() {
  const groups = await formDb()
    .selectFrom("subscriptions as s")
    .innerJoin("products as p", "p.product_id", "s.product_id")
    .select(["s.subscription_id", "s.description"])
    .where("p.product_type", "=", "UserGroup")
    .where("s.status", "=", "active")
    .orderBy("s.description")
    .execute();
  const options = groups.map((g) => [g.subscription_id, g.description] as const);
  return choiceList(choice("UserGroupEnum", options.length ? options : [["", "no active user groups"] as const]), { minItems: 1, maxItems: 1 });
}

/** The imaginary group and user management systems hand out positive integer ids. */
export function fakeExternalId(name: string): number {
  return (Number.parseInt(createHash("sha256").update(name).digest("hex").slice(0, 8), 16) % 2_000_000_000) + 1;
}
