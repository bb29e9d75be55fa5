import { randomUUID } from "node:crypto";
import {
  changeLifecycle,
  done,
  formPage,
  fromProductId,
  fromSubscription,
  init,
  resync,
  setStatus,
  step,
  storeProcessSubscription,
  Target,
  workflow,
  wrapCreateInitialInputForm,
} from "@orchestrator-ts/core";
import { z } from "zod";
import { User } from "../../products/index.js";
import { assignUser, fakeExternalId, userGroupSelector } from "../shared.js";

const initialInputForm = wrapCreateInitialInputForm(async (state) =>
  formPage(
    { username: z.string().min(1).max(255), age: z.number().int().optional(), user_group_ids: await userGroupSelector() },
    { title: String(state.product_name) },
  ),
);

const createSubscription = step("Create subscription", async (state, ctx) => {
  const subscription = await fromProductId(await ctx.db(), String(state.product), randomUUID(), { productType: User });
  return { subscription, subscription_id: subscription.subscription_id };
});

const initializeSubscription = step("Initialize subscription", async (state, ctx) => {
  const db = await ctx.db();
  const subscription = await fromSubscription(db, String(state.subscription_id), User);
  await assignUser(db, subscription, state);
  return { subscription: await changeLifecycle(db, subscription, "provisioning", User) };
});

const provisionUser = step("Provision user", async (state, ctx) => {
  const subscription = await fromSubscription(await ctx.db(), String(state.subscription_id), User);
  subscription.user.user_id = fakeExternalId(String(subscription.user.username));
  return { subscription };
});

export const create_user = workflow(
  { target: Target.CREATE, initialInputForm },
  init.chain(createSubscription, storeProcessSubscription(), initializeSubscription, provisionUser, setStatus("active"), resync, done),
);
