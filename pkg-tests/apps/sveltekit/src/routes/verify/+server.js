// An endpoint of a SvelteKit app: jwksgate and jose (devDependencies, so adapter-node bundles
// both into build/) verify the request's Bearer token.
import { json } from '@sveltejs/kit';
import { check } from '../../../generated/check.mjs';

export async function GET({ request }) {
  return json(await check(request.headers.get('authorization')));
}
