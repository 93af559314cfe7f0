// Each app's handler (copied into <app>/generated/ by ../run.mjs): the Bearer token verified by
// jwksgate and by jose against the same local JWKS, each with the same options, the outcome of
// each (`sub`, or the error's code) returned for run.mjs to compare.
import { jwtVerify, createLocalJWKSet } from 'jwksgate';
import * as jose from 'jose';
import keys from './keys.mjs';

const options = { issuer: keys.issuer, audience: keys.audience, algorithms: ['RS256', 'ES256'] };
const ours = createLocalJWKSet(keys.jwks);
const theirs = jose.createLocalJWKSet(keys.jwks);

async function outcome(verify, keySet, token) {
  try {
    return (await verify(token, keySet, options)).payload.sub;
  } catch (e) {
    return e?.code ?? String(e);
  }
}

/** `{ jwksgate, jose }`: what each made of the request's Bearer token. */
export async function check(authorization) {
  const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '';
  return { jwksgate: await outcome(jwtVerify, ours, token), jose: await outcome(jose.jwtVerify, theirs, token) };
}
