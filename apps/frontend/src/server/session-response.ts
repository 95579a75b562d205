import { NextResponse, type NextRequest } from 'next/server';
import { callBackend } from './backend';
import {
  clearedCookieOptions,
  isHttpsRequest,
  readSession,
  SESSION_COOKIE,
  sessionCookieOptions,
  type Session,
} from '../lib/session';

export const NOT_SIGNED_IN = 'Your session has ended. Please log in again.';

export function requestIsHttps(request: NextRequest): boolean {
  return isHttpsRequest(request.url, request.headers.get('x-forwarded-proto'));
}

export function sessionOf(request: NextRequest): Session | null {
  return readSession(request.cookies.get(SESSION_COOKIE)?.value);
}

/** A copy of `response` that starts the session carried by `session.token`. */
export function withSessionCookie(
  response: Response,
  session: Session,
  https: boolean,
): NextResponse {
  const next = new NextResponse(response.body, response);
  next.cookies.set(SESSION_COOKIE, session.token, sessionCookieOptions(session, https));
  return next;
}

/** A copy of `response` that makes the browser forget the session. */
export function withoutSessionCookie(response: Response, https: boolean): NextResponse {
  const next = new NextResponse(response.body, response);
  next.cookies.set(SESSION_COOKIE, '', clearedCookieOptions(https));
  return next;
}

/**
 * Runs `handle` for a signed-in visitor. Without a valid session — or when the backend rejects the
 * token (401) — the answer is 401 and the cookie is cleared, so the page sends the person to log in.
 */
export async function withSession(
  request: NextRequest,
  handle: (session: Session) => Promise<Response>,
): Promise<Response> {
  const https = requestIsHttps(request);
  const session = sessionOf(request);
  if (!session) {
    const answer = Response.json({ detail: NOT_SIGNED_IN }, { status: 401 });
    return request.cookies.has(SESSION_COOKIE) ? withoutSessionCookie(answer, https) : answer;
  }
  const response = await handle(session);
  return response.status === 401 ? withoutSessionCookie(response, https) : response;
}

/**
 * Forwards the visitor's JSON body to `path` on the backend with their token; a body that is not
 * JSON is answered here and never reaches the backend.
 */
export async function forwardJson(
  request: NextRequest,
  session: Session,
  method: 'POST' | 'PUT' | 'PATCH',
  path: string,
): Promise<Response> {
  const parsed = await jsonBody(request);
  if ('error' in parsed) return parsed.error;
  return callBackend({ method, path, token: session.token, body: parsed.body });
}

/** The request's JSON body, or a 422 answer naming the problem when it is not JSON. */
export async function jsonBody(
  request: NextRequest,
): Promise<{ body: unknown } | { error: Response }> {
  // Only JSON: a cross-site HTML form can send text/plain or form data but not application/json,
  // so this also keeps such forms from driving the API (defence in depth beside SameSite=Lax).
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(type.trim())) {
    return {
      error: Response.json(
        { detail: 'The request body must be JSON (Content-Type: application/json).' },
        { status: 415 },
      ),
    };
  }
  try {
    return { body: await request.json() };
  } catch {
    return {
      error: Response.json({ detail: 'The request body must be a JSON object.' }, { status: 422 }),
    };
  }
}

/** Task ids are positive integers; anything else cannot name a task. */
export function taskIdOf(raw: string): number | null {
  return /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : null;
}

export function taskNotFound(): Response {
  return Response.json({ detail: 'Task not found' }, { status: 404 });
}
