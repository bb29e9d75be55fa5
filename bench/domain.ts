/**
 * Domain benchmark: loading (`fromSubscription`) and saving (`saveSubscription` in a transaction) one subscription
 * whose block tree is
 * - deep: 10 levels of nested product blocks (Block0 { value, child: Block1 } … Block9 { value }), product type Deep;
 * - wide: a list of 100 blocks (Item { n }), product type Wide;
 * on the PostgreSQL server (POSTGRES_URI, default postgresql://postgres@127.0.0.1:5432/postgres; a fresh database
 * is created and dropped) and on an in-memory PGlite. Prints, per back-end and shape, median and p95 ms of a load
 * and of a save over RUNS runs (default 50) after WARMUP runs (default 5), and the number of SQL statements per
 * load and per save, counted by a Kysely plugin on the instance passed to the functions. Loading is meant to be a
 * constant number of queries whatever the tree (not one per block): the last line per back-end shows both shapes'
 * counts side by side.
 */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { z } from "zod";
import { admin, databaseUri, percentile } from "./support.js";
import {
  type AnyProductBlock,
  type AnySubscriptionModel,
  type BlockFields,
  blockList,
  CORE_VERSIONS_FOLDER,
  create,
  type Database,
  field,
  fromProductId,
  fromSubscription,
  loadMigrations,
  type MigrationConnection,
  Migrator,
  openDatabase,
  type OrchestratorDb,
  productBlock,
  productType,
  registerProducts,
  saveSubscription,
} from "@orchestrator-ts/core";

const RUNS = Number(process.env.RUNS ?? 50);
const WARMUP = Number(process.env.WARMUP ?? 5);
const DEPTH = 10;
const WIDTH = 100;

const f = (n: number, digits = 2) => n.toFixed(digits);

// ---------------------------------------------------------------------------------------------------------------
// models
// ---------------------------------------------------------------------------------------------------------------

// deep: Block9 { value } first, then each level wraps the next one
const deepBlocks: AnyProductBlock[] = [];
for (let level = DEPTH - 1; level >= 0; level--) {
  const child = deepBlocks[0];
  const fields: BlockFields = child ? { value: field(z.string()), child } : { value: field(z.string()) };
  deepBlocks.unshift(productBlock(`Block${level}`, fields, { description: `deep block level ${level}` }));
}
const Deep = productType("Deep", { root: deepBlocks[0]! }, { description: "deep tree" });

const Item = productBlock("Item", { n: field(z.number().int()) }, { description: "wide item" });
const Wide = productType("Wide", { items: blockList(Item, { min: WIDTH, max: WIDTH }) }, { description: "wide tree" });

registerProducts({ Deep, Wide });

type Json = Record<string, unknown>;

/** Insert the products, their blocks, resource types and block relations. */
async function createProducts(db: Kysely<Database>): Promise<{ deep: string; wide: string }> {
  const ids = { deep: randomUUID(), wide: randomUUID() };
  const product_blocks: Record<string, object> = {};
  // a block's depends_on_block_relations must exist already: the innermost block first
  for (let level = DEPTH - 1; level >= 0; level--) {
    product_blocks[`Block${level}`] = {
      product_block_id: randomUUID(),
      description: `deep block level ${level}`,
      tag: `B${level}`,
      status: "active",
      resources: { value: "a value" },
      ...(level < DEPTH - 1 ? { depends_on_block_relations: [`Block${level + 1}`] } : {}),
    };
  }
  product_blocks.Item = { product_block_id: randomUUID(), description: "wide item", tag: "ITEM", status: "active", resources: { n: "a number" } };
  await db.transaction().execute((trx) =>
    create(trx as unknown as MigrationConnection, {
      products: {
        Deep: { product_id: ids.deep, product_type: "Deep", description: "deep tree", tag: "DEEP", status: "active", root_product_block: "Block0" },
        Wide: { product_id: ids.wide, product_type: "Wide", description: "wide tree", tag: "WIDE", status: "active", root_product_block: "Item" },
      },
      product_blocks,
    } as never),
  );
  return ids;
}

/** A complete deep subscription, saved once (status initial). */
async function newDeep(db: Kysely<Database>, productId: string): Promise<string> {
  const model = (await fromProductId(db, productId, "bench", { productType: Deep })) as unknown as AnySubscriptionModel;
  let block = model.root as Json | undefined;
  for (let level = 0; block; level++) {
    block.value = `level ${level}`;
    block = block.child as Json | undefined;
  }
  await db.transaction().execute((trx) => saveSubscription(trx, model));
  return model.subscription_id;
}

