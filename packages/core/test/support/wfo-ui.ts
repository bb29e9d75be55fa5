/**
 * The GraphQL documents of the published WFO UI package (`@orchestrator-ui/orchestrator-ui-components`), taken from
 * the package itself: `npm pack` of the pinned version into node_modules/.cache (outside git; fetched once, then
 * reused), whose `src/rtk/endpoints/**` holds every document the UI sends as a template string. The `${…}` constants
 * in them are looked up in the package's own sources (a `const` of a number or string, an enum member, or a list of
 * enum members joined), and the fragments a query spreads are appended, as the UI does.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./files.js";

export const WFO_UI_PACKAGE = "@orchestrator-ui/orchestrator-ui-components";
export const WFO_UI_VERSION = "9.0.0";

/** The unpacked package's folder (packed and unpacked on first use). */
export function wfoUiPackage(version = WFO_UI_VERSION): string {
  const folder = join(REPO_ROOT, "node_modules", ".cache", `wfo-ui-${version}`);
  const root = join(folder, "package");
  if (existsSync(join(root, "src"))) return root;
  mkdirSync(folder, { recursive: true });
  const tarball = execFileSync("npm", ["pack", `${WFO_UI_PACKAGE}@${version}`, "--silent", "--pack-destination", folder], { encoding: "utf8", timeout: 120_000 }).trim().split("\n").at(-1)!;
  execFileSync("tar", ["-xzf", join(folder, tarball), "-C", folder]);
  return root;
}

export interface UiDocument {
  /** Where it is, relative to the package's src/. */
  file: string;
  /** The operation name (`ProcessList`). */
  name: string;
  /** The document as sent: constants substituted, spread fragments appended. */
  text: string;
}

function files(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") && !path.endsWith(".spec.ts") ? [path] : [];
  });
}

const TEMPLATE = /`(\s*(?:query|fragment)\b[^`]*)`/g;

export function uiDocuments(root = wfoUiPackage()): UiDocument[] {
  const src = join(root, "src");
  const sources = files(src).map((path) => ({ path, text: readFileSync(path, "utf8") }));
  const resolve = (expression: string, local: string): string => {
    const member = /^(\w+)\.(\w+)$/.exec(expression);
    if (member) {
      for (const { text } of sources) {
        const body = new RegExp(`enum ${member[1]} \\{([^}]*)\\}`).exec(text)?.[1];
        const value = body && new RegExp(`\\b${member[2]}\\s*=\\s*'([^']*)'`).exec(body)?.[1];
        if (value !== undefined && value !== null) return value;
      }
    }
    for (const text of [local, ...sources.map((s) => s.text)]) {
      const literal = new RegExp(`const ${expression}\\s*=\\s*(\\d+|'[^']*')\\s*;`).exec(text)?.[1];
      if (literal) return literal.replace(/^'|'$/g, "");
      const joined = new RegExp(`const ${expression}\\s*=\\s*\\[([^\\]]*)\\]\\.join\\('([^']*)'\\)`).exec(text);
      if (joined) return joined[1]!.split(",").map((item) => item.trim()).filter(Boolean).map((item) => resolve(item, local)).join(joined[2]);
    }
    throw new Error(`The UI document constant \${${expression}} is not found in ${WFO_UI_PACKAGE}'s sources`);
  };

  const templates = sources
    .filter(({ path }) => path.includes(join("rtk", "endpoints")))
    .flatMap(({ path, text }) =>
      [...text.matchAll(TEMPLATE)].map((m) => ({
        file: path.slice(src.length + 1),
        body: m[1]!.replace(/\$\{([^}]*)\}/g, (_, expression: string) => resolve(expression.trim(), text)),
      })),
    );
  const fragments = new Map<string, string>();
  for (const t of templates) {
    const name = /^\s*fragment\s+(\w+)/.exec(t.body)?.[1];
    if (name) fragments.set(name, t.body);
  }
  return templates
    .filter((t) => /^\s*query\b/.test(t.body))
    .map((t) => {
      const spreads = [...new Set([...t.body.matchAll(/\.\.\.(\w+)/g)].map((m) => m[1]!))];
      const text = [t.body, ...spreads.map((name) => fragments.get(name) ?? "")].join("\n");
      return { file: t.file, name: /query\s+(\w+)/.exec(t.body)?.[1] ?? "(anonymous)", text };
    });
}
