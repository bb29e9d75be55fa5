/** What every resolver gets: the database, the settings, the request's user, its loaders, and its error list. */
import type { Kysely } from "kysely";
import type { Database } from "../../db/index.js";
import type { Settings } from "../../settings.js";
import type { ApiUser } from "../auth.js";
import type { ErrorCollector } from "./errors.js";
import type { Loaders } from "./loaders.js";

export interface GraphqlContext extends ErrorCollector {
  db: Kysely<Database>;
  settings: Settings;
  /** The authenticated user; undefined when authentication is off. */
  user?: ApiUser;
  loaders: Loaders;
}
