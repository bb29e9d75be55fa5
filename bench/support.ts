/** Shared by the benchmarks: the PostgreSQL server to use, one-off admin statements, order statistics. */
import pg from "pg";

export const ADMIN_URI = process.env.POSTGRES_URI ?? "postgresql://postgres@127.0.0.1:5432/postgres";

/** Run one statement as the admin (create / drop database). */
export async function admin(query: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URI });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

/** The URI of another database on the same server. */
export function databaseUri(name: string): string {
  const url = new URL(ADMIN_URI);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The p-th percentile of sorted values (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}
