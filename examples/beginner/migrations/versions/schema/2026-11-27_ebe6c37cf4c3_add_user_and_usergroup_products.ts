/**
 * add User and UserGroup products.
 *
 * Revision ID: ebe6c37cf4c3
 * Revises: 06f8879b8964
 * Create Date: 2026-11-27 14:41:26
 */
import type { MigrationConnection } from "@orchestrator-ts/core";
import { ensureDefaultWorkflows, sql } from "@orchestrator-ts/core";

export const revision = "ebe6c37cf4c3";
export const down_revision = "06f8879b8964";
export const branch_labels = null;
export const depends_on = null;

const upgrade_sql: string[] = [
  "INSERT INTO resource_types (resource_type, description) VALUES ('age', 'age of the user')",
  "INSERT INTO resource_types (resource_type, description) VALUES ('group_id', 'id of the user group')",
  "INSERT INTO resource_types (resource_type, description) VALUES ('group_name', 'name of the user group')",
  "INSERT INTO resource_types (resource_type, description) VALUES ('user_id', 'id of the user')",
  "INSERT INTO resource_types (resource_type, description) VALUES ('username', 'name of the user')",
  "INSERT INTO product_blocks (name, description, tag, status) VALUES ('UserGroupBlock', 'user group block', 'UGB', 'active')",
  "INSERT INTO product_blocks (name, description, tag, status) VALUES ('UserBlock', 'user block', 'UB', 'active')",
  "INSERT INTO product_block_resource_types (product_block_id, resource_type_id) VALUES ((SELECT product_block_id FROM product_blocks WHERE name = 'UserGroupBlock'), (SELECT resource_type_id FROM resource_types WHERE resource_type = 'group_name'))",
  "INSERT INTO product_block_resource_types (product_block_id, resource_type_id) VALUES ((SELECT product_block_id FROM product_blocks WHERE name = 'UserGroupBlock'), (SELECT resource_type_id FROM resource_types WHERE resource_type = 'group_id'))",
  "INSERT INTO product_block_resource_types (product_block_id, resource_type_id) VALUES ((SELECT product_block_id FROM product_blocks WHERE name = 'UserBlock'), (SELECT resource_type_id FROM resource_types WHERE resource_type = 'username'))",
  "INSERT INTO product_block_resource_types (product_block_id, resource_type_id) VALUES ((SELECT product_block_id FROM product_blocks WHERE name = 'UserBlock'), (SELECT resource_type_id FROM resource_types WHERE resource_type = 'age'))",
  "INSERT INTO product_block_resource_types (product_block_id, resource_type_id) VALUES ((SELECT product_block_id FROM product_blocks WHERE name = 'UserBlock'), (SELECT resource_type_id FROM resource_types WHERE resource_type = 'user_id'))",
  "INSERT INTO product_block_relations (in_use_by_id, depends_on_id, min, max) VALUES ((SELECT product_block_id FROM product_blocks WHERE name = 'UserBlock'), (SELECT product_block_id FROM product_blocks WHERE name = 'UserGroupBlock'), NULL, NULL)",
  "INSERT INTO products (name, description, product_type, tag, status) VALUES ('User Group', 'user group administration', 'UserGroup', 'GROUP', 'active')",
  "INSERT INTO product_product_blocks (product_id, product_block_id) VALUES ((SELECT product_id FROM products WHERE name = 'User Group'), (SELECT product_block_id FROM product_blocks WHERE name = 'UserGroupBlock'))",
  "INSERT INTO products (name, description, product_type, tag, status) VALUES ('User internal', 'user administration - internal', 'User', 'USER_INT', 'active')",
  "INSERT INTO fixed_inputs (name, value, product_id) VALUES ('affiliation', 'internal', (SELECT product_id FROM products WHERE name = 'User internal'))",
  "INSERT INTO product_product_blocks (product_id, product_block_id) VALUES ((SELECT product_id FROM products WHERE name = 'User internal'), (SELECT product_block_id FROM product_blocks WHERE name = 'UserBlock'))",
  "INSERT INTO products (name, description, product_type, tag, status) VALUES ('User external', 'user administration - external', 'User', 'USER_EXT', 'active')",
  "INSERT INTO fixed_inputs (name, value, product_id) VALUES ('affiliation', 'external', (SELECT product_id FROM products WHERE name = 'User external'))",
  "INSERT INTO product_product_blocks (product_id, product_block_id) VALUES ((SELECT product_id FROM products WHERE name = 'User external'), (SELECT product_block_id FROM product_blocks WHERE name = 'UserBlock'))",
];

