import { WfoScheduledTasksPage } from "@orchestrator-ui/orchestrator-ui-components";

export default WfoScheduledTasksPage;