/** A complete wide subscription, saved once (status initial). */
async function newWide(db: Kysely<Database>, productId: string): Promise<string> {
  const model = (await fromProductId(db, productId, "bench", { productType: Wide })) as unknown as AnySubscriptionModel;
  (model.items as Json[]).forEach((item, i) => (item.n = i));
  await db.transaction().execute((trx) => saveSubscription(trx, model));
  return model.subscription_id;
}

/** Blocks in the loaded tree (to show the tree is complete). */
function countBlocks(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + countBlocks(v), 0);
  if (typeof value !== "object" || value === null) return 0;
  const v = value as Json;
  const self = typeof v.subscription_instance_id === "string" ? 1 : 0;
  return self + Object.entries(v).reduce((n, [k, child]) => n + (k === "product" ? 0 : countBlocks(child)), 0);
}

// ---------------------------------------------------------------------------------------------------------------
// measuring
// ---------------------------------------------------------------------------------------------------------------

interface Figures {
  blocks: number;
  load: number[];
  save: number[];
  loadStatements: Set<number>;
  saveStatements: Set<number>;
}

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `median_ms=${f(percentile(sorted, 50))} p95_ms=${f(percentile(sorted, 95))}`;
};
const counts = (set: Set<number>) => [...set].sort((a, b) => a - b).join("|");

async function measure(database: OrchestratorDb, label: string): Promise<void> {
  await new Migrator(database.db, await loadMigrations([CORE_VERSIONS_FOLDER])).upgrade("heads");
  const products = await createProducts(database.db);
  const shapes = {
    [`deep (${DEPTH} levels)`]: { id: await newDeep(database.db, products.deep), change: (m: Json, i: number) => ((m.root as Json).value = `run ${i}`) },
    [`wide (${WIDTH} blocks)`]: { id: await newWide(database.db, products.wide), change: (m: Json, i: number) => (((m.items as Json[])[0]!).n = 1000 + i) },
  };

  let statements = 0;
  const db = database.db.withPlugin({
    transformQuery: (args) => {
      statements++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  });

  const results: Record<string, Figures> = {};
  for (const [shape, { id, change }] of Object.entries(shapes)) {
    const figures: Figures = { blocks: 0, load: [], save: [], loadStatements: new Set(), saveStatements: new Set() };
    for (let i = 0; i < WARMUP + RUNS; i++) {
      statements = 0;
      let t0 = performance.now();
      const model = (await fromSubscription(db, id)) as unknown as AnySubscriptionModel;
      const loadMs = performance.now() - t0;
      const loadCount = statements;

      change(model as unknown as Json, i);
      statements = 0;
      t0 = performance.now();
      await db.transaction().execute((trx) => saveSubscription(trx, model));
      const saveMs = performance.now() - t0;
      const saveCount = statements;

      if (i === 0) figures.blocks = countBlocks(model);
      if (i < WARMUP) continue;
      figures.load.push(loadMs);
      figures.save.push(saveMs);
      figures.loadStatements.add(loadCount);
      figures.saveStatements.add(saveCount);
    }
    results[shape] = figures;
    console.log(
      `${label} ${shape}: blocks=${figures.blocks} runs=${RUNS}` +
        ` | load ${stats(figures.load)} statements=${counts(figures.loadStatements)}` +
        ` | save ${stats(figures.save)} statements=${counts(figures.saveStatements)}`,
    );
  }
  const side = (pick: (fig: Figures) => Set<number>) =>
    Object.entries(results)
      .map(([shape, fig]) => `${shape.split(" ")[0]}=${counts(pick(fig))}`)
      .join(" ");
  console.log(`${label} statements per load: ${side((fig) => fig.loadStatements)}; per save: ${side((fig) => fig.saveStatements)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// the two back-ends
// ---------------------------------------------------------------------------------------------------------------

const name = `orch_bench_domain_${process.pid}`;
await admin(`drop database if exists ${name}`);
await admin(`create database ${name}`);
try {
  const database = await openDatabase({ uri: databaseUri(name), poolSize: 5 });
  try {
    await measure(database, "postgres");
  } finally {
    await database.close();
  }
} finally {
  await admin(`drop database if exists ${name} with (force)`);
}

const pglite = await openDatabase({ uri: "pglite://memory" });
try {
  await measure(pglite, "pglite");
} finally {
  await pglite.close();
}
