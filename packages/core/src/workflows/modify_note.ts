/** modify_note: change a subscription's note. Usable while the subscription is out of sync. */
import { z } from "zod";
import { formPage, type InputForm } from "../forms/index.js";
import {
  formDb,
  refreshSubscriptionSearchIndex,
  storeProcessSubscription,
  subscriptionIdOf,
  done,
  init,
  step,
  workflow,
  wrapModifyInitialInputForm,
} from "../workflow/index.js";
import { Target } from "../targets.js";

const noteForm: InputForm = async (state) => {
  const row = await formDb()
    .selectFrom("subscriptions")
    .select("note")
    .where("subscription_id", "=", String(state.subscription_id))
    .executeTakeFirst();
  return formPage({ note: z.string().max(5000).meta({ format: "long", title: "Note" }).default(row?.note ?? "") }, { title: "Modify note" });
};

const storeNote = step("Store note", async (state, ctx) => {
  const id = subscriptionIdOf(state);
  const db = await ctx.db();
  const old = await db.selectFrom("subscriptions").select("note").where("subscription_id", "=", id).executeTakeFirstOrThrow();
  const note = typeof state.note === "string" && state.note.trim() !== "" ? state.note : null;
  await db.updateTable("subscriptions").set({ note }).where("subscription_id", "=", id).execute();
  return { old_note: old.note, note };
});

export const modify_note = workflow(
  { target: Target.MODIFY, initialInputForm: wrapModifyInitialInputForm(noteForm, Target.MODIFY) },
  init.chain(storeProcessSubscription(), storeNote, refreshSubscriptionSearchIndex, done),
);
