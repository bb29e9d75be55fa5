/** What the beginner workflows share: the user group dropdown and the fake external systems. */
import { createHash } from "node:crypto";
import {
  choice,
  choiceList,
  formDb,
  formPage,
  fromSubscription,
  label,
  Target,
  wrapModifyInitialInputForm,
  type AnyProductType,
  type Database,
  type InputForm,
  type Kysely,
  type State,
  type SubscriptionModel,
} from "@orchestrator-ts/core";
import { User, UserGroup } from "../products/index.js";

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

/**
 * Fill a user subscription from the create / modify form: username, age, the chosen group's block (a reference to
 * the group subscription's block, not a copy) and the description "User <name> from group <group> (<affiliation>)".
 */
export async function assignUser(db: Kysely<Database>, subscription: SubscriptionModel<typeof User>, state: State): Promise<void> {
  const [groupId] = state.user_group_ids as string[];
  const group = await fromSubscription(db, groupId!, UserGroup);
  subscription.user.username = String(state.username);
  subscription.user.age = typeof state.age === "number" ? state.age : null;
  subscription.user.group = group.user_group;
  subscription.description = `User ${state.username} from group ${group.user_group.group_name} (${subscription.affiliation})`;
}

/** The terminate form: the subscription, then "Are you sure you want to remove <description>?". */
export function confirmRemovalForm(productType: AnyProductType, title: string): InputForm {
  return wrapModifyInitialInputForm(async (state) => {
    const subscription = await fromSubscription(formDb(), String(state.subscription_id), productType);
    return formPage({ are_you_sure: label(`Are you sure you want to remove ${subscription.description}?`) }, { title });
  }, Target.TERMINATE);
}
