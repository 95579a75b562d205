import type { NextRequest } from 'next/server';
import { forwardJson, withSession } from '../../../server/session-response';

export async function POST(request: NextRequest): Promise<Response> {
  return withSession(request, (session) =>
    forwardJson(request, session, 'POST', `/api/${session.userId}/chat`),
  );
}
