import type { NextRequest } from 'next/server';
import { callBackend } from '../../../../server/backend';
import { readSession } from '../../../../lib/session';
import { jsonBody, requestIsHttps, withSessionCookie } from '../../../../server/session-response';

interface LoginAnswer {
  access_token?: string;
  user?: { id: string; name: string; email: string };
}

/** Logs in at the backend and keeps the token in the httpOnly cookie; the page gets only the user. */
export async function POST(request: NextRequest): Promise<Response> {
  const parsed = await jsonBody(request);
  if ('error' in parsed) return parsed.error;
  const upstream = await callBackend({
    method: 'POST',
    path: '/api/auth/login',
    body: parsed.body,
  });
  if (!upstream.ok) return upstream;

  const answer = (await upstream.json()) as LoginAnswer;
  const session = readSession(answer.access_token);
  if (!session) {
    return Response.json(
      { detail: 'The login service answered without a usable token.' },
      { status: 502 },
    );
  }
  return withSessionCookie(Response.json({ user: answer.user }), session, requestIsHttps(request));
}
