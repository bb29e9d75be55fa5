import { WfoProcessDetailPage } from "@orchestrator-ui/orchestrator-ui-components";
import { useRouterParam } from "../../route";

export default function TaskPage() {
  const id = useRouterParam("taskId");
  return id ? <WfoProcessDetailPage processId={id} /> : null;
}
