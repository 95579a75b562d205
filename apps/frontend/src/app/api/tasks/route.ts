import type { NextRequest } from 'next/server';
import { callBackend } from '../../../server/backend';
import { forwardJson, withSession } from '../../../server/session-response';

export const dynamic = 'force-dynamic';

export async function GET(request: NextRequest): Promise<Response> {
  return withSession(request, (session) =>
    callBackend({ method: 'GET', path: `/api/${session.userId}/tasks`, token: session.token }),
  );
}

export async function POST(request: NextRequest): Promise<Response> {
  return withSession(request, (session) =>
    forwardJson(request, session, 'POST', `/api/${session.userId}/tasks`),
  );
}
