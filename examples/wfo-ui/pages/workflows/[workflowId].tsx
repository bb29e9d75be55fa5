import { WfoProcessDetailPage } from "@orchestrator-ui/orchestrator-ui-components";
import { useRouterParam } from "../../route";

export default function WorkflowPage() {
  const id = useRouterParam("workflowId");
  return id ? <WfoProcessDetailPage processId={id} /> : null;
}
