/** Next.js settings for the WFO UI host: the pages router, the two locales the library translates, and the library
 * compiled with the app (it ships its TypeScript sources next to dist/). The orchestrator's address is not here: it is
 * read per request from the environment (config.ts), so one build serves any server. */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

export default {
  reactStrictMode: false,
  i18n: { locales: ["en-GB", "nl-NL"], defaultLocale: "en-GB" },
  transpilePackages: ["@orchestrator-ui/orchestrator-ui-components"],
  // this folder is its own project (own lockfile), not part of the repository's npm workspaces
  outputFileTracingRoot: dirname(fileURLToPath(import.meta.url)),
  eslint: { ignoreDuringBuilds: true },
};
