import { WfoProductsPage } from "@orchestrator-ui/orchestrator-ui-components";

export default WfoProductsPage;
