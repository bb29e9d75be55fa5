import { WfoTasksPage } from "@orchestrator-ui/orchestrator-ui-components";

export default WfoTasksPage;
