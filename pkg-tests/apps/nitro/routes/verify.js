// A Nitro route: jwksgate and jose verify the request's Bearer token.
import { check } from '../generated/check.mjs';

export default defineEventHandler(async (event) => check(getHeader(event, 'authorization')));
