/**
 * What an engine knows of the global lock (engine_settings.global_lock, the pause switch of every instance) without
 * reading it back with every step: a trigger announces each change on a notification channel and the watch listens.
 * While the listener is connected the watch's value is current; while it is not (not started, connection lost and
 * reconnecting) `known` is undefined and the engine reads the lock with its statements, as it did before.
 */
import type { OrchestratorDb } from "../db/connection.js";
import type { Listener } from "../db/listener.js";

/** The channel the engine_settings trigger notifies ("locked" / "unlocked"). */
export const ENGINE_SETTINGS_CHANNEL = "orchestrator_engine_settings";

export interface PauseWatchHandlers {
  /** The lock changed (any instance, or SQL). */
  onChange(locked: boolean): void;
  /** The lock was lifted, or found lifted after a gap in the notifications: resume what the pause stopped. */
  onLifted(): void;
  /** The listener lost its connection (it reconnects by itself; meanwhile `known` is undefined). */
  onLost(error: unknown): void;
}

export class PauseWatch {
  private live = false;
  private locked = false;
  private listener?: Listener;

  private constructor(private readonly handlers: PauseWatchHandlers) {}

  static async open(database: OrchestratorDb, handlers: PauseWatchHandlers): Promise<PauseWatch> {
    const watch = new PauseWatch(handlers);
    watch.listener = await database.listen(ENGINE_SETTINGS_CHANNEL, {
      onNotify: (payload) => watch.apply(payload === "locked"),
      onListening: async (query) => {
        const rows = await query("SELECT global_lock FROM engine_settings LIMIT 1");
        // notifications may have been missed: a lift is acted on even if the last value seen was unlocked
        watch.live = true;
        watch.apply(rows[0]?.global_lock === true, true);
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
