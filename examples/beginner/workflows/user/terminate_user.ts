import {
  done,
  fromSubscription,
  init,
  resync,
  setStatus,
  step,
  storeProcessSubscription,
  Target,
  unsync,
  workflow,
} from "@orchestrator-ts/core";
import { User } from "../../products/index.js";
import { confirmRemovalForm } from "../shared.js";

const initialInputForm = confirmRemovalForm(User, "Terminate user");

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
