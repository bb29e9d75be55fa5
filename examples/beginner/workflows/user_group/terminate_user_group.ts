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
import { UserGroup } from "../../products/index.js";
import { confirmRemovalForm } from "../shared.js";

const initialInputForm = confirmRemovalForm(UserGroup, "Terminate user group");

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
