/**
 * The pause watch: an engine learns of changes to the global lock by notification (a trigger on engine_settings),
 * and when its listener connection is lost it says so (the engine then reads the lock back) and catches up on
 * reconnecting, including a lift it missed.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { LISTENER_APPLICATION_NAME } from "../src/db/listener.js";
import { PauseWatch } from "../src/workflow/pause-watch.js";
import { backend, freshDatabase, type TestDatabase } from "./support/db.js";
import { migrate } from "./support/engine-db.js";

/** Resolves with the next value `next` pushes (fails after 10 s). */
function nextOf<T>(subscribe: (push: (value: T) => void) => void, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 10_000);
    subscribe((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

describe(`pause watch (${backend})`, () => {
  let db: TestDatabase;
  let watch: PauseWatch;
  let onChange: ((locked: boolean) => void) | undefined;
  let onLifted: (() => void) | undefined;
  let onLost: ((error: unknown) => void) | undefined;
  const setLock = (locked: boolean) => db.db.updateTable("engine_settings").set({ global_lock: locked }).execute();

  before(async () => {
    db = await freshDatabase();
    await migrate(db);
    watch = await PauseWatch.open(db, {
      onChange: (locked) => onChange?.(locked),
      onLifted: () => onLifted?.(),
      onLost: (error) => onLost?.(error),
    });
  });
  after(async () => {
    await watch.close();
    await db.close();
  });

  it("knows the lock from the start and follows every change, with sync as a barrier", async () => {
    assert.equal(watch.known, false);
    const changes: boolean[] = [];
    let lifts = 0;
    onChange = (locked) => changes.push(locked);
    onLifted = () => lifts++;
    await setLock(true);
    await watch.sync();
    assert.equal(watch.known, true);
    await setLock(true); // no change: no event
    await setLock(false);
    await watch.sync();
    assert.equal(watch.known, false);
    assert.deepEqual(changes, [true, false]);
    assert.equal(lifts, 1);
    onChange = onLifted = undefined;
  });

  it("an update in a transaction that rolls back announces nothing", async () => {
    const changes: boolean[] = [];
    onChange = (locked) => changes.push(locked);
    await db.db
      .transaction()
      .execute(async (trx) => {
        await trx.updateTable("engine_settings").set({ global_lock: true }).execute();
        throw new Error("roll back");
      })
      .catch(() => undefined);
    await watch.sync();
    assert.equal(watch.known, false);
    assert.deepEqual(changes, []);
    onChange = undefined;
  });

  it("lock, unlock and lock again in one transaction: every change arrives, ending locked", async () => {
    const changes: boolean[] = [];
    onChange = (locked) => changes.push(locked);
    await db.db.transaction().execute(async (trx) => {
      for (const locked of [true, false, true]) await trx.updateTable("engine_settings").set({ global_lock: locked }).execute();
    });
    await watch.sync();
    assert.equal(watch.known, true);
    assert.deepEqual(changes, [true, false, true]);
    // and many within one statement, so that writes fall within one tick of a millisecond clock (the embedded
    // database's): each still arrives, identical notifications of a transaction being delivered only once
    changes.length = 0;
    await sql`DO $$ BEGIN
      FOR i IN 1..25 LOOP
        UPDATE engine_settings SET global_lock = false;
        UPDATE engine_settings SET global_lock = true;
      END LOOP;
    END $$`.execute(db.db);
    await watch.sync();
    assert.equal(watch.known, true);
    assert.deepEqual(changes, Array.from({ length: 50 }, (_, i) => i % 2 === 1));
    await setLock(false);
    await watch.sync();
    onChange = undefined;
  });

  it("without the trigger (a database not migrated this far) it does not claim to know: the engine reads the lock back", async () => {
    await sql`ALTER TABLE engine_settings RENAME TO engine_settings_kept`.execute(db.db);
    await sql`CREATE TABLE engine_settings (global_lock boolean NOT NULL DEFAULT false PRIMARY KEY)`.execute(db.db);
    await sql`INSERT INTO engine_settings VALUES (false)`.execute(db.db);
    const other = await PauseWatch.open(db, { onChange: () => undefined, onLifted: () => undefined, onLost: () => undefined });
    try {
      assert.equal(other.known, undefined);
    } finally {
      await other.close();
      await sql`DROP TABLE engine_settings`.execute(db.db);
      await sql`ALTER TABLE engine_settings_kept RENAME TO engine_settings`.execute(db.db);
    }
    await setLock(true);
    await watch.sync();
    assert.equal(watch.known, true, "the first watch still follows the renamed-back table");
    await setLock(false);
    await watch.sync();
  });

  it("when its connection is lost: unknown until it reconnects, then a lift it missed is acted on", { skip: backend !== "postgres" }, async () => {
    await setLock(true);
    await watch.sync();
    assert.equal(watch.known, true);
    const lost = nextOf<unknown>((push) => (onLost = push), "the listener to report its lost connection");
    const { rows } = await sql<{ n: number }>`
      select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
      where datname = current_database() and application_name = ${LISTENER_APPLICATION_NAME}`.execute(db.db);
    assert.equal(rows[0]!.n, 1);
    await lost;
    assert.equal(watch.known, undefined, "not current while disconnected");
    // lifted while nobody listens: the notification is lost, the reconnect finds out
    const lifted = nextOf<void>((push) => (onLifted = push), "the lift to be found on reconnecting");
    await setLock(false);
    await lifted;
    assert.equal(watch.known, false);
    onLost = onLifted = undefined;
  });
});
