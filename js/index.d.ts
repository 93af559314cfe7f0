// The package's API: the Rust bindings (wasm-bindgen's declarations) and the jose-shaped
// functions around them (js/jose.mjs, js/remote.mjs).
import type { Verifier, VerifyOptions, JWTHeader, JWTPayload, KeyInfo, JWKS, JWK } from './jwksgate.js';

export * from './jwksgate.js';
export { default } from './jwksgate.js';
export * as errors from './errors.js';

/** jwtVerify's options: those of `verify`, with jose's duration strings ("30s", "2h") for the two durations. */
export interface JWTVerifyOptions extends Omit<VerifyOptions, 'clockTolerance' | 'maxTokenAge'> {
  /** Leeway for `exp`, `nbf`, `iat`: seconds, or a duration string. Default 0. */
  clockTolerance?: number | string;
  /** Maximum age since `iat`: seconds, or a duration string; makes `iat` required. */
  maxTokenAge?: number | string;
}

/**
 * What jwtVerify resolves to, as jose's (`JWTVerifyResult<PayloadType>`, the payload typed as
 * the caller says, unchecked, as jose's is): plus the key that verified the token.
 */
export interface JWTVerifyResult<PayloadType = JWTPayload> {
  payload: PayloadType & JWTPayload & ([PayloadType] extends [object] ? unknown : unknown extends PayloadType ? unknown : never);
  protectedHeader: JWTHeader;
  /** The `kid`, `alg` and RFC 7638 thumbprint of the key that verified the token. */
  key: KeyInfo;
}

/** The compact token's segments, as jose passes them to a key resolver. */
export interface FlattenedJWSInput { protected: string; payload: string; signature: string }

/** A key set made by createLocalJWKSet, createRemoteJWKSet or createIssuerJWKSet. */
export interface KeySet {
  /** Resolves to the Verifier holding the current keys (fetching them first when needed). */
  (protectedHeader?: JWTHeader, token?: FlattenedJWSInput): Promise<Verifier>;
  /** A copy of the current key set, or undefined before the first fetch. */
  jwks(): JWKS | undefined;
}

/** A remote key set: jose's RemoteJWKSet members, and this package's. */
export interface RemoteJWKSet extends KeySet {
  /** Whether an unknown `kid` would not trigger a fetch now (one did, or a fetch failed, within cooldownDuration). */
  readonly coolingDown: boolean;
  /** Whether the current set is within its cache lifetime. */
  readonly fresh: boolean;
  /** Whether a fetch is in flight. */
  readonly reloading: boolean;
  /** Fetches now, bypassing the cooldown; rejects when the fetch fails. */
  reload(): Promise<void>;
  /**
   * Resolves to the Verifier for the current keys, refetching an expired set. With `waitUntil`
   * (a Worker's `ctx.waitUntil`) and a usable set installed, the refetch runs in the background.
   */
  ready(options?: { waitUntil?: (promise: Promise<unknown>) => void }): Promise<Verifier>;
  /** After ERR_JWKS_NO_MATCHING_KEY: refetches outside the cooldown; the new Verifier, or null. */
  unknownKid(): Promise<Verifier | null>;
  /** When the current set was fetched (ms since the epoch), or undefined. */
  readonly fetchedAt: number | undefined;
}

/** A key set found by OpenID Connect discovery. */
export interface IssuerJWKSet extends RemoteJWKSet {
  readonly issuer: string;
  /** `<issuer>/.well-known/openid-configuration` */
  readonly discoveryUrl: string;
  /** The `jwks_uri` of the last discovery document fetched. */
  readonly jwksUri: string | undefined;
}

/** jose's names for the types above, so that code typed against jose compiles with the import changed. */
export type JWTHeaderParameters = JWTHeader;
export type CompactJWSHeaderParameters = JWTHeader;
export type JSONWebKeySet = JWKS;
export type JWTVerifyGetKey<KeyType = unknown> = KeyResolver;

/** Keys jwtVerify takes: a key set, a Verifier, a JWKS or one public JWK... */
export type KeyInput = KeySet | Verifier | JWKS | JWK;
/** ...or a function resolving to one of those, called with the unverified header, as jose's key resolvers. */
export type KeyResolver = (protectedHeader: JWTHeader, token: FlattenedJWSInput) => KeyInput | Promise<KeyInput>;

