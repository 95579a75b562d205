import type { NextRequest } from 'next/server';
import { withSession } from '../../../../server/session-response';

export const dynamic = 'force-dynamic';

/** Who is signed in (never the token itself). */
export async function GET(request: NextRequest): Promise<Response> {
  return withSession(request, async (session) =>
    Response.json(
      { user: { id: session.userId, email: session.email } },
      { headers: { 'cache-control': 'no-store' } },
    ),
  );
}
