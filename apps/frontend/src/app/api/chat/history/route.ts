import type { NextRequest } from 'next/server';
import { callBackend } from '../../../../server/backend';
import { withSession } from '../../../../server/session-response';

export const dynamic = 'force-dynamic';

export async function GET(request: NextRequest): Promise<Response> {
  return withSession(request, (session) =>
    callBackend({
      method: 'GET',
      path: `/api/${session.userId}/conversations/history`,
      token: session.token,
    }),
  );
}

/** Clears the conversation (the backend's `/conversations/clear`). */
export async function DELETE(request: NextRequest): Promise<Response> {
  return withSession(request, (session) =>
    callBackend({
      method: 'DELETE',
      path: `/api/${session.userId}/conversations/clear`,
      token: session.token,
    }),
  );
}
