// the library reads subscriptionId from the route itself
import { WfoSubscriptionDetailPage } from "@orchestrator-ui/orchestrator-ui-components";

export default WfoSubscriptionDetailPage;
