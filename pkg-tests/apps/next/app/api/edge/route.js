// A route handler on the edge runtime.
import { check } from '../../../generated/check.mjs';

export const runtime = 'edge';

export async function GET(request) {
  return Response.json(await check(request.headers.get('authorization')));
}