const downgrade_sql: string[] = [
  "DELETE FROM product_product_blocks WHERE product_id = (SELECT product_id FROM products WHERE name = 'User external') AND product_block_id = (SELECT product_block_id FROM product_blocks WHERE name = 'UserBlock')",
  "DELETE FROM fixed_inputs WHERE name = 'affiliation' AND product_id = (SELECT product_id FROM products WHERE name = 'User external')",
  "DELETE FROM products WHERE name = 'User external'",
  "DELETE FROM product_product_blocks WHERE product_id = (SELECT product_id FROM products WHERE name = 'User internal') AND product_block_id = (SELECT product_block_id FROM product_blocks WHERE name = 'UserBlock')",
  "DELETE FROM fixed_inputs WHERE name = 'affiliation' AND product_id = (SELECT product_id FROM products WHERE name = 'User internal')",
  "DELETE FROM products WHERE name = 'User internal'",
  "DELETE FROM product_product_blocks WHERE product_id = (SELECT product_id FROM products WHERE name = 'User Group') AND product_block_id = (SELECT product_block_id FROM product_blocks WHERE name = 'UserGroupBlock')",
  "DELETE FROM products WHERE name = 'User Group'",
  "DELETE FROM product_block_relations WHERE in_use_by_id = (SELECT product_block_id FROM product_blocks WHERE name = 'UserBlock') AND depends_on_id = (SELECT product_block_id FROM product_blocks WHERE name = 'UserGroupBlock')",
  "DELETE FROM product_block_resource_types WHERE product_block_id = (SELECT product_block_id FROM product_blocks WHERE name = 'UserBlock') AND resource_type_id = (SELECT resource_type_id FROM resource_types WHERE resource_type = 'user_id')",
  "DELETE FROM product_block_resource_types WHERE product_block_id = (SELECT product_block_id FROM product_blocks WHERE name = 'UserBlock') AND resource_type_id = (SELECT resource_type_id FROM resource_types WHERE resource_type = 'age')",
  "DELETE FROM product_block_resource_types WHERE product_block_id = (SELECT product_block_id FROM product_blocks WHERE name = 'UserBlock') AND resource_type_id = (SELECT resource_type_id FROM resource_types WHERE resource_type = 'username')",
  "DELETE FROM product_block_resource_types WHERE product_block_id = (SELECT product_block_id FROM product_blocks WHERE name = 'UserGroupBlock') AND resource_type_id = (SELECT resource_type_id FROM resource_types WHERE resource_type = 'group_id')",
  "DELETE FROM product_block_resource_types WHERE product_block_id = (SELECT product_block_id FROM product_blocks WHERE name = 'UserGroupBlock') AND resource_type_id = (SELECT resource_type_id FROM resource_types WHERE resource_type = 'group_name')",
  "DELETE FROM product_blocks WHERE name = 'UserBlock'",
  "DELETE FROM product_blocks WHERE name = 'UserGroupBlock'",
  "DELETE FROM resource_types WHERE resource_type = 'username'",
  "DELETE FROM resource_types WHERE resource_type = 'user_id'",
  "DELETE FROM resource_types WHERE resource_type = 'group_name'",
  "DELETE FROM resource_types WHERE resource_type = 'group_id'",
  "DELETE FROM resource_types WHERE resource_type = 'age'",
];

export async function upgrade(conn: MigrationConnection): Promise<void> {
  for (const statement of upgrade_sql) await sql.raw(statement).execute(conn);
  // link DEFAULT_PRODUCT_WORKFLOWS (of the environment the migration runs in) to the new products
  await ensureDefaultWorkflows(conn);
}

export async function downgrade(conn: MigrationConnection): Promise<void> {
  for (const statement of downgrade_sql) await sql.raw(statement).execute(conn);
}
