/**
 * Every environment variable the orchestrator reads, in one typed place. Names and defaults follow
 * orchestrator-core's `AppSettings`; values are validated so that a bad one is a clear start-up error.
 */
import { z } from "zod";
import { redactUri } from "./db/index.js";
import { SettingsError } from "./errors.js";

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ["true", "false", "1", "0", "yes", "no", "on", "off"].includes(v), {
    message: "expected a boolean (true/false, 1/0, yes/no, on/off)",
  })
  .transform((v) => ["true", "1", "yes", "on"].includes(v));

/** A whole number from `min` to `max`; the message says the range, and `hint` what a value means. */
const int = (min: number, max: number, hint = "") => {
  const expected = `expected an integer >=${min} and <=${max}${hint}`;
  return z
    .string()
    .trim()
    .regex(/^-?\d+$/, expected)
    .transform(Number)
    .pipe(z.number().int().min(min, expected).max(max, expected));
};

/** An http(s) URL (`example` shows one in the message). */
const httpUrl = (example: string) =>
  z
    .string()
    .trim()
    .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), { message: `expected an http(s) URL, e.g. ${example}` });

/** `*`, or browser origins separated by commas: scheme, host and port only, as a browser sends them. */
const corsOrigins = z
  .string()
  .trim()
  .refine(
    (v) =>
      v === "*" ||
      v.split(",").every((o) => {
        const origin = o.trim();
        return URL.canParse(origin) && /^https?:$/.test(new URL(origin).protocol) && new URL(origin).origin === origin;
      }),
    { message: "expected * or comma-separated origins (scheme://host[:port], no path), e.g. https://ui.example.com,http://localhost:3000" },
  );

/** Where live events are broadcast between instances: in this process, or a Redis server (as the original). */
const broadcasterUrl = z
  .string()
  .trim()
  .refine((v) => v === "memory://" || (URL.canParse(v) && /^rediss?:$/.test(new URL(v).protocol)), {
    message: "expected memory:// or redis://host:port",
  });

/** A name that is not only white space. */
const nonEmpty = (what: string) => z.string().trim().min(1, `expected ${what}`);

const jsonStringList = z
  .string()
  .transform((v, ctx) => {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: 'expected a JSON list of strings, e.g. ["modify_note"]' });
      return z.NEVER;
    }
  })
  .pipe(z.array(z.string()));

const STRING_MAP_EXPECTED = 'expected a JSON object of strings, e.g. {"resource":"https://orchestrator.example.com"}';
const jsonStringMap = z
  .string()
  .transform((v, ctx) => {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: STRING_MAP_EXPECTED });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string(), z.string({ error: STRING_MAP_EXPECTED }), { error: STRING_MAP_EXPECTED }));

/** OAuth scopes, space-separated; the web UI's sign-in is OpenID Connect, so `openid` must be one of them. */
const oidcScope = z
  .string()
  .trim()
  .refine((v) => v.split(/\s+/).includes("openid"), { message: 'expected space-separated scopes including "openid", e.g. "openid profile email"' });

const databaseUri = z
  .string()
  .trim()
  .refine(
    (v) => /^postgres(ql)?(\+\w+)?:\/\//.test(v) || v === "pglite://memory" || v.startsWith("pglite://") || v.startsWith("file:"),
    { message: "expected postgresql://user@host:port/db, pglite://memory, or pglite:///path/to/data-folder" },
  );

const logLevel = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

