/**
 * The in-process executor: runs jobs (process runs) concurrently, at most `maxWorkers` at a time, the rest queued.
 * The interface is small (submit, status, shutdown) so a distributed executor can take its place later.
 */
export interface ExecutorStatus {
  executor: string;
  workers: number;
  running: number;
  queued: number;
}

export interface Executor {
  /** Queue a job; the promise settles when the job has run. Refused after shutdown. */
  submit(job: () => Promise<void>): Promise<void>;
  status(): ExecutorStatus;
  /**
   * Take a worker now if one is free and nothing is queued (optional): returns the function that gives it back, or
   * undefined. Lets the engine start a new process in the statement that creates it.
   */
  reserve?(): (() => void) | undefined;
  /** Stop taking jobs, drop the queued ones and wait for the running ones. */
  shutdown(): Promise<void>;
}

export class InProcessExecutor implements Executor {
  private running = 0;
  private readonly queue: { job: () => Promise<void>; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private stopped = false;
  private idle: (() => void)[] = [];

  constructor(private readonly maxWorkers: number) {}

  submit(job: () => Promise<void>): Promise<void> {
    if (this.stopped) return Promise.reject(new Error("The executor is shut down"));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.pump();
    });
  }

  reserve(): (() => void) | undefined {
    if (this.stopped || this.running >= this.maxWorkers || this.queue.length > 0) return undefined;
    this.running++;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.finished();
    };
  }

  private finished(): void {
    this.running--;
    if (this.running === 0) for (const fn of this.idle.splice(0)) fn();
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.running < this.maxWorkers && this.queue.length > 0) {
      const { job, resolve, reject } = this.queue.shift()!;
      this.running++;
      job()
        .then(resolve, reject)
        .finally(() => this.finished());
    }
  }

  status(): ExecutorStatus {
    return { executor: "threadpool", workers: this.maxWorkers, running: this.running, queued: this.queue.length };
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const dropped of this.queue.splice(0)) dropped.resolve();
    if (this.running > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
  }
}