/**
 * Verifies a JWT as jose's jwtVerify does (signature, then claims, in Rust). On an unknown
 * `kid`, a remote set refetches once outside its cooldown. Rejects with the `errors` classes.
 */
export declare function jwtVerify<PayloadType = JWTPayload, KeyType = unknown, InferredPayloadType = unknown>(jwt: string | Uint8Array, key: KeyResolver, options?: JWTVerifyOptions): Promise<JWTVerifyResult<PayloadType>>;
export declare function jwtVerify<PayloadType = JWTPayload, KeyType = unknown, InferredPayloadType = unknown>(jwt: string | Uint8Array, key: KeyInput, options?: JWTVerifyOptions): Promise<JWTVerifyResult<PayloadType>>;

/** A key set from a JWKS (object or JSON text), parsed and imported once. */
export declare function createLocalJWKSet(jwks: JWKS | string): KeySet;

/** jose's customFetch option key: a fetch-like function used instead of the global fetch. */
export declare const customFetch: unique symbol;
/** jose's jwksCache option key: a plain object seeded from, and updated with, `{ jwks, uat }`. */
export declare const jwksCache: unique symbol;

/** See {@link customFetch}. */
export type FetchImplementation = (
  url: string,
  options: { headers: Headers; method: 'GET'; redirect: 'manual'; signal: AbortSignal },
) => Promise<Response>;

/** See {@link jwksCache}. */
export interface ExportedJWKSCache { jwks: JWKS; uat: number }
export type JWKSCacheInput = ExportedJWKSCache | Record<string, never>;

/** What a persistent cache (`store`) keeps: the key set's JSON text and its times (ms since the epoch). */
export interface StoredJWKS { jwks: string; uat: number; expiresAt: number }
/** A persistent cache, such as a Workers KV namespace behind two functions. */
export interface JWKSStore {
  get(): Promise<StoredJWKS | null | undefined> | StoredJWKS | null | undefined;
  put(entry: StoredJWKS): Promise<void> | void;
}

/** Options of createRemoteJWKSet and createIssuerJWKSet. Durations are in milliseconds. */
export interface RemoteJWKSetOptions {
  /** Timeout of each HTTP request, body included. Default 5000. */
  timeoutDuration?: number;
  /** At most one fetch per cooldown for unknown `kid`s, and the wait after a failed fetch. Default 30000. */
  cooldownDuration?: number;
  /** Longest cache lifetime (a response's max-age is clamped to it). Default 600000 (10 minutes). */
  cacheMaxAge?: number;
  /** Headers sent with each request. */
  headers?: Record<string, string>;
  [customFetch]?: FetchImplementation;
  [jwksCache]?: JWKSCacheInput;
  /** Shortest cache lifetime, whatever max-age says (no-store and no-cache count as 0). Default cooldownDuration. */
  cacheMinAge?: number;
  /** Cache lifetime of a response without max-age. Default cacheMaxAge. */
  cacheDefaultAge?: number;
  /** How long past its lifetime the last good set keeps serving while fetches fail. Default 86400000 (a day); 0 serves none. */
  maxStaleDuration?: number;
  /** Largest response body accepted. Default and most 524288. */
  maxResponseBytes?: number;
  /** A persistent cache: read once before the first fetch, written after each. */
  store?: JWKSStore;
  /** Called with each new set's JSON text before it is installed; throwing refuses it. */
  onKeys?: (jwksText: string) => void;
  /** Called with each failed fetch's error (and a failing store's). */
  onError?: (error: unknown) => void;
}

/** A key set fetched from a JWKS URL, with jose's options, defaults and errors. */
export declare function createRemoteJWKSet(url: URL | string, options?: RemoteJWKSetOptions): RemoteJWKSet;

/**
 * A key set found by OpenID Connect discovery: the document's `issuer` must equal `issuer`
 * exactly, and its `jwks_uri` is fetched as createRemoteJWKSet fetches.
 */
export declare function createIssuerJWKSet(issuer: string, options?: RemoteJWKSetOptions): IssuerJWKSet;
