import type { NextRequest } from 'next/server';
import { requestIsHttps, withoutSessionCookie } from '../../../../server/session-response';

/** Tokens are stateless, so logging out means the browser forgets the cookie. */
export async function POST(request: NextRequest): Promise<Response> {
  return withoutSessionCookie(
    Response.json({ message: 'Logged out' }, { headers: { 'cache-control': 'no-store' } }),
    requestIsHttps(request),
  );
}
