import { WfoProductBlocksPage } from "@orchestrator-ui/orchestrator-ui-components";

export default WfoProductBlocksPage;
