import { WfoWorkflowsListPage } from "@orchestrator-ui/orchestrator-ui-components";

export default WfoWorkflowsListPage;
