/**
 * A password in DATABASE_URI — in the userinfo (with `@`, `:` or `/` in it, percent-encoded or not), as a
 * `password` query parameter in any case, or in the `postgresql+psycopg://` form — never appears in a message:
 * openDatabase's errors and location, loadSettings' errors, and what the CLI prints as a user runs it. Each message
 * still says what is wrong. The connection errors come from a port nobody listens on; only the checks of a working
 * connection (location, `serve`) need the PostgreSQL server, and run on that back-end.
 */
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { openDatabase } from "../src/db/index.js";
import { DatabaseError, SettingsError } from "../src/errors.js";
import { loadSettings, printableSetting } from "../src/settings.js";
import { runMain, writeMain } from "./support/cli.js";
import { backend, createPostgresDatabase } from "./support/db.js";
import { tempDir } from "./support/files.js";

/** A URI shape and the secret texts that must never be printed (its password as written, decoded, and its pieces). */
interface Shape {
  name: string;
  uri: (hostPort: string) => string;
  secrets: string[];
}

const SHAPES: Shape[] = [
  {
    name: "userinfo password with @ and : unencoded",
    uri: (at) => `postgresql://orch:Sup3r@Secr:etWord@${at}/orchestrator`,
    secrets: ["Sup3r@Secr:etWord", "Sup3r", "Secr", "etWord"],
  },
  {
    name: "userinfo password percent-encoded",
    uri: (at) => `postgresql://orch:Sup3r%40Secr%3AetWord@${at}/orchestrator`,
    secrets: ["Sup3r%40Secr%3AetWord", "Sup3r@Secr:etWord", "Sup3r", "Secr", "etWord"],
  },
  {
    name: "password query parameter",
    uri: (at) => `postgresql://orch@${at}/orchestrator?password=Hunter2Secret`,
    secrets: ["Hunter2Secret"],
  },
  {
    name: "PASSWORD as a later query parameter",
    uri: (at) => `postgresql://orch@${at}/orchestrator?sslmode=disable&PASSWORD=Hunter2Secret`,
    secrets: ["Hunter2Secret"],
  },
  {
    name: "postgresql+psycopg form",
    uri: (at) => `postgresql+psycopg://orch:PsycopgSecret@${at}/orchestrator`,
    secrets: ["PsycopgSecret"],
  },
  {
    // pg takes `Sup3r` for the password and `Pi3ce` for the host, and its error names that host
    name: "userinfo password with / unencoded (pg echoes a piece of it)",
    uri: (at) => `postgresql://orch:Sup3r@Pi3ce/Hidd3n@${at}/orchestrator`,
    secrets: ["Sup3r@Pi3ce/Hidd3n", "Sup3r", "Pi3ce", "Hidd3n"],
  },
];

/** Userinfo that is not a valid URL at all: pg cannot parse it; the message says so. */
const INVALID: Shape = {
  name: "userinfo password with a space and #",
  uri: (at) => `postgresql://orch:Bad Secret#Word@${at}/orchestrator`,
  secrets: ["Bad Secret#Word", "Secret", "Word"],
};

function assertNoSecret(text: string, shape: Shape): void {
  for (const secret of shape.secrets) assert.ok(!text.includes(secret), `${JSON.stringify(secret)} printed in:\n${text}`);
}

/** host:port where nothing listens (a port just freed), so connecting is refused at once. */
async function refusedHostPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

