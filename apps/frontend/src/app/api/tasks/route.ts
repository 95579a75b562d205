import type { NextRequest } from 'next/server';
import { callBackend } from '../../../server/backend';
import { jsonBody, withSession } from '../../../server/session-response';

export const dynamic = 'force-dynamic';

export async function GET(request: NextRequest): Promise<Response> {
  return withSession(request, (session) =>
    callBackend({ method: 'GET', path: `/api/${session.userId}/tasks`, token: session.token }),
  );
}

export async function POST(request: NextRequest): Promise<Response> {
  return withSession(request, async (session) => {
    const parsed = await jsonBody(request);
    if ('error' in parsed) return parsed.error;
    return callBackend({
      method: 'POST',
      path: `/api/${session.userId}/tasks`,
      token: session.token,
      body: parsed.body,
    });
  });
}
