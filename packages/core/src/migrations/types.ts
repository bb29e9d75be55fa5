import type { Kysely } from "kysely";

/**
 * What `upgrade` and `downgrade` receive: a Kysely instance bound to the revision's own transaction. Untyped on
 * purpose: a migration is written against the schema as it was at its revision, not as it is today. Use
 * `sql\`…\`.execute(conn)` for raw SQL (a text without parameters may hold several statements).
 */
export type MigrationConnection = Kysely<any>;

/** The exports of one migration file. */
export interface MigrationModule {
  revision: string;
  down_revision: string | readonly string[] | null;
  branch_labels?: string | readonly string[] | null;
  depends_on?: string | readonly string[] | null;
  upgrade(conn: MigrationConnection): Promise<void> | void;
  downgrade(conn: MigrationConnection): Promise<void> | void;
}
