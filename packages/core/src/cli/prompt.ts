/**
 * Line-based prompts that work the same in a terminal and with answers piped in (all at once or line by line):
 * every answer is the next line of input, and the end of the input is reported as `undefined`. The input is read
 * only while a command asks: `withPrompts` opens the prompts for a command and releases the input afterwards.
 */
import { createInterface, type Interface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import pc from "picocolors";

export class LineInput {
  private readonly lines: string[] = [];
  private readonly waiting: ((line: string | undefined) => void)[] = [];
  private ended = false;
  /** Opened at the first question: an interface open on a terminal keeps the process alive, so open it only when needed. */
  private reader: Interface | undefined;
  /** A terminal echoes what is typed; piped answers are echoed here so the transcript reads the same. */
  private readonly echo: boolean;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
  ) {
    this.echo = (input as { isTTY?: boolean }).isTTY !== true;
  }

  private listen(): void {
    if (this.reader || this.ended) return;
    const rl = createInterface({ input: this.input, terminal: false });
    this.reader = rl;
    rl.on("line", (line) => {
      const next = this.waiting.shift();
      if (next) next(line);
      else this.lines.push(line);
    });
    rl.on("close", () => {
      this.ended = true;
      for (const resolve of this.waiting.splice(0)) resolve(undefined);
    });
  }

  /**
   * Stop reading the input. Every command that asks must call this when it is done (also after an error): a
   * terminal's standard input being read keeps Node running, so without it the command would wait for Ctrl-C.
   */
  close(): void {
    const rl = this.reader;
    this.reader = undefined;
    this.ended = true;
    // closing pauses the stream, and a paused terminal no longer holds the event loop
    rl?.close();
  }

  write(text: string): void {
    this.output.write(text);
  }

  line(text = ""): void {
    this.output.write(`${text}\n`);
  }

  /** Show `question` and return the next line, trimmed; undefined when the input has ended. */
  ask(question: string): Promise<string | undefined> {
    this.output.write(question);
    this.listen();
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(this.answered(queued));
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiting.push((line) => resolve(line === undefined ? undefined : this.answered(line))));
  }

  private answered(line: string): string {
    const answer = line.trim();
    if (this.echo) this.output.write(`${answer}\n`);
    return answer;
  }

  /**
   * A menu: one line per option (`key) label`), then the `? ` prompt until a valid key is given
   * ("Invalid choice" otherwise). Undefined when the input has ended.
   */
  async menu(options: readonly (readonly [key: string, label: string])[], prompt = "? "): Promise<string | undefined> {
    for (;;) {
      for (const [key, label] of options) this.line(`${key}) ${label}`);
      const answer = await this.ask(prompt);
      if (answer === undefined) return undefined;
      if (options.some(([key]) => key === answer)) return answer;
      this.line(pc.red("Invalid choice"));
    }
  }
}

/**
 * Run `fn` with prompts on `input` (answers) and `output` (questions), and release the input afterwards, whether
 * `fn` finished, quit or failed, so that the process exits by itself when the command is done.
 */
export async function withPrompts<T>(input: Readable, output: Writable, fn: (io: LineInput) => Promise<T>): Promise<T> {
  const io = new LineInput(input, output);
  try {
    return await fn(io);
  } finally {
    io.close();
  }
}

/** A plain text table: headers, then one line per row, columns padded to the widest cell. */
export function formatTable(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = [headers.map(String), ...rows.map((r) => r.map((c) => (c === null || c === undefined ? "" : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const render = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [render(cells[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(render)].join("\n");
}
