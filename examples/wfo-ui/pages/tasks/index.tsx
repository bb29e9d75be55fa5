import { WfoTasksListPage } from "@orchestrator-ui/orchestrator-ui-components";

export default WfoTasksListPage;
