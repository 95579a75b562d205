import type { NextRequest } from 'next/server';
import { callBackend } from '../../../../server/backend';
import {
  forwardJson,
  taskIdOf,
  taskNotFound,
  withSession,
} from '../../../../server/session-response';

interface Context {
  params: Promise<{ id: string }>;
}

export async function GET(request: NextRequest, { params }: Context): Promise<Response> {
  const id = taskIdOf((await params).id);
  return withSession(request, async (session) =>
    id === null
      ? taskNotFound()
      : callBackend({
          method: 'GET',
          path: `/api/${session.userId}/tasks/${id}`,
          token: session.token,
        }),
  );
}

export async function PUT(request: NextRequest, { params }: Context): Promise<Response> {
  const id = taskIdOf((await params).id);
  return withSession(request, async (session) => {
    if (id === null) return taskNotFound();
    return forwardJson(request, session, 'PUT', `/api/${session.userId}/tasks/${id}`);
  });
}

export async function DELETE(request: NextRequest, { params }: Context): Promise<Response> {
  const id = taskIdOf((await params).id);
  return withSession(request, async (session) =>
    id === null
      ? taskNotFound()
      : callBackend({
          method: 'DELETE',
          path: `/api/${session.userId}/tasks/${id}`,
          token: session.token,
        }),
  );
}
