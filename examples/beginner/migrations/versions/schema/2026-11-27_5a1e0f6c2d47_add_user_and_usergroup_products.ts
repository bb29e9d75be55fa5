/**
 * add User and UserGroup products.
 *
 * The products, product blocks, resource types and fixed inputs of the beginner workshop. Root of the `data`
 * branch, so it depends on the core schema.
 *
 * Revision ID: 5a1e0f6c2d47
 * Revises:
 * Create Date: 2026-11-27 13:30:00
 */
import { sql, type MigrationConnection } from "@orchestrator-ts/core";

export const revision = "5a1e0f6c2d47";
export const down_revision = null;
export const branch_labels = ["data"];
export const depends_on = "3f1c0a7e2b91";

export async function upgrade(conn: MigrationConnection): Promise<void> {
  await sql`
    INSERT INTO products (name, description, product_type, tag, status) VALUES
      ('User Group', 'user group administration', 'UserGroup', 'GROUP', 'active'),
      ('User internal', 'user administration - internal', 'User', 'USER_INT', 'active'),
      ('User external', 'user administration - external', 'User', 'USER_EXT', 'active');

    INSERT INTO fixed_inputs (name, value, product_id)
      SELECT 'affiliation', 'internal', product_id FROM products WHERE name = 'User internal';
    INSERT INTO fixed_inputs (name, value, product_id)
      SELECT 'affiliation', 'external', product_id FROM products WHERE name = 'User external';

    INSERT INTO product_blocks (name, description, tag, status) VALUES
      ('UserGroupBlock', 'user group block', 'UGB', 'active'),
      ('UserBlock', 'user block', 'UB', 'active');

    INSERT INTO resource_types (resource_type, description) VALUES
      ('age', 'age of the user'),
      ('username', 'name of the user'),
      ('user_id', 'id of the user'),
      ('group_name', 'name of the user group'),
      ('group_id', 'id of the user group');

    INSERT INTO product_product_blocks (product_id, product_block_id)
      SELECT p.product_id, b.product_block_id FROM products p, product_blocks b
      WHERE (p.name = 'User Group' AND b.name = 'UserGroupBlock')
         OR (p.name IN ('User internal', 'User external') AND b.name = 'UserBlock');

    INSERT INTO product_block_relations (in_use_by_id, depends_on_id)
      SELECT u.product_block_id, g.product_block_id FROM product_blocks u, product_blocks g
      WHERE u.name = 'UserBlock' AND g.name = 'UserGroupBlock';

    INSERT INTO product_block_resource_types (product_block_id, resource_type_id)
      SELECT b.product_block_id, r.resource_type_id FROM product_blocks b, resource_types r
      WHERE (b.name = 'UserGroupBlock' AND r.resource_type IN ('group_name', 'group_id'))
         OR (b.name = 'UserBlock' AND r.resource_type IN ('username', 'age', 'user_id'));
  `.execute(conn);
}

export async function downgrade(conn: MigrationConnection): Promise<void> {
  await sql`
    DELETE FROM product_block_resource_types WHERE product_block_id IN
      (SELECT product_block_id FROM product_blocks WHERE name IN ('UserGroupBlock', 'UserBlock'));
    DELETE FROM product_block_relations WHERE in_use_by_id IN
      (SELECT product_block_id FROM product_blocks WHERE name IN ('UserGroupBlock', 'UserBlock'));
    DELETE FROM product_product_blocks WHERE product_id IN
      (SELECT product_id FROM products WHERE name IN ('User Group', 'User internal', 'User external'));
    DELETE FROM fixed_inputs WHERE product_id IN
      (SELECT product_id FROM products WHERE name IN ('User internal', 'User external'));
    DELETE FROM resource_types WHERE resource_type IN ('age', 'username', 'user_id', 'group_name', 'group_id');
    DELETE FROM product_blocks WHERE name IN ('UserGroupBlock', 'UserBlock');
    DELETE FROM products WHERE name IN ('User Group', 'User internal', 'User external');
  `.execute(conn);
}
