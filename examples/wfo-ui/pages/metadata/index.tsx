import { redirectTo } from "../../route";

export default redirectTo("/metadata/products");
