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
import { UserGroup } from "../../products/index.js";
import { fakeExternalId } from "../shared.js";

const initialInputForm = wrapCreateInitialInputForm((state) =>
  formPage({ group_name: z.string().min(1).max(255) }, { title: String(state.product_name) }),
);

const createSubscription = step("Create subscription", async (state, ctx) => {
  const subscription = await fromProductId(await ctx.db(), String(state.product), randomUUID(), { productType: UserGroup });
  return { subscription, subscription_id: subscription.subscription_id };
});

const initializeSubscription = step("Initialize subscription", async (state, ctx) => {
  const db = await ctx.db();
  const subscription = await fromSubscription(db, String(state.subscription_id), UserGroup);
  subscription.user_group.group_name = String(state.group_name);
  subscription.description = `User Group ${state.group_name}`;
  return { subscription: await changeLifecycle(db, subscription, "provisioning", UserGroup) };
});

const provisionUserGroup = step("Provision user group", async (state, ctx) => {
  const subscription = await fromSubscription(await ctx.db(), String(state.subscription_id), UserGroup);
  subscription.user_group.group_id = fakeExternalId(String(subscription.user_group.group_name));
  return { subscription };
});

export const create_user_group = workflow(
  { target: Target.CREATE, initialInputForm },
  init.chain(
    createSubscription,
    storeProcessSubscription(),
    initializeSubscription,
    provisionUserGroup,
    setStatus("active"),
    resync,
    done,
  ),
);
