/**
 * List reads that concurrent requests share (request coalescing): a request whose read (same key: the route and its
 * query) is already under way, started at most SHARE_WINDOW_MS ago, gets that read's answer instead of running the
 * same queries again. Fifty clients polling the process list then cost the database a few reads, not fifty, which is
 * what keeps the API answering while workers load the database.
 *
 * A read is only shared when nothing was changed through this API process since it began (a process created, resumed
 * or changed by its engine, a subscription set in sync, any write request answered), so a client that changed something and then reads sees its
 * change. A change made elsewhere (a worker, another replica) is seen by reads begun after it; the websocket event that
 * announces it reaches the UI, which reads again, later than that.
 */
import type { WorkflowEngine } from "../workflow/index.js";

/** How old a read under way may be and still be shared (ms). */
const SHARE_WINDOW_MS = 25;

interface Read {
  version: number;
  startedAt: number;
  promise: Promise<unknown>;
}

export class SharedReads {
  private version = 0;
  private readonly inFlight = new Map<string, Read>();
  private readonly detach: () => void;

  constructor(engine: WorkflowEngine) {
    const changed = () => this.version++;
    engine.events.on("process", changed);
    engine.events.on("announced", changed);
    this.detach = () => {
      engine.events.off("process", changed);
      engine.events.off("announced", changed);
    };
  }

  /** Something was changed here (a write request answered): reads begun before are not shared from now on. */
  changed(): void {
    this.version++;
  }

  /** `fn`'s answer, or that of the same read under way (see the module comment). Throws what `fn` throws. */
  read<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const now = performance.now();
    const current = this.inFlight.get(key);
    if (current && current.version === this.version && now - current.startedAt <= SHARE_WINDOW_MS) return current.promise as Promise<T>;
    const read: Read = { version: this.version, startedAt: now, promise: fn() };
    this.inFlight.set(key, read);
    const done = () => {
      if (this.inFlight.get(key) === read) this.inFlight.delete(key);
    };
    read.promise.then(done, done);
    return read.promise as Promise<T>;
  }

  close(): void {
    this.detach();
    this.inFlight.clear();
  }
}
