import type { NextRequest } from 'next/server';
import {
  forwardJson,
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
    return forwardJson(request, session, 'PATCH', `/api/${session.userId}/tasks/${id}/complete`);
  });
}
