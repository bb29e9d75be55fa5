/**
 * Initial schema.
 *
 * The orchestrator-core data model (products, product blocks, resource types, fixed inputs, workflows, processes
 * and their steps, subscriptions and their instances) as one revision. Root of the `schema` branch.
 *
 * Revision ID: 3f1c0a7e2b91
 * Revises:
 * Create Date: 2026-11-27 13:30:00
 */
import { sql } from "kysely";
import type { MigrationConnection } from "../../types.js";

export const revision = "3f1c0a7e2b91";
export const down_revision = null;
export const branch_labels = ["schema"];
export const depends_on = null;

export async function upgrade(conn: MigrationConnection): Promise<void> {
  await sql`
    CREATE TABLE engine_settings (
      global_lock boolean NOT NULL DEFAULT false PRIMARY KEY
    );
    INSERT INTO engine_settings (global_lock) VALUES (false);

    CREATE TABLE products (
      product_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name varchar NOT NULL UNIQUE,
      description varchar(2000) NOT NULL,
      product_type varchar(255) NOT NULL,
      tag varchar(20) NOT NULL,
      status varchar(255) NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      end_date timestamptz
    );
    CREATE INDEX ix_products_tag ON products (tag);
    CREATE INDEX ix_products_product_type ON products (product_type);

    CREATE TABLE fixed_inputs (
      fixed_input_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name varchar NOT NULL,
      value varchar NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      product_id uuid NOT NULL REFERENCES products (product_id) ON DELETE CASCADE,
      CONSTRAINT uniq_fixed_inputs_name_product_id UNIQUE (name, product_id)
    );

    CREATE TABLE product_blocks (
      product_block_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name varchar NOT NULL UNIQUE,
      description varchar(2000) NOT NULL,
      tag varchar(20),
      status varchar(255),
      created_at timestamptz NOT NULL DEFAULT now(),
      end_date timestamptz
    );

    CREATE TABLE resource_types (
      resource_type_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      resource_type varchar(510) NOT NULL UNIQUE,
      description varchar(2000)
    );

    CREATE TABLE product_product_blocks (
      product_id uuid NOT NULL REFERENCES products (product_id) ON DELETE CASCADE,
      product_block_id uuid NOT NULL REFERENCES product_blocks (product_block_id) ON DELETE CASCADE,
      PRIMARY KEY (product_id, product_block_id)
    );

    CREATE TABLE product_block_resource_types (
      product_block_id uuid NOT NULL REFERENCES product_blocks (product_block_id) ON DELETE CASCADE,
      resource_type_id uuid NOT NULL REFERENCES resource_types (resource_type_id) ON DELETE CASCADE,
      PRIMARY KEY (product_block_id, resource_type_id)
    );

    CREATE TABLE product_block_relations (
      in_use_by_id uuid NOT NULL REFERENCES product_blocks (product_block_id) ON DELETE CASCADE,
      depends_on_id uuid NOT NULL REFERENCES product_blocks (product_block_id) ON DELETE CASCADE,
      min integer,
      max integer,
      PRIMARY KEY (in_use_by_id, depends_on_id)
    );
    CREATE UNIQUE INDEX product_block_relation_i_d_ix ON product_block_relations (in_use_by_id, depends_on_id);
    CREATE INDEX ix_product_block_relations_depends_on_id ON product_block_relations (depends_on_id);

    CREATE TABLE workflows (
      workflow_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name varchar NOT NULL UNIQUE,
      target varchar NOT NULL,
      description varchar(2000) NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz,
      is_task boolean NOT NULL DEFAULT false
    );

    CREATE TABLE products_workflows (
      product_id uuid NOT NULL REFERENCES products (product_id) ON DELETE CASCADE,
      workflow_id uuid NOT NULL REFERENCES workflows (workflow_id) ON DELETE CASCADE,
      PRIMARY KEY (product_id, workflow_id)
    );
    CREATE INDEX ix_products_workflows_workflow_id ON products_workflows (workflow_id);

    CREATE TABLE processes (
      pid uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workflow_id uuid NOT NULL REFERENCES workflows (workflow_id),
      assignee varchar(50) NOT NULL DEFAULT 'SYSTEM',
      last_status varchar(50) NOT NULL,
      last_step varchar(255),
      started_at timestamptz NOT NULL DEFAULT now(),
      last_modified_at timestamptz NOT NULL DEFAULT now(),
      failed_reason varchar(10000),
      traceback varchar(50000),
      created_by varchar(255),
      is_task boolean NOT NULL DEFAULT false,
      note varchar(5000)
    );
    CREATE INDEX ix_processes_is_task ON processes (is_task);
    CREATE INDEX ix_processes_workflow_id ON processes (workflow_id);
    CREATE INDEX ix_processes_last_status ON processes (last_status);
    CREATE INDEX ix_processes_started_at ON processes (started_at);

    CREATE TABLE process_steps (
      stepid uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      pid uuid NOT NULL REFERENCES processes (pid) ON DELETE CASCADE,
      name varchar NOT NULL,
      status varchar(50) NOT NULL,
      state jsonb NOT NULL,
      created_by varchar(255),
      completed_at timestamptz NOT NULL DEFAULT statement_timestamp(),
      started_at timestamptz NOT NULL DEFAULT statement_timestamp(),
      commit_hash varchar(40)
    );
    CREATE INDEX ix_process_steps_pid ON process_steps (pid);

    CREATE TABLE subscriptions (
      subscription_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      description varchar(2000) NOT NULL,
      status varchar(255) NOT NULL,
      product_id uuid NOT NULL REFERENCES products (product_id),
      customer_id varchar NOT NULL,
      insync boolean NOT NULL,
      start_date timestamptz,
      end_date timestamptz,
      note varchar(5000),
      version integer NOT NULL DEFAULT 1
    );
    CREATE INDEX ix_subscriptions_status ON subscriptions (status);
    CREATE INDEX ix_subscriptions_product_id ON subscriptions (product_id);
    CREATE INDEX ix_subscriptions_customer_id ON subscriptions (customer_id);
    CREATE INDEX subscription_product_ix ON subscriptions (subscription_id, product_id);
    CREATE INDEX subscription_customer_ix ON subscriptions (subscription_id, customer_id);

    CREATE TABLE processes_subscriptions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      pid uuid NOT NULL REFERENCES processes (pid) ON DELETE CASCADE,
      subscription_id uuid NOT NULL REFERENCES subscriptions (subscription_id),
      created_at timestamptz NOT NULL DEFAULT now(),
      workflow_target varchar(255)
    );
    CREATE INDEX ix_processes_subscriptions_pid ON processes_subscriptions (pid);
    CREATE INDEX ix_processes_subscriptions_subscription_id ON processes_subscriptions (subscription_id);
    CREATE INDEX processes_subscriptions_ix ON processes_subscriptions (pid, subscription_id);

    CREATE TYPE inputtype AS ENUM ('user_input', 'initial_state');
    CREATE TABLE input_states (
      input_state_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      pid uuid NOT NULL REFERENCES processes (pid) ON DELETE CASCADE,
      input_state jsonb NOT NULL,
      input_time timestamptz NOT NULL DEFAULT now(),
      input_type inputtype NOT NULL
    );
    CREATE INDEX ix_input_states_pid ON input_states (pid);

    CREATE TABLE subscription_instances (
      subscription_instance_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      subscription_id uuid NOT NULL REFERENCES subscriptions (subscription_id) ON DELETE CASCADE,
      product_block_id uuid NOT NULL REFERENCES product_blocks (product_block_id),
      label varchar(255)
    );
    CREATE INDEX ix_subscription_instances_subscription_id ON subscription_instances (subscription_id);
    CREATE INDEX ix_subscription_instances_product_block_id ON subscription_instances (product_block_id);
    CREATE INDEX subscription_instance_s_pb_ix ON subscription_instances (subscription_instance_id, subscription_id, product_block_id);

    CREATE TABLE subscription_instance_values (
      subscription_instance_value_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      subscription_instance_id uuid NOT NULL REFERENCES subscription_instances (subscription_instance_id) ON DELETE CASCADE,
      resource_type_id uuid NOT NULL REFERENCES resource_types (resource_type_id),
      value varchar(10000) NOT NULL
    );
    CREATE INDEX ix_subscription_instance_values_subscription_instance_id ON subscription_instance_values (subscription_instance_id);
    CREATE INDEX ix_subscription_instance_values_resource_type_id ON subscription_instance_values (resource_type_id);
    CREATE INDEX siv_si_rt_ix ON subscription_instance_values (subscription_instance_value_id, subscription_instance_id, resource_type_id);

    CREATE TABLE subscription_instance_relations (
      in_use_by_id uuid NOT NULL REFERENCES subscription_instances (subscription_instance_id) ON DELETE CASCADE,
      depends_on_id uuid NOT NULL REFERENCES subscription_instances (subscription_instance_id) ON DELETE CASCADE,
      order_id integer NOT NULL,
      domain_model_attr varchar(255),
      PRIMARY KEY (in_use_by_id, depends_on_id, order_id)
    );
    CREATE UNIQUE INDEX subscription_relation_i_d_o_ix ON subscription_instance_relations (in_use_by_id, depends_on_id, order_id);
    CREATE INDEX ix_subscription_instance_relations_depends_on_id ON subscription_instance_relations (depends_on_id);

    CREATE TABLE subscription_customer_descriptions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      subscription_id uuid NOT NULL REFERENCES subscriptions (subscription_id) ON DELETE CASCADE,
      customer_id varchar NOT NULL,
      description varchar(2000) NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      version integer NOT NULL DEFAULT 1,
      CONSTRAINT uniq_customer_subscription_description UNIQUE (customer_id, subscription_id)
    );
    CREATE INDEX ix_subscription_customer_descriptions_subscription_id ON subscription_customer_descriptions (subscription_id);
    CREATE INDEX ix_subscription_customer_descriptions_customer_id ON subscription_customer_descriptions (customer_id);

    CREATE TABLE subscription_metadata (
      subscription_id uuid PRIMARY KEY REFERENCES subscriptions (subscription_id) ON DELETE CASCADE,
      metadata jsonb NOT NULL
    );

    -- Optimistic locking: every update of a subscription (or customer description) bumps its version.
    CREATE FUNCTION increment_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.version = OLD.version + 1;
      RETURN NEW;
    END;
    $$;
    CREATE TRIGGER subscriptions_increment_version_trigger
      BEFORE UPDATE ON subscriptions FOR EACH ROW EXECUTE FUNCTION increment_version();
    CREATE TRIGGER subscription_customer_descriptions_increment_version_trigger
      BEFORE UPDATE ON subscription_customer_descriptions FOR EACH ROW EXECUTE FUNCTION increment_version();
  `.execute(conn);
}

export async function downgrade(conn: MigrationConnection): Promise<void> {
  await sql`
    DROP TABLE subscription_metadata;
    DROP TABLE subscription_customer_descriptions;
    DROP TABLE subscription_instance_relations;
    DROP TABLE subscription_instance_values;
    DROP TABLE subscription_instances;
    DROP TABLE input_states;
    DROP TYPE inputtype;
    DROP TABLE processes_subscriptions;
    DROP TABLE subscriptions;
    DROP FUNCTION increment_version();
    DROP TABLE process_steps;
    DROP TABLE processes;
    DROP TABLE products_workflows;
    DROP TABLE workflows;
    DROP TABLE product_block_relations;
    DROP TABLE product_block_resource_types;
    DROP TABLE product_product_blocks;
    DROP TABLE resource_types;
    DROP TABLE product_blocks;
    DROP TABLE fixed_inputs;
    DROP TABLE products;
    DROP TABLE engine_settings;
  `.execute(conn);
}
