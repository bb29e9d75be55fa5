import { WfoResourceTypesPage } from "@orchestrator-ui/orchestrator-ui-components";

export default WfoResourceTypesPage;
