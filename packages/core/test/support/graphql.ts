/**
 * GraphQL over HTTP for tests: a POST to /api/graphql; the beginner scenario's subscriptions seeded through its
 * workflows (as api-beginner.test.ts drives them); and a count of the SQL statements the server runs meanwhile, on
 * either back-end (PGlite's query/exec, node-postgres's Client.query), to check that lists load in a constant number
 * of queries.
 */
import assert from "node:assert/strict";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import type { TestServer } from "./api.js";

export async function graphql(t: TestServer, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) {
  return t.request("POST", "/api/graphql", { query, variables }, headers);
}

/** Post the form pages one by one as the UI does; returns the process detail (REST) once it completed. */
export async function runWorkflow(t: TestServer, workflow: string, pages: Record<string, unknown>[]): Promise<any> {
  const created = await t.request("POST", `/api/processes/${workflow}`, pages);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const detail = await t.settle(created.body.id);
  assert.equal(detail.last_status, "completed", JSON.stringify(detail.steps.at(-1)));
  return detail;
}

export interface BeginnerData {
  products: Record<string, string>;
  group: string;
  users: string[];
}

/** A user group and `users` users in it (the first one modified), all through the beginner's workflows. */
export async function seedBeginner(t: TestServer, users = 2): Promise<BeginnerData> {
  const products: Record<string, string> = {};
  for (const p of (await t.request("GET", "/api/products")).body) products[p.name] = p.product_id;
  const group = (await runWorkflow(t, "create_user_group", [{ product: products["User Group"] }, { group_name: "Admins" }])).subscriptions[0].subscription_id;
  const ids: string[] = [];
  for (let i = 0; i < users; i++) {
    const product = i % 2 === 0 ? products["User internal"] : products["User external"];
    const detail = await runWorkflow(t, "create_user", [{ product }, { username: `user${i}`, ...(i % 2 === 0 ? { age: 30 + i } : {}), user_group_ids: [group] }]);
    ids.push(detail.subscriptions[0].subscription_id);
  }
  if (ids.length > 0) await runWorkflow(t, "modify_user", [{ subscription_id: ids[0] }, { username: "user0b" }]);
  return { products, group, users: ids };
}

/** Statements that read the catalogue, processes or subscriptions (not the engine's, scheduler's or queue's own). */
const DATA_STATEMENT = /\b(processes|process_steps|subscriptions|subscription_\w+|products|product_blocks|resource_types|workflows|fixed_inputs|schedules)\b/i;

const isDataStatement = (sql: string) => DATA_STATEMENT.test(sql) && !/pg_advisory|engine_settings|pgboss/i.test(sql);

/**
 * Counts the data statements run while `fn` runs (both back-ends; the server runs in this process), or those `which`
 * picks (the engine's own too).
 */
export async function countStatements<T>(fn: () => Promise<T>, which: (sql: string) => boolean = isDataStatement): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const record = (text: unknown) => {
    const sql = typeof text === "string" ? text : (text as { text?: string })?.text;
    if (typeof sql === "string" && which(sql)) statements.push(sql);
  };
  const pgliteQuery = PGlite.prototype.query;
  const pgliteExec = PGlite.prototype.exec;
  const clientQuery = pg.Client.prototype.query;
  PGlite.prototype.query = function (this: PGlite, ...args: any[]) {
    record(args[0]);
    return (pgliteQuery as any).apply(this, args);
  } as any;
  PGlite.prototype.exec = function (this: PGlite, ...args: any[]) {
    record(args[0]);
    return (pgliteExec as any).apply(this, args);
  } as any;
  pg.Client.prototype.query = function (this: pg.Client, ...args: any[]) {
    record(args[0]);
    return (clientQuery as any).apply(this, args);
  } as any;
  try {
    return { result: await fn(), statements };
  } finally {
    PGlite.prototype.query = pgliteQuery;
    PGlite.prototype.exec = pgliteExec;
    pg.Client.prototype.query = clientQuery;
  }
}
