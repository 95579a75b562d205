/** @jest-environment node */
import { SignJWT } from 'jose';
import { clearedCookieOptions, isHttpsRequest, readSession, sessionCookieOptions } from './session';

const key = new TextEncoder().encode('a-test-signing-key-of-at-least-32-chars');
const NOW = Date.UTC(2026, 0, 1);

async function token(claims: Record<string, unknown>, expiresAt?: number): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' });
  if (expiresAt !== undefined) jwt.setExpirationTime(expiresAt);
  return jwt.sign(key);
}

describe('readSession', () => {
  it('names the user of a valid token', async () => {
    const jwt = await token({ sub: 'user-1', email: 'ada@example.com' }, NOW / 1000 + 3600);
    expect(readSession(jwt, NOW)).toEqual({
      token: jwt,
      userId: 'user-1',
      email: 'ada@example.com',
      expiresAt: NOW / 1000 + 3600,
    });
  });

  it('treats an expired token as no session', async () => {
    const jwt = await token({ sub: 'user-1' }, NOW / 1000 - 1);
    expect(readSession(jwt, NOW)).toBeNull();
  });

  it('rejects a missing cookie, garbage and tokens that name nobody', async () => {
    expect(readSession(undefined)).toBeNull();
    expect(readSession('')).toBeNull();
    expect(readSession('not-a-jwt')).toBeNull();
    expect(readSession(await token({ email: 'x@example.com' }), NOW)).toBeNull();
  });
});

describe('isHttpsRequest', () => {
  it('trusts the scheme of the request itself', () => {
    expect(isHttpsRequest('https://todo.example/api/auth/login', null)).toBe(true);
    expect(isHttpsRequest('http://localhost:3000/api/auth/login', null)).toBe(false);
  });

  it('follows X-Forwarded-Proto from a TLS-terminating ingress (first hop wins)', () => {
    expect(isHttpsRequest('http://10.0.0.5:3000/', 'https')).toBe(true);
    expect(isHttpsRequest('http://10.0.0.5:3000/', 'HTTPS, http')).toBe(true);
    expect(isHttpsRequest('https://todo.example/', 'http')).toBe(false);
  });
});

describe('session cookie attributes', () => {
  it('are httpOnly and SameSite=Lax, Secure only over https, and last as long as the token', () => {
    expect(sessionCookieOptions({ expiresAt: NOW / 1000 + 600 }, true, NOW)).toEqual({
      httpOnly: true,
      sameSite: 'lax',
      secure: true,
      path: '/',
      maxAge: 600,
    });
    expect(sessionCookieOptions({ expiresAt: NOW / 1000 + 600 }, false, NOW).secure).toBe(false);
  });

  it('default to seven days for a token without expiry', () => {
    expect(sessionCookieOptions({}, false, NOW).maxAge).toBe(7 * 24 * 3600);
  });

  it('expire at once when clearing', () => {
    expect(clearedCookieOptions(true)).toMatchObject({
      maxAge: 0,
      httpOnly: true,
      secure: true,
      path: '/',
    });
  });
});
