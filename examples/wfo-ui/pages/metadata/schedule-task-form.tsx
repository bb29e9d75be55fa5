import { WfoScheduleTaskFormPage } from "@orchestrator-ui/orchestrator-ui-components";

export default WfoScheduleTaskFormPage;
