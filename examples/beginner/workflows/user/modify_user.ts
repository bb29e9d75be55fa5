import {
  done,
  formDb,
  formPage,
  fromSubscription,
  init,
  resync,
  step,
  storeProcessSubscription,
  Target,
  unsync,
  workflow,
  wrapModifyInitialInputForm,
} from "@orchestrator-ts/core";
import { z } from "zod";
import { User } from "../../products/index.js";
import { assignUser, userGroupSelector } from "../shared.js";

const initialInputForm = wrapModifyInitialInputForm(async (state) => {
  const subscription = await fromSubscription(formDb(), String(state.subscription_id), User);
  const age = z.number().int().optional();
  return formPage(
    {
      username: z.string().min(1).max(255).default(String(subscription.user.username)),
      age: typeof subscription.user.age === "number" ? age.default(subscription.user.age) : age,
      user_group_ids: (await userGroupSelector()).default([String(subscription.user.group.owner_subscription_id)]),
    },
    { title: subscription.description },
  );
}, Target.MODIFY);

/** The imaginary user management system. */
async function modifyInUserManagementSystem(_userId: number, _username: string): Promise<void> {}

const modifySubscription = step("Modify subscription", async (state, ctx) => {
  const db = await ctx.db();
  const subscription = await fromSubscription(db, String(state.subscription_id), User);
  await modifyInUserManagementSystem(Number(subscription.user.user_id), String(state.username));
  await assignUser(db, subscription, state);
  return { subscription };
});

export const modify_user = workflow(
  { target: Target.MODIFY, initialInputForm },
  init.chain(storeProcessSubscription(), unsync, modifySubscription, resync, done),
);
