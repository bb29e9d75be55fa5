/**
 * What an engine knows of the global lock (engine_settings.global_lock, the pause switch of every instance) without
 * reading it back with every step: a trigger announces each change on a notification channel and the watch listens.
 * While the listener is connected the watch's value is current; while it is not (not started, connection lost and
 * reconnecting) `known` is undefined and the engine reads the lock with its statements, as it did before.
 */
import type { OrchestratorDb, Listener } from "../db/index.js";

/** The channel the engine_settings trigger notifies ("locked:<n>" / "unlocked:<n>", n from a sequence). */
export const ENGINE_SETTINGS_CHANNEL = "orchestrator_engine_settings";

export interface PauseWatchHandlers {
  /** The lock changed (any instance, or SQL). */
  onChange(locked: boolean): void;
  /** The lock was lifted, or found lifted after a gap in the notifications: resume what the pause stopped. */
  onLifted(): void;
  /** The listener lost its connection (it reconnects by itself; meanwhile `known` is undefined). */
  onLost(error: unknown): void;
}

/** The lock, and whether the trigger that announces its changes is there. */
const READ_LOCK_SQL = `SELECT global_lock, EXISTS (
    SELECT 1 FROM pg_trigger WHERE tgname = 'engine_settings_notify' AND tgrelid = 'engine_settings'::regclass
  ) AS notifies FROM engine_settings LIMIT 1`;

export class PauseWatch {
  private live = false;
  private locked = false;
  /** Notifications received so far: a read of the lock is only used if none arrived while it ran. */
  private notifications = 0;
  private listener?: Listener;

  private constructor(private readonly handlers: PauseWatchHandlers) {}

  static async open(database: OrchestratorDb, handlers: PauseWatchHandlers): Promise<PauseWatch> {
    const watch = new PauseWatch(handlers);
    watch.listener = await database.listen(ENGINE_SETTINGS_CHANNEL, {
      onNotify: (payload) => {
        watch.notifications++;
        watch.apply(payload.startsWith("locked"));
      },
      onListening: async (query) => {
        const before = watch.notifications;
        const rows = await query(READ_LOCK_SQL);
        const row = rows[0];
        // without the trigger (a database not migrated this far) nothing would be announced: stay on reading back
        if (row?.notifies !== true) return;
        watch.live = true;
        // A notification that came in while the read ran is at least as new as what it read (the server hands
        // notifications over before the read's end), so then the read is stale. Notifications may have been missed
        // before: a lift is acted on even if the last value seen was unlocked.
        watch.apply(watch.notifications === before ? row.global_lock === true : watch.locked, true);
      },
      onLost: (error) => {
        watch.live = false;
        handlers.onLost(error);
      },
    });
    return watch;
  }

  /** The global lock as the notifications tell it, or undefined when it has to be read from the database. */
  get known(): boolean | undefined {
    return this.live ? this.locked : undefined;
  }

  /** Wait until every change committed before the call has reached the watch. */
  async sync(): Promise<void> {
    await this.listener?.sync();
  }

  async close(): Promise<void> {
    this.live = false;
    await this.listener?.close();
  }

  private apply(locked: boolean, afterGap = false): void {
    const changed = locked !== this.locked;
    const lifted = !locked && (this.locked || afterGap);
    this.locked = locked;
    if (changed) this.handlers.onChange(locked);
    if (lifted) this.handlers.onLifted();
  }
}
