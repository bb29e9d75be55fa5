/**
 * Typed errors with a stable `code`. The CLI prints `message` without a stack trace; the API (later) maps codes to
 * HTTP status codes.
 */
export class OrchestratorError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** An environment variable or setting has a value we cannot use. */
export class SettingsError extends OrchestratorError {
  constructor(message: string) {
    super("settings_invalid", message);
  }
}

/** The database could not be opened or reached. */
export class DatabaseError extends OrchestratorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("database_unavailable", message, options);
  }
}

/** Something is wrong with the migration files, the revision graph or a revision target. */
export class MigrationError extends OrchestratorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("migration_error", message, options);
  }
}
