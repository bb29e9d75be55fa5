import { redirectTo } from "../../../route";

// the library links "New workflow" to /workflows/new/<name>; the bare path goes back to the list
export default redirectTo("/workflows");
