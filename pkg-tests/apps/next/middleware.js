// Next.js middleware (the edge runtime): jwksgate and jose verify the request's Bearer token.
import { NextResponse } from 'next/server';
import { check } from './generated/check.mjs';

export const config = { matcher: '/mw' };

export async function middleware(request) {
  return NextResponse.json(await check(request.headers.get('authorization')));
}
