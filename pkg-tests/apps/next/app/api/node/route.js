// A route handler on the Node.js runtime (the default).
import { check } from '../../../generated/check.mjs';

export const dynamic = 'force-dynamic';

export async function GET(request) {
  return Response.json(await check(request.headers.get('authorization')));
}
