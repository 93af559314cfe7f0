// Published keys (issue 25): `jwksgate publish`, run inside a cluster the edge cannot reach,
// pushes the cluster's issuer and key set to `PUT /.jwksgate/keys/<mount>`; a mount whose config
// sets `jwks_published: true` takes its keys only from that. The operator reads a mount's state
// with a `GET` of the same path, signed the same way. Every check is in Rust (src/gate/publish.rs,
// through pkg/): this file moves bytes and storage only.
//
// Storage: one Durable Object per mount (PublishStore, binding PUBLISHED), not KV. A push that
// removes a key must stop that key everywhere at once (KV is eventually consistent: another
// colo may read the old set for up to a minute), and no rollback compares the push's timestamp
// with the stored one and writes in one step (the object's input gate serialises pushes; KV has
// no compare-and-set). Each login reads the record from the object (one small read); an
// unchanged record is not parsed again.
import { DurableObject } from 'cloudflare:workers';
import { publishAccept, publishMaxBody, publishMount, publishState } from '../pkg/workerd.mjs';
import { NoKeysError, readCapped } from './keys.mjs';

const PREFIX = '/.jwksgate/keys/';
/** The path prefix of the publish endpoint (index.mjs skips publishRoute for URLs without it). */
export const PUBLISH_PREFIX = PREFIX;
const TIMESTAMP = 'x-jwksgate-timestamp';
const SIGNATURE = 'x-jwksgate-signature';

/** A refusal with Vault's shape, answered by the worker's error handler. */
function failure(status, code, message) {
  const e = new Error(message);
  e.status = status;
  e.code = code;
  return e;
}

function store(env, mount) {
  return env.PUBLISHED.get(env.PUBLISHED.idFromName(mount));
}

/** Configuration checks for a gate with published mounts (called once per configuration). */
export function checkPublishConfig(env) {
  if (!env.PUBLISHED || typeof env.PUBLISHED.idFromName !== 'function') {
    throw new Error('a jwks_published mount needs the PUBLISHED Durable Object binding (wrangler.toml [[durable_objects.bindings]])');
  }
  if (!env.PUBLISH_SECRET) throw new Error('a jwks_published mount needs PUBLISH_SECRET (wrangler secret put PUBLISH_SECRET)');
}

/** A jwks_published mount's key source: the record its PublishStore holds, checked in Rust. */
export class PublishedKeys {
  constructor(env, gate, source) {
    checkPublishConfig(env);
    this.env = env;
    this.gate = gate;
    this.source = source;
  }

  async ready() {
    let record;
    try {
      record = await store(this.env, this.gate.mount).record();
    } catch (e) {
      throw new NoKeysError(`mount ${this.gate.mount}: the published keys' store is unreachable (${e && e.message ? e.message : e})`);
    }
    const r = this.gate.setPublished(record, Date.now() / 1000, this.source.max_age, this.source.refuse_when_stale);
    if (r.refuse) throw new NoKeysError(r.stale);
    if (r.stale) console.log(`jwksgate: ${r.stale}; serving the last keys (jwks_published_when_stale: serve)`);
  }

  async unknownKid() {
    return false; // nothing to fetch: the set is what was pushed
  }
}

/**
 * The publish endpoint, or null when the request is not for it (the hook in index.mjs). `mounts`
 * is the configured gate's Map of mounts.
 */
export async function publishRoute(request, env, mounts) {
  const path = new URL(request.url).pathname;
  if (!path.startsWith(PREFIX)) return null;
  const name = publishMount(path); // throws 400 for a path that is not a mount path
  const mount = mounts.get(name);
  if (!mount || !(mount.keys instanceof PublishedKeys)) throw failure(404, 'ERR_NOT_FOUND', `mount ${name} does not take published keys (jwks_published: true)`);
  const timestamp = request.headers.get(TIMESTAMP) ?? undefined;
  const signature = request.headers.get(SIGNATURE) ?? undefined;
  if (request.method === 'GET') {
    const record = await store(env, name).record();
    const state = publishState(env.PUBLISH_SECRET, 'GET', path, timestamp, signature, Date.now() / 1000, name, record);
    return new Response(JSON.stringify({ data: state }), { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
  }
  if (request.method !== 'PUT') throw failure(405, 'ERR_INVALID_ARGUMENT', 'a push is a PUT; the state is read with GET');
  const max = publishMaxBody();
  const tooLarge = () => failure(413, 'ERR_INVALID_ARGUMENT', `the push's body is over ${max} bytes`);
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) throw tooLarge();
  const body = await readCapped(request, max, tooLarge);
  // Checked here first (all but no rollback, which needs the stored push): a forged or malformed
  // push never reaches the store. The object checks it again, whole, against what it holds.
  let answer;
  try {
    publishAccept(env.PUBLISH_SECRET, 'PUT', path, timestamp, signature, body, Date.now() / 1000, name, mount.issuer, undefined);
    answer = await store(env, name).push({ path, timestamp, signature, body, mount: name, boundIssuer: mount.issuer });
  } catch (e) {
    answer = typeof e.status === 'number' && e.code ? { ok: false, status: e.status, code: e.code, message: e.message } : { ok: false, status: 503, code: 'ERR_STORE_UNAVAILABLE', message: `the published keys' store is unreachable: ${e && e.message ? e.message : e}` };
  }
  if (!answer.ok) {
    console.log(`jwksgate: push to mount ${name} refused: ${answer.message}`);
    throw failure(answer.status, answer.code, answer.message);
  }
  console.log(`jwksgate: mount ${name}: keys pushed at ${answer.timestamp}: ${answer.kids.join(', ') || 'none (every token refused)'}`);
  return new Response(JSON.stringify({ data: { mount: name, timestamp: answer.timestamp, kids: answer.kids } }), { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
}

/**
 * One mount's published keys. `push` checks a push in Rust against the stored record's timestamp
 * and writes it, with nothing in between (the object's input gate holds other calls while it
 * waits on storage), so two pushes cannot both pass the no-rollback check.
 */
export class PublishStore extends DurableObject {
  async push({ path, timestamp, signature, body, mount, boundIssuer }) {
    const stored = (await this.ctx.storage.get('record')) ?? null;
    let record;
    try {
      record = publishAccept(this.env.PUBLISH_SECRET ?? '', 'PUT', path, timestamp, signature, body, Date.now() / 1000, mount, boundIssuer, stored ? stored.timestamp : undefined);
    } catch (e) {
      return { ok: false, status: typeof e.status === 'number' ? e.status : 500, code: e.code || 'ERR_INTERNAL', message: e.message };
    }
    await this.ctx.storage.put('record', record);
    return { ok: true, timestamp: record.timestamp, kids: record.kids };
  }

  async record() {
    return (await this.ctx.storage.get('record')) ?? null;
  }
}
