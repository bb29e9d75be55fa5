import {
  done,
  formDb,
  formPage,
  fromSubscription,
  init,
  readOnlyField,
  resync,
  step,
  storeProcessSubscription,
  Target,
  unsync,
  workflow,
  wrapModifyInitialInputForm,
} from "@orchestrator-ts/core";
import { z } from "zod";
import { UserGroup } from "../../products/index.js";

const initialInputForm = wrapModifyInitialInputForm(async (state) => {
  const subscription = await fromSubscription(formDb(), String(state.subscription_id), UserGroup);
  return formPage(
    {
      group_name: z.string().min(1).max(255).default(String(subscription.user_group.group_name)),
      group_id: readOnlyField(Number(subscription.user_group.group_id)),
    },
    { title: subscription.description },
  );
}, Target.MODIFY);

/** The imaginary group management system. */
async function modifyInGroupManagementSystem(_groupId: number, _groupName: string): Promise<void> {}

const modifyUserGroup = step("Modify user group", async (state, ctx) => {
  const subscription = await fromSubscription(await ctx.db(), String(state.subscription_id), UserGroup);
  await modifyInGroupManagementSystem(Number(subscription.user_group.group_id), String(state.group_name));
  subscription.user_group.group_name = String(state.group_name);
  subscription.description = `User Group ${state.group_name}`;
  return { subscription };
});

export const modify_user_group = workflow(
  { target: Target.MODIFY, initialInputForm },
  init.chain(storeProcessSubscription(), unsync, modifyUserGroup, resync, done),
);
