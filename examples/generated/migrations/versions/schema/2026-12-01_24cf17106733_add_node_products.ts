/**
 * add Node products.
 *
 * Revision ID: 24cf17106733
 * Revises: 39a3782ff22a
 * Create Date: 2026-12-01 04:14:30
 */
import type { MigrationConnection } from "@orchestrator-ts/core";
import { randomUUID } from "node:crypto";
import { create, deleteProduct, deleteProductBlock, sql, type CreateSpec } from "@orchestrator-ts/core";

export const revision = "24cf17106733";
export const down_revision = "39a3782ff22a";
export const branch_labels = null;
export const depends_on = null;

const new_products: CreateSpec = {
  products: {
    "Node Cisco": {
      product_id: randomUUID(),
      product_type: "Node",
      description: "Network node",
      tag: "NODE",
      status: "active",
      root_product_block: "Node",
      fixed_inputs: { node_vendor: "Cisco" },
    },
    "Node Nokia": {
      product_id: randomUUID(),
      product_type: "Node",
      description: "Network node",
      tag: "NODE",
      status: "active",
      root_product_block: "Node",
      fixed_inputs: { node_vendor: "Nokia" },
    },
  },
  product_blocks: {
    "Port": {
      product_block_id: randomUUID(),
      description: "port of a node",
      tag: "PORT",
      status: "active",
      resources: { port_name: "name of the port, e.g. xe-0/0/1", port_speed: "speed of the port in Gbit/s" },
      depends_on_block_relations: [],
    },
    "Node": {
      product_block_id: randomUUID(),
      description: "node product block",
      tag: "NODE",
      status: "active",
      resources: { node_name: "unique name of the node", node_description: "description of the node", ipv4_loopback: "IPv4 loopback address", ims_id: "id of the node in the inventory management system", under_maintenance: "node is under maintenance" },
      depends_on_block_relations: ["Port"],
    },
  },
};

/** Resource types of the new blocks; the downgrade deletes those no other block uses. */
const resource_types = ["ims_id", "ipv4_loopback", "node_description", "node_name", "port_name", "port_speed", "under_maintenance"];

export async function upgrade(conn: MigrationConnection): Promise<void> {
  await create(conn, new_products);
}

export async function downgrade(conn: MigrationConnection): Promise<void> {
  for (const name of Object.keys(new_products.products ?? {})) await deleteProduct(conn, name);
  for (const name of Object.keys(new_products.product_blocks ?? {}).reverse()) await deleteProductBlock(conn, name);
  for (const name of resource_types) {
    await sql`
      DELETE FROM resource_types AS rt WHERE rt.resource_type = ${name}
        AND NOT EXISTS (SELECT 1 FROM product_block_resource_types AS x WHERE x.resource_type_id = rt.resource_type_id)`.execute(conn);
  }
}
