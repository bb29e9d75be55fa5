/** The app's workflows, registered in code: each name maps to the module that defines it. */
import { LazyWorkflowInstance } from "@orchestrator-ts/core";

// generate: node
new LazyWorkflowInstance("workflows.node.create_node", "create_node");
new LazyWorkflowInstance("workflows.node.modify_node", "modify_node");
new LazyWorkflowInstance("workflows.node.terminate_node", "terminate_node");
new LazyWorkflowInstance("workflows.node.validate_node", "validate_node");
// end generate: node
