/**
 * A subscription's free-form metadata (`subscription_metadata`, one JSON document per subscription) and its
 * customer descriptions (`subscription_customer_descriptions`: how each customer names the subscription; the version
 * is bumped by the database on every change).
 */
import { sql, type Kysely, type Selectable } from "kysely";
import type { Database, JsonObject, SubscriptionCustomerDescriptionsTable } from "../db/index.js";

export async function getSubscriptionMetadata(db: Kysely<Database>, subscriptionId: string): Promise<JsonObject | undefined> {
  const row = await db.selectFrom("subscription_metadata").select("metadata").where("subscription_id", "=", subscriptionId).executeTakeFirst();
  return row?.metadata;
}

/** Replace the subscription's metadata (inserted the first time). */
export async function setSubscriptionMetadata(db: Kysely<Database>, subscriptionId: string, metadata: JsonObject): Promise<void> {
  await db
    .insertInto("subscription_metadata")
    .values({ subscription_id: subscriptionId, metadata: JSON.stringify(metadata) })
    .onConflict((oc) => oc.column("subscription_id").doUpdateSet({ metadata: JSON.stringify(metadata) }))
    .execute();
}

export type CustomerDescription = Selectable<SubscriptionCustomerDescriptionsTable>;

export async function getCustomerDescriptions(db: Kysely<Database>, subscriptionId: string): Promise<CustomerDescription[]> {
  return db.selectFrom("subscription_customer_descriptions").selectAll().where("subscription_id", "=", subscriptionId).orderBy("customer_id").execute();
}

/** Set how `customerId` describes the subscription (one description per customer and subscription). */
export async function setCustomerDescription(
  db: Kysely<Database>,
  description: { subscription_id: string; customer_id: string; description: string },
): Promise<CustomerDescription> {
  return db
    .insertInto("subscription_customer_descriptions")
    .values(description)
    .onConflict((oc) => oc.constraint("uniq_customer_subscription_description").doUpdateSet({ description: description.description }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteCustomerDescription(db: Kysely<Database>, subscriptionId: string, customerId: string): Promise<boolean> {
  const result = await sql`DELETE FROM subscription_customer_descriptions WHERE subscription_id = ${subscriptionId} AND customer_id = ${customerId}`.execute(db);
  return Number(result.numAffectedRows ?? 0) > 0;
}
