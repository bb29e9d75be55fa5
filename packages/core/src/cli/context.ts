import type { Settings } from "../settings.js";

/** What every command needs: where the app lives, its settings (read lazily), and where to print. */
export interface CliContext {
  readonly appRoot: string;
  settings(): Settings;
  out(line: string): void;
  err(line: string): void;
  /** Where interactive answers come from (default stdin) and prompts go (default stdout). */
  input?: import("node:stream").Readable;
}
