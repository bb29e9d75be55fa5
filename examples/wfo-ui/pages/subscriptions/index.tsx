import { WfoSubscriptionsListPage } from "@orchestrator-ui/orchestrator-ui-components";

export default WfoSubscriptionsListPage;
