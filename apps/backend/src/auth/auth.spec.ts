import { randomUUID } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { signUp, TEST_JWT_SECRET, useTestApp } from '../../test/support/app';
import { USER_CACHE_MS } from './plugin';

const ctx = useTestApp({ MAX_LOGIN_ATTEMPTS: '3', LOGIN_LOCKOUT_TIME: '120' });
const key = new TextEncoder().encode(TEST_JWT_SECRET);

describe('POST /api/auth/register', () => {
  it('creates the account, stores the email lower-cased and never returns the hash', async () => {
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: { name: 'Ada Lovelace', email: 'Ada@Example.COM', password: 'analytical' },
    });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      message: expect.any(String),
    });
    expect(response.body).not.toMatch(/password|hash|scrypt/i);
  });

  it('answers 409 when the email exists, whatever its case', async () => {
    await signUp(ctx.app, { email: 'taken@example.com' });
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: { name: 'Other', email: 'TAKEN@example.com', password: 'another-pass' },
    });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual({ detail: 'Email already registered' });
  });

  it('answers 422 naming each field that breaks a rule', async () => {
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: { name: '', email: 'nope', password: 'short' },
    });
    expect(response.statusCode).toBe(422);
    const fields = response.json().detail.map((issue: { loc: string[] }) => issue.loc.join('.'));
    expect(fields.sort()).toEqual(['body.email', 'body.name', 'body.password']);
    for (const issue of response.json().detail)
      expect(issue.msg).toMatch(/^(name|email|password): /);
  });

  it('reports missing fields as required', async () => {
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: {},
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().detail).toEqual(
      expect.arrayContaining([
        { loc: ['body', 'name'], msg: 'name: field required', type: 'missing' },
      ]),
    );
  });
});

describe('POST /api/auth/login', () => {
  it('returns a bearer token whose claims name the user', async () => {
    const { user, token } = await signUp(ctx.app, { email: 'grace@example.com', name: 'Grace' });
    expect(user).toEqual({ id: expect.any(String), name: 'Grace', email: 'grace@example.com' });
    const [header, payload] = token
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header.alg).toBe('HS256');
    expect(payload.sub).toBe(user.id);
    expect(payload.email).toBe('grace@example.com');
    const lifetimeDays = (payload.exp - payload.iat) / 86_400;
    expect(lifetimeDays).toBe(7);
  });

  it('accepts the email in any case', async () => {
    await signUp(ctx.app, { email: 'linus@example.com', password: 'kernel-hacker' });
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'LINUS@Example.com', password: 'kernel-hacker' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().token_type).toBe('bearer');
  });

  it('answers 401 with the same words for a wrong password and an unknown email', async () => {
    await signUp(ctx.app, { email: 'alan@example.com', password: 'enigma-machine' });
    for (const payload of [
      { email: 'alan@example.com', password: 'wrong-password' },
      { email: 'nobody@example.com', password: 'enigma-machine' },
    ]) {
      const response = await ctx.app.inject({ method: 'POST', url: '/api/auth/login', payload });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({ detail: 'Incorrect email or password' });
      expect(response.headers['www-authenticate']).toBe('Bearer');
    }
  });

  it('locks an email out with 429 and Retry-After after MAX_LOGIN_ATTEMPTS failures', async () => {
    await signUp(ctx.app, { email: 'mallory@example.com', password: 'the-right-one' });
    const attempt = (password: string) =>
      ctx.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'mallory@example.com', password },
      });
    for (let i = 0; i < 3; i += 1) expect((await attempt(`guess-${i}`)).statusCode).toBe(401);

    const locked = await attempt('the-right-one');
    expect(locked.statusCode).toBe(429);
    const retryAfter = Number(locked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(100);
    expect(retryAfter).toBeLessThanOrEqual(120);
    expect(locked.json().detail).toMatch(/too many/i);

    // Another account is not affected.
    const other = await signUp(ctx.app, { email: 'bob@example.com', password: 'bobs-password' });
    expect(other.token).toBeTruthy();
  });
});

describe('bearer authentication on /api/{user_id}/...', () => {
  it('answers 401 with WWW-Authenticate when there is no token', async () => {
    const { user } = await signUp(ctx.app);
    const response = await ctx.app.inject({ method: 'GET', url: `/api/${user.id}/tasks` });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(response.json()).toEqual({ detail: 'Not authenticated' });
  });

  async function statusWithToken(userId: string, token: string) {
    const response = await ctx.app.inject({
      method: 'GET',
      url: `/api/${userId}/tasks`,
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.statusCode, challenge: response.headers['www-authenticate'] };
  }

  it('rejects a token signed with another key', async () => {
    const { user } = await signUp(ctx.app);
    const forged = await new SignJWT({ email: user.email })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('some-other-key-some-other-key-some-other'));
    expect(await statusWithToken(user.id, forged)).toEqual({ status: 401, challenge: 'Bearer' });
  });

  it('rejects an unsigned token (alg: none)', async () => {
    const { user } = await signUp(ctx.app);
    const unsigned = new UnsecuredJWT({ email: user.email })
      .setSubject(user.id)
      .setExpirationTime('1h')
      .encode();
    expect(await statusWithToken(user.id, unsigned)).toEqual({ status: 401, challenge: 'Bearer' });
  });

  it('rejects a token signed with the right key but another algorithm (HS512)', async () => {
    const { user } = await signUp(ctx.app);
    const token = await new SignJWT({ email: user.email })
      .setProtectedHeader({ alg: 'HS512' })
      .setSubject(user.id)
      .setExpirationTime('1h')
      .sign(key);
    expect(await statusWithToken(user.id, token)).toEqual({ status: 401, challenge: 'Bearer' });
  });

  it('rejects an expired token', async () => {
    const { user } = await signUp(ctx.app);
    const expired = await new SignJWT({ email: user.email })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(key);
    expect(await statusWithToken(user.id, expired)).toEqual({ status: 401, challenge: 'Bearer' });
  });

  it('rejects a valid token of a user that was deleted, within a second', async () => {
    const { user, token } = await signUp(ctx.app);
    expect((await statusWithToken(user.id, token)).status).toBe(200);
    await ctx.database.db.execute(`DELETE FROM users WHERE id = '${user.id}'`);
    // The account's existence is re-checked at most USER_CACHE_MS after the last check.
    const deadline = Date.now() + USER_CACHE_MS + 500;
    let answer = await statusWithToken(user.id, token);
    while (answer.status === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      answer = await statusWithToken(user.id, token);
    }
    expect(answer).toEqual({ status: 401, challenge: 'Bearer' });
  });

  it('rejects a well-signed token whose subject is not a user id', async () => {
    const token = await new SignJWT({ email: 'x@example.com' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(randomUUID())
      .setExpirationTime('1h')
      .sign(key);
    expect((await statusWithToken(randomUUID(), token)).status).toBe(401);
  });

  it("answers 404 Not found for another user's id in the path", async () => {
    const alice = await signUp(ctx.app);
    const bob = await signUp(ctx.app);
    for (const url of [
      `/api/${bob.user.id}/tasks`,
      `/api/${bob.user.id}/tasks/1`,
      `/api/not-a-uuid/tasks`,
    ]) {
      const response = await ctx.app.inject({ method: 'GET', url, headers: alice.headers });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ detail: 'Not found' });
    }
  });

  it('turns away an unauthenticated request before validating its body', async () => {
    const { user } = await signUp(ctx.app);
    const response = await ctx.app.inject({
      method: 'POST',
      url: `/api/${user.id}/tasks`,
      payload: { title: '' },
    });
    expect(response.statusCode).toBe(401);
  });
});
