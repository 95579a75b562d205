import { NextResponse, type NextRequest } from 'next/server';
import { redirectFor } from './lib/redirects';
import { clearedCookieOptions, isHttpsRequest, readSession, SESSION_COOKIE } from './lib/session';

/**
 * Routes visitors before a page renders: logged out on /tasks or /chat → /login?next=…, logged in
 * on /login or /register → /tasks. A cookie whose token has expired counts as logged out and is
 * removed, so the browser stops sending it.
 */
export function proxy(request: NextRequest): NextResponse {
  const cookie = request.cookies.get(SESSION_COOKIE)?.value;
  const session = readSession(cookie);
  const { pathname, searchParams } = request.nextUrl;
  const location = redirectFor(pathname, searchParams, session !== null);
  const response = location
    ? NextResponse.redirect(new URL(location, request.url))
    : NextResponse.next();
  if (cookie && !session) {
    const https = isHttpsRequest(request.url, request.headers.get('x-forwarded-proto'));
    response.cookies.set(SESSION_COOKIE, '', clearedCookieOptions(https));
  }
  return response;
}

export const config = {
  matcher: ['/tasks/:path*', '/chat/:path*', '/login', '/register'],
};
