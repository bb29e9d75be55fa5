/**
 * Executors run process runs. The engine hands a run over as a job (a process id, who asked, a resume's input) with
 * `start` (a new process) or `resume` (anything that continues one: a resume, a retry, a callback, recovery, the end
 * of a pause), and the executor runs it with the function the engine attached — here, in this process, at most
 * `maxWorkers` at a time, the rest queued (orchestrator-core's "threadpool" executor). A distributed executor
 * ("worker") would put the job on a queue for worker processes instead; the engine and the step runner do not change.
 */
import type { State } from "./steps.js";

export interface ExecutorStatus {
  executor: string;
  workers: number;
  running: number;
  queued: number;
}

/** One run of a process to carry out. */
export interface ProcessJob {
  processId: string;
  /** Who asked (the process's steps see it as the user). */
  user: string;
  /** The input of the resume that queued the run, if any. */
  input?: State;
  /**
   * The process-queue job that handed the run over (a worker): completed by the claim's own statement unless another
   * session holds the lease (then the job stays fetched for another try).
   */
  jobId?: string;
  /**
   * Told once whether the run claimed the process (a job from the process queue is completed then): "claimed",
   * "not-waiting" (not created/resumed any more: nothing to run), "leased-elsewhere" (another session holds its lease,
   * typically a run that ended a moment ago and has not released it yet: try again shortly) or "not-run" (the
   * engine is stopping, or the claim failed).
   */
  onClaim?: (outcome: ClaimOutcome) => void;
}

export type ClaimOutcome = "claimed" | "not-waiting" | "leased-elsewhere" | "not-run";

/** Carries out a job: claims the process and runs its steps (the engine's). */
export type RunJob = (job: ProcessJob) => Promise<void>;

export interface Executor {
  /** Called once by the engine that uses the executor: how a job is carried out. */
  attach(run: RunJob): void;
  /** Run a new process. The promise settles when the run is over (or, for a queueing executor, handed over). */
  start(job: ProcessJob): Promise<void>;
  /** Continue a process (resume, retry, callback, recovery, after a pause); settles as `start` does. */
  resume(job: ProcessJob): Promise<void>;
  status(): ExecutorStatus;
  /**
   * Take a worker now if one is free and nothing is queued (optional): returns the function that gives it back, or
   * undefined. Lets the engine start a new process in the statement that creates it.
   */
  reserve?(): (() => void) | undefined;
  /** Stop taking jobs, drop the queued ones and wait for the running ones. */
  shutdown(): Promise<void>;
}

/** Runs jobs in this process, at most `maxWorkers` at a time, the rest queued in order. */
export class InProcessExecutor implements Executor {
  private running = 0;
  private run: RunJob | undefined;
  private readonly queue: { job: () => Promise<void>; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private stopped = false;
  private idle: (() => void)[] = [];

  constructor(private readonly maxWorkers: number) {}

  attach(run: RunJob): void {
    this.run = run;
  }

  start(job: ProcessJob): Promise<void> {
    return this.submit(job);
  }

  resume(job: ProcessJob): Promise<void> {
    return this.submit(job);
  }

  private submit(processJob: ProcessJob): Promise<void> {
    if (this.stopped) return Promise.reject(new Error("The executor is shut down"));
    const run = this.run;
    if (!run) return Promise.reject(new Error("The executor is not attached to an engine"));
    const job = () => run(processJob);
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
