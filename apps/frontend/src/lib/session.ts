import { decodeJwt } from 'jose';

/** The httpOnly cookie that carries the backend's JWT; the browser's scripts never see it. */
export const SESSION_COOKIE = 'todo_session';

export interface Session {
  token: string;
  userId: string;
  email?: string;
  /** Seconds since the epoch; undefined when the token carries no expiry. */
  expiresAt?: number;
}

/**
 * Reads the session from the cookie's token without verifying its signature: the backend
 * verifies it on every call, so the frontend only needs to know who the token names and whether
 * it has expired (to route the visitor, and to build `/api/{user_id}/...` paths).
 */
export function readSession(token: string | undefined, nowMs = Date.now()): Session | null {
  if (!token) return null;
  let claims: ReturnType<typeof decodeJwt>;
  try {
    claims = decodeJwt(token);
  } catch {
    return null;
  }
  if (typeof claims.sub !== 'string' || claims.sub === '') return null;
  if (typeof claims.exp === 'number' && claims.exp * 1000 <= nowMs) return null;
  return {
    token,
    userId: claims.sub,
    email: typeof claims.email === 'string' ? claims.email : undefined,
    expiresAt: typeof claims.exp === 'number' ? claims.exp : undefined,
  };
}

/**
 * Whether the visitor reached us over https: directly, or through a TLS-terminating ingress that
 * says so in X-Forwarded-Proto (first value when proxies chain).
 */
export function isHttpsRequest(
  requestUrl: string,
  forwardedProto: string | null | undefined,
): boolean {
  const proto = forwardedProto?.split(',')[0]?.trim().toLowerCase();
  if (proto) return proto === 'https';
  return new URL(requestUrl).protocol === 'https:';
}

export interface SessionCookieOptions {
  httpOnly: true;
  sameSite: 'lax';
  secure: boolean;
  path: '/';
  maxAge: number;
}

const DEFAULT_MAX_AGE_SECONDS = 7 * 24 * 60 * 60;

/** Cookie attributes for a new session: it lives exactly as long as the token is valid. */
export function sessionCookieOptions(
  session: Pick<Session, 'expiresAt'>,
  secure: boolean,
  nowMs = Date.now(),
): SessionCookieOptions {
  const maxAge =
    session.expiresAt === undefined
      ? DEFAULT_MAX_AGE_SECONDS
      : Math.max(0, Math.floor(session.expiresAt - nowMs / 1000));
  return { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge };
}

/** Attributes that make the browser drop the session cookie (logout, rejected token). */
export function clearedCookieOptions(secure: boolean): SessionCookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: 0 };
}
