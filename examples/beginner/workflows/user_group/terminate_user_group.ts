import {
  done,
  formDb,
  formPage,
  fromSubscription,
  init,
  label,
  resync,
  setStatus,
  step,
  storeProcessSubscription,
  Target,
  unsync,
  workflow,
  wrapModifyInitialInputForm,
} from "@orchestrator-ts/core";
import { UserGroup } from "../../products/index.js";

const initialInputForm = wrapModifyInitialInputForm(async (state) => {
  const subscription = await fromSubscription(formDb(), String(state.subscription_id), UserGroup);
  return formPage({ are_you_sure: label(`Are you sure you want to remove ${subscription.description}?`) }, { title: "Terminate user group" });
}, Target.TERMINATE);

/** The imaginary group management system. */
async function deleteFromGroupManagementSystem(_groupId: number): Promise<void> {}

const deprovisionUserGroup = step("Deprovision user group", async (state, ctx) => {
  const subscription = await fromSubscription(await ctx.db(), String(state.subscription_id), UserGroup);
  await deleteFromGroupManagementSystem(Number(subscription.user_group.group_id));
});

export const terminate_user_group = workflow(
  { target: Target.TERMINATE, initialInputForm },
  init.chain(storeProcessSubscription(), unsync, deprovisionUserGroup, setStatus("terminated"), resync, done),
);