describe(`secrets in DATABASE_URI are never printed (${backend})`, () => {
  const app = tempDir("secrets");
  let refused = "";

  before(async () => {
    writeMain(app.path);
    refused = await refusedHostPort();
  });
  after(() => app.cleanup());

  describe("openDatabase", () => {
    for (const shape of [...SHAPES, INVALID]) {
      it(`connect error: ${shape.name}`, async () => {
        await assert.rejects(openDatabase({ uri: shape.uri(refused) }), (error: Error) => {
          assert.ok(error instanceof DatabaseError, String(error));
          assert.match(error.message, /^Cannot connect to PostgreSQL at postgres(ql)?:\/\/orch/);
          assertNoSecret(error.message, shape);
          // the cause (printed with DEBUG, logged with its properties) is scrubbed too
          const cause = error.cause as Error & Record<string, unknown>;
          assertNoSecret(`${cause.message}\n${cause.stack}\n${JSON.stringify(Object.entries(cause))}`, shape);
          return true;
        });
      });
    }

    it("connect error still says what is wrong", async () => {
      await assert.rejects(openDatabase({ uri: SHAPES[0]!.uri(refused) }), /Cannot connect to PostgreSQL at postgresql:\/\/orch:\*\*\*@127\.0\.0\.1:\d+\/orchestrator: .*ECONNREFUSED/);
      await assert.rejects(openDatabase({ uri: SHAPES[2]!.uri(refused) }), /at postgresql:\/\/orch@127\.0\.0\.1:\d+\/orchestrator\?password=\*\*\*: .*ECONNREFUSED/);
      await assert.rejects(openDatabase({ uri: INVALID.uri(refused) }), /not a valid URL \(percent-encode special characters/);
      await assert.rejects(openDatabase({ uri: SHAPES[5]!.uri(refused) }), /ENOTFOUND \*\*\* \(part of the password was read as the host or database: percent-encode/);
    });

    it("unsupported scheme", async () => {
      for (const [uri, shape] of [
        ["mysql://orch:Sup3r@Secr:etWord@db.example.com/orchestrator", SHAPES[0]!],
        ["mysql://orch@db.example.com/orchestrator?Password=Hunter2Secret", SHAPES[2]!],
      ] as const) {
        await assert.rejects(openDatabase({ uri }), (error: Error) => {
          assert.ok(error instanceof SettingsError);
          assert.match(error.message, /^DATABASE_URI="mysql:\/\/orch.*" is not supported: expected postgresql:\/\//);
          assertNoSecret(error.message, shape);
          return true;
        });
      }
    });

    it("location of a working connection", { skip: backend !== "postgres" && "needs the PostgreSQL server" }, async () => {
      const { uri, drop } = await createPostgresDatabase();
      try {
        // the test server trusts local connections, so a password is accepted and ignored; one already there is kept
        const url = new URL(uri);
        const password = url.password || "Sup3r@Secr:etWord";
        url.password = encodeURIComponent(password);
        for (const form of [url.toString(), `${uri}${uri.includes("?") ? "&" : "?"}password=Hunter2Secret`]) {
          const database = await openDatabase({ uri: form.replace(/^postgresql:/, "postgresql+psycopg:") });
          try {
            assert.match(database.location, /^postgresql:\/\/.*\*\*\*/);
            for (const secret of [password, encodeURIComponent(password), "Hunter2Secret"]) assert.ok(!database.location.includes(secret), database.location);
          } finally {
            await database.close();
          }
        }
      } finally {
        await drop();
      }
    });
  });

  describe("loadSettings", () => {
    it("accepts every postgresql shape", () => {
      for (const shape of SHAPES) assert.equal(loadSettings({ DATABASE_URI: shape.uri("db.example.com") }).DATABASE_URI, shape.uri("db.example.com"));
    });

    it("rejects an unsupported DATABASE_URI without printing its password", () => {
      for (const [uri, shape] of [
        ["mysql://orch:Sup3r@Secr:etWord@db.example.com/orchestrator", SHAPES[0]!],
        ["mysql://orch:Sup3r%40Secr%3AetWord@db.example.com/orchestrator", SHAPES[1]!],
        ["orch:Sup3r@Secr:etWord@db.example.com/orchestrator", SHAPES[0]!],
        ["mysql://orch@db.example.com/orchestrator?sslmode=disable&pAsSwOrD=Hunter2Secret", SHAPES[3]!],
      ] as const) {
        assert.throws(
          () => loadSettings({ DATABASE_URI: uri }),
          (error: Error) => {
            assert.ok(error instanceof SettingsError);
            assert.match(error.message, /DATABASE_URI=".*": expected postgresql:\/\/user@host:port\/db/);
            assertNoSecret(error.message, shape);
            return true;
          },
        );
      }
    });

    it("hides a password in any other setting's value, and the whole value of a secret setting", () => {
      assert.throws(
        () => loadSettings({ BASE_URL: "http://orch:UrlSecret@host name/", MAX_WORKERS: "many" }),
        (error: Error) => {
          assert.match(error.message, /BASE_URL="http:\/\/orch:\*\*\*@host name\/"/);
          assert.match(error.message, /MAX_WORKERS="many": expected an integer/);
          assert.ok(!error.message.includes("UrlSecret"), error.message);
          return true;
        },
      );
      assert.equal(printableSetting("OIDC_CLIENT_SECRET", "s3cr3t"), "<hidden>");
      assert.equal(printableSetting("SMTP_PASSWORD", "s3cr3t"), "<hidden>");
      assert.equal(printableSetting("API_TOKEN", "s3cr3t"), "<hidden>");
      assert.equal(printableSetting("MAX_WORKERS", "many"), '"many"');
    });
  });

  describe("the CLI as a user runs it", () => {
    for (const shape of [...SHAPES, INVALID]) {
      it(`db current: ${shape.name}`, async () => {
        // DEBUG also prints the cause's stack
        const result = await runMain(app.path, ["db", "current"], { DATABASE_URI: shape.uri(refused), DEBUG: "1" });
        assert.equal(result.code, 1, result.stdout + result.stderr);
        assert.match(result.stderr, /^Error: Cannot connect to PostgreSQL at postgres(ql)?:\/\/orch/);
        assertNoSecret(result.stdout + result.stderr, shape);
      });
    }

    it("an unsupported DATABASE_URI", async () => {
      const result = await runMain(app.path, ["db", "current"], { DATABASE_URI: "mysql://orch:Sup3r@Secr:etWord@db.example.com/orchestrator" });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /Invalid environment variable:\n {2}DATABASE_URI="mysql:\/\/orch:\*\*\*@db\.example\.com\/orchestrator": expected postgresql/);
      assertNoSecret(result.stdout + result.stderr, SHAPES[0]!);
    });

    it("serve prints where the database is, without its password", { skip: backend !== "postgres" && "needs the PostgreSQL server" }, async () => {
      const { uri, drop } = await createPostgresDatabase();
      const url = new URL(uri);
      const password = url.password || "Sup3r@Secr:etWord";
      url.password = encodeURIComponent(password);
      const child = spawn(process.execPath, ["--import", "tsx", "main.ts", "serve"], {
        cwd: app.path,
        env: { ...process.env, DATABASE_URI: url.toString(), PORT: "0", LOG_LEVEL: "warn", NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      try {
        const line = await new Promise<string>((resolve, reject) => {
          const read = (d: Buffer) => {
            output += d.toString();
            const match = /serving on .*\n/.exec(output);
            if (match) resolve(match[0]);
          };
          child.stdout.on("data", read);
          child.stderr.on("data", read);
          child.on("close", (code) => reject(new Error(`exited ${code}: ${output}`)));
        });
        assert.match(line, /database: postgresql:\/\/[^ ]*:\*\*\*@/);
        const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
        child.kill("SIGTERM");
        await exited;
        for (const secret of [password, encodeURIComponent(password)]) assert.ok(!output.includes(secret), output);
      } finally {
        child.kill("SIGKILL");
        await drop();
      }
    });
  });
});
