import { WfoStartProcessPage } from "@orchestrator-ui/orchestrator-ui-components";
import { useRouterParam } from "../../../route";

export default function StartWorkflowPage() {
  const name = useRouterParam("workflowName");
  return name ? <WfoStartProcessPage processName={name} isTask={false} /> : null;
}
