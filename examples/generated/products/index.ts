/** The app's products, registered by product name (several products may share a product type). */
import { registerProducts } from "@orchestrator-ts/core";
import { Node } from "./product_types/node.js";

// generate: node
registerProducts({
  "Node Cisco": Node,
  "Node Nokia": Node,
});
export { Node };
// end generate: node
