import type { NextRequest } from 'next/server';
import { callBackend } from '../../../../../server/backend';
import {
  jsonBody,
  taskIdOf,
  taskNotFound,
  withSession,
} from '../../../../../server/session-response';

export async function PATCH(
  request: NextRequest,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  const id = taskIdOf((await params).id);
  return withSession(request, async (session) => {
    if (id === null) return taskNotFound();
    const parsed = await jsonBody(request);
    if ('error' in parsed) return parsed.error;
    return callBackend({
      method: 'PATCH',
      path: `/api/${session.userId}/tasks/${id}/complete`,
      token: session.token,
      body: parsed.body,
    });
  });
}
