import { WfoStartProcessPage } from "@orchestrator-ui/orchestrator-ui-components";
import { useRouterParam } from "../../../route";

export default function StartTaskPage() {
  const name = useRouterParam("taskName");
  return name ? <WfoStartProcessPage processName={name} isTask /> : null;
}
