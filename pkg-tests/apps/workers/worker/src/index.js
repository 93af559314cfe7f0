// A Worker: jwksgate and jose verify the request's Bearer token.
import { check } from '../generated/check.mjs';

export default {
  async fetch(request) {
    return Response.json(await check(request.headers.get('authorization')));
  },
};
