/**
 * The part of oidc-provider 8 (which ships no types) that the browser tests use; the configuration is the
 * package's own, see its docs/README.md.
 */
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  /** The request context handed to the configuration's functions (a koa context). */
  export type KoaContextWithOIDC = Record<string, unknown>;

  export interface AccessTokenLike {
    kind: string;
    accountId?: string;
  }

  export interface Configuration {
    clients?: Record<string, unknown>[];
    jwks?: { keys: Record<string, unknown>[] };
    cookies?: { keys?: string[] };
    claims?: Record<string, string[]>;
    findAccount?: (ctx: KoaContextWithOIDC, id: string) => Promise<unknown> | unknown;
    clientBasedCORS?: (ctx: KoaContextWithOIDC, origin: string, client: unknown) => boolean;
    extraTokenClaims?: (ctx: KoaContextWithOIDC, token: AccessTokenLike) => Promise<Record<string, unknown> | undefined> | Record<string, unknown> | undefined;
    features?: Record<string, Record<string, unknown>>;
    ttl?: Record<string, number | ((...args: unknown[]) => number)>;
    [option: string]: unknown;
  }

  export const errors: {
    InvalidTarget: new (description?: string) => Error;
  };

  export default class Provider {
    constructor(issuer: string, configuration?: Configuration);
    /** A Node request listener. */
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
}
