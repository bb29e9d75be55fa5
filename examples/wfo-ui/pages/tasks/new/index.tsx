import { redirectTo } from "../../../route";

export default redirectTo("/tasks");