/** Schema of the environment: key = variable name, value = parser. Unset variables take the default. */
const schema = z.object({
  DATABASE_URI: databaseUri.optional(),
  TESTING: bool.default(false),
  ENVIRONMENT: z.string().default("local"),
  SERVICE_NAME: nonEmpty("a service name").default("orchestrator-ts"),
  LOG_LEVEL: z.string().trim().toLowerCase().pipe(logLevel).default("info"),
  HOST: nonEmpty("a host name or IP address to listen on, e.g. 127.0.0.1 or 0.0.0.0").default("127.0.0.1"),
  PORT: int(0, 65535, " (0: any free port)").default(8080),
  BASE_URL: httpUrl("http://localhost:8080").default("http://localhost:8080"),
  EXECUTOR: z.enum(["threadpool", "inprocess", "worker"]).default("threadpool"),
  MAX_WORKERS: int(1, 1000).default(5),
  /**
   * The CPU priority (nice value) a `worker` process lowers itself to, so that on a machine it shares with an API
   * process and the database, requests and queries come first (workers bench: the API's p99 under a backlog went from
   * about 290 ms to 90). No effect where workers have the machine to themselves; 0 keeps the normal priority.
   */
  WORKER_NICE: int(0, 19, " (a nice value: 0 normal, 19 lowest)").default(10),
  /** `serve` runs the scheduler too (false where `main.ts scheduler run` processes run it instead). */
  RUN_SCHEDULER: bool.default(true),
  WORKER_STATUS_INTERVAL: int(1, 86400, " (seconds)").default(5),
  DB_POOL_SIZE: int(1, 1000).default(10),
  ENABLE_WEBSOCKETS: bool.default(true),
  WEBSOCKET_BROADCASTER_URL: broadcasterUrl.default("memory://"),
  DISABLE_INSYNC_CHECK: bool.default(false),
  DEFAULT_PRODUCT_WORKFLOWS: jsonStringList.default(["modify_note"]),
  TASK_LOG_RETENTION_DAYS: int(0, 36500, " (days)").default(3),
  LIFECYCLE_VALIDATION_MODE: z.enum(["strict", "loose", "ignored"]).default("loose"),
  VALIDATE_OUT_OF_SYNC_SUBSCRIPTIONS: bool.default(false),
  DEFAULT_CUSTOMER_IDENTIFIER: z.string().default("59289a57-70fb-4ff5-9c93-10fe67b12434"),
  /** The default customer's name and short code: GraphQL's `customers` and every subscription's `customer`. */
  DEFAULT_CUSTOMER_FULLNAME: z.string().default("Default::Orchestrator-Core Customer"),
  DEFAULT_CUSTOMER_SHORTCODE: z.string().default("default-cust"),
  /** GraphiQL at /api/graphql (and /api/graphiql) for a browser; unset: only when ENVIRONMENT is local or development. */
  SERVE_GRAPHQL_UI: bool.optional(),
  /** A folder of `<locale>.json` files (`en-GB.json`) merged into `GET /api/translations/{locale}`; relative: to the working folder. */
  TRANSLATIONS_DIR: z.string().trim().optional(),
  /** `GET /api/settings/overview` lists the settings (secrets hidden), as orchestrator-core's exposed settings; off: none. */
  EXPOSE_SETTINGS: bool.default(false),
  CORS_ORIGINS: corsOrigins.default("*"),
  ENABLE_PROMETHEUS_METRICS_ENDPOINT: bool.default(true),
  OAUTH2_ACTIVE: bool.default(false),
  OIDC_ISSUER: httpUrl("https://login.example.com/realms/orchestrator").optional(),
  OIDC_JWKS_URI: httpUrl("https://login.example.com/realms/orchestrator/protocol/openid-connect/certs").optional(),
  OIDC_AUDIENCE: z.string().optional(),
  /** The web UI's public client at the issuer (authorization code + PKCE); without it the UI cannot sign in. */
  OIDC_CLIENT_ID: z.string().trim().optional(),
  /** Scopes the web UI asks for. */
  OIDC_SCOPE: oidcScope.default("openid profile email"),
  /**
   * Extra parameters of the web UI's authorization and token requests, for issuers that need one to put OIDC_AUDIENCE
   * in the access token: `{"resource": …}` (RFC 8707), `{"audience": …}` (Auth0).
   */
  OIDC_EXTRA_PARAMS: jsonStringMap.default({}),
});

type Parsed = z.output<typeof schema>;

export interface Settings extends Omit<Parsed, "DATABASE_URI"> {
  /** The raw DATABASE_URI, or undefined for the embedded database in `<appRoot>/.orchestrator/db`. */
  DATABASE_URI: string | undefined;
}

/** Names of every environment variable the orchestrator reads. */
export const SETTING_NAMES = Object.keys(schema.shape) as (keyof Settings)[];

/** Names of settings whose whole value is a secret (none of the built-in ones so far; an app's may be). */
const SECRET_NAME = /password|passwd|secret|token|credential|private_?key|api_?key/i;

/**
 * How a setting's value appears in a message: `<hidden>` when the name says the value is a secret (PASSWORD,
 * SECRET, TOKEN, …), otherwise JSON-quoted with the passwords in it (a URI's userinfo, a `password=` parameter)
 * replaced by `***`, as redactUri does.
 */
export function printableSetting(name: string, value: string | undefined): string {
  if (value === undefined) return "(unset)";
  if (SECRET_NAME.test(name)) return "<hidden>";
  return JSON.stringify(redactUri(value));
}

/**
 * The settings as `GET /api/settings/overview` shows them, sorted by name: unset ones null, secrets (by their name)
 * `**********`, passwords in URIs `***` (redactUri).
 */
export function exposedSettings(settings: Settings): { env_name: string; env_value: unknown }[] {
  return [...SETTING_NAMES].sort().map((name) => {
    const value = settings[name];
    if (value === undefined) return { env_name: name, env_value: null };
    if (SECRET_NAME.test(name)) return { env_name: name, env_value: "**********" };
    return { env_name: name, env_value: typeof value === "string" ? redactUri(value) : value };
  });
}

/**
 * Read settings from an environment (default `process.env`). Empty strings count as unset.
 * Throws SettingsError naming every bad variable and what was expected (its value printed without secrets: see
 * printableSetting).
 */
export function loadSettings(env: Record<string, string | undefined> = process.env): Settings {
  const input: Record<string, string> = {};
  for (const name of SETTING_NAMES) {
    const value = env[name];
    if (value !== undefined && value.trim() !== "") input[name] = value;
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `  ${name}=${printableSetting(name, input[name])}: ${issue.message}`;
    });
    throw new SettingsError(`Invalid environment variable${lines.length > 1 ? "s" : ""}:\n${lines.join("\n")}`);
  }
  return { ...result.data, DATABASE_URI: result.data.DATABASE_URI };
}
