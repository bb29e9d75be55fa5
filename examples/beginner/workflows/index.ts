/** The six beginner workflows, registered in code: each name maps to the module that defines it. */
import { LazyWorkflowInstance } from "@orchestrator-ts/core";

new LazyWorkflowInstance("workflows.user_group.create_user_group", "create_user_group");
new LazyWorkflowInstance("workflows.user_group.modify_user_group", "modify_user_group");
new LazyWorkflowInstance("workflows.user_group.terminate_user_group", "terminate_user_group");
new LazyWorkflowInstance("workflows.user.create_user", "create_user");
new LazyWorkflowInstance("workflows.user.modify_user", "modify_user");
new LazyWorkflowInstance("workflows.user.terminate_user", "terminate_user");
