// `require('taap/express')`: PoP validation for Express apps and fetch-style handlers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeySource, PublicKey } from './index';

/** A client's keys: a `PublicKey`, PEM/JWK text, or a `KeySource` (several keys, a key file, a JWK set URL). */
export type KeyInput = PublicKey | KeySource | string;

/** Options of `popMiddleware` and `withPop`. */
export interface PopOptions {
  /**
   * The keys every token must verify with (a `KeySource` rotates them: a file, a JWK set URL;
   * 503 `KeySourceUnavailable` while it cannot be fetched), or a lookup from client id (the
   * `clientIdHeader` header) to a client's keys.
   */
  publicKey: KeyInput | ((clientId: string) => KeyInput | null | undefined | Promise<KeyInput | null | undefined>);
  /** Names every token must sign (default `['uri', 'http-method']`): `uri`, `http-method` and `body` exactly so, header names ignoring ASCII case. */
  required?: readonly string[];
  /**
   * `'memory'` (default), a capacity, `null` to turn replay detection off, or a Redis URL
   * (`'redis://[:password@]host:port[/db]'`) shared with other instances and `taap serve
   * --replay-store`: a replay on any of them is 401; Redis slow or down is 503.
   */
  replayStore?: 'memory' | number | `redis://${string}` | null;
  /** Clock-skew tolerance in seconds, 0 to 300 (default 10). */
  leeway?: number;
  /** Maximum token age from `iat` in seconds, 1 to 3600 (default 60). */
  maxAge?: number;
  /** Largest body read, in bytes (default 1 MiB); larger ones get 413. */
  maxBody?: number;
  /** Header carrying the client id for a lookup function (default `x-client-id`); sent more than once, the request gets 401. */
  clientIdHeader?: string;
  /**
   * Count decisions into Prometheus metrics named as PopLayer's (docs/operations.md): a
   * prom-client `Registry`, `true` for its global `register`, or `null`/`false` (default) for
   * none. Needs the optional peer dependency `prom-client`.
   */
  metrics?: { getSingleMetric(name: string): unknown; registerMetric(metric: never): void } | boolean | null;
}

/** An Express request after `popMiddleware`: the body as sent. */
export interface PopRequest extends IncomingMessage {
  /** The body bytes the token was checked against. */
  rawBody?: Buffer;
}

/** Express middleware: only requests with a valid, unreplayed PoP token reach `next`; mount it before body parsers. */
export declare function popMiddleware(
  options: PopOptions,
): (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/** Wraps a fetch-style handler; requests without a valid, unreplayed PoP token get 401 and never reach it. */
export declare function withPop<Rest extends unknown[]>(
  handler: (request: Request, ...rest: Rest) => Response | Promise<Response>,
  options: PopOptions,
): (request: Request, ...rest: Rest) => Promise<Response>;

/** The names required by default: `uri` and `http-method`. */
export declare const DEFAULT_REQUIRED: readonly string[];
/** The default body limit, 1 MiB. */
export declare const DEFAULT_MAX_BODY: number;
/** The default client-id header, `x-client-id`. */
export declare const DEFAULT_CLIENT_ID_HEADER: string;
