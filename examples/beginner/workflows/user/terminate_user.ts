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
import { User } from "../../products/index.js";

const initialInputForm = wrapModifyInitialInputForm(async (state) => {
  const subscription = await fromSubscription(formDb(), String(state.subscription_id), User);
  return formPage({ are_you_sure: label(`Are you sure you want to remove ${subscription.description}?`) }, { title: "Terminate user" });
}, Target.TERMINATE);

/** The imaginary user management system. */
async function deleteFromUserManagementSystem(_userId: number): Promise<void> {}

const deprovisionUser = step("Deprovision user", async (state, ctx) => {
  const subscription = await fromSubscription(await ctx.db(), String(state.subscription_id), User);
  await deleteFromUserManagementSystem(Number(subscription.user.user_id));
});

export const terminate_user = workflow(
  { target: Target.TERMINATE, initialInputForm },
  init.chain(storeProcessSubscription(), unsync, deprovisionUser, setStatus("terminated"), resync, done),
);
