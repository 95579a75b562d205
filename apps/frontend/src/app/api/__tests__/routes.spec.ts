/** @jest-environment node */
import { NextRequest } from 'next/server';
import { resetFrontendConfig } from '../../../server/config';
import {
  closedPortUrl,
  startHttpBackend,
  type Reply,
  type SeenRequest,
} from '../../../testing/http-backend';
import { backendToken } from '../../../testing/tokens';
import { POST as login } from '../auth/login/route';
import { POST as logout } from '../auth/logout/route';
import { GET as listTasks, POST as addTask } from '../tasks/route';
import { DELETE as deleteTask } from '../tasks/[id]/route';
import { GET as ready } from '../../ready/route';

let backend: Awaited<ReturnType<typeof startHttpBackend>>;
let reply: (request: SeenRequest) => Reply;

beforeAll(async () => {
  backend = await startHttpBackend((request) => reply(request));
});
afterAll(() => backend.close());
beforeEach(() => {
  backend.seen.length = 0;
  // BACKEND_URL is read when a request arrives, never at build time: each test can move it.
  process.env.BACKEND_URL = backend.url;
  resetFrontendConfig();
});
afterEach(() => {
  delete process.env.BACKEND_URL;
  resetFrontendConfig();
});

function request(
  url: string,
  init: { method?: string; body?: unknown; cookie?: string; headers?: Record<string, string> } = {},
) {
  return new NextRequest(url, {
    method: init.method ?? 'GET',
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.cookie ? { cookie: init.cookie } : {}),
      ...init.headers,
    },
  });
}

describe('POST /api/auth/login', () => {
  it('keeps the token in an httpOnly SameSite=Lax cookie and gives the page only the user', async () => {
    const token = await backendToken('user-1');
    const user = { id: 'user-1', name: 'Ada', email: 'ada@example.com' };
    reply = () => ({ status: 200, body: { access_token: token, token_type: 'bearer', user } });

    const response = await login(
      request('http://localhost:3000/api/auth/login', {
        method: 'POST',
        body: { email: 'ada@example.com', password: 'secret-pass' },
      }),
    );

    expect(response.status).toBe(200);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ user });
    expect(text).not.toContain(token);
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toContain(`todo_session=${token}`);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=lax/i);
    expect(cookie).not.toMatch(/Secure/i);
    expect(backend.seen[0]).toMatchObject({
      method: 'POST',
      url: '/api/auth/login',
      body: { email: 'ada@example.com' },
    });
  });

  it('marks the cookie Secure when the visitor came over https through the ingress', async () => {
    const token = await backendToken('user-1');
    reply = () => ({
      status: 200,
      body: { access_token: token, user: { id: 'user-1', name: 'Ada', email: 'a@b.co' } },
    });
    const response = await login(
      request('http://10.1.2.3:3000/api/auth/login', {
        method: 'POST',
        body: { email: 'a@b.co', password: 'secret-pass' },
        headers: { 'x-forwarded-proto': 'https' },
      }),
    );
    expect(response.headers.get('set-cookie')).toMatch(/Secure/);
  });

  it('passes a wrong password through as 401 without setting a cookie', async () => {
    reply = () => ({ status: 401, body: { detail: 'Incorrect email or password' } });
    const response = await login(
      request('http://localhost:3000/api/auth/login', {
        method: 'POST',
        body: { email: 'a@b.co', password: 'nope-nope' },
      }),
    );
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ detail: 'Incorrect email or password' });
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('answers 502 with a friendly message when the backend is down', async () => {
    process.env.BACKEND_URL = await closedPortUrl();
    resetFrontendConfig();
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const response = await login(
      request('http://localhost:3000/api/auth/login', {
        method: 'POST',
        body: { email: 'a@b.co', password: 'secret-pass' },
      }),
    );
    errors.mockRestore();
    expect(response.status).toBe(502);
    expect((await response.json()).detail).toMatch(/not reachable right now/);
  });
});

describe('POST /api/auth/logout', () => {
  it('clears the session cookie', async () => {
    const response = await logout(
      request('http://localhost:3000/api/auth/logout', {
        method: 'POST',
        cookie: 'todo_session=abc',
      }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toMatch(/^todo_session=;.*Max-Age=0/);
  });
});

describe('/api/tasks', () => {
  it('calls the backend as the signed-in user with their token', async () => {
    const token = await backendToken('user-9');
    reply = () => ({ status: 200, body: { tasks: [] } });
    const response = await listTasks(
      request('http://localhost:3000/api/tasks', { cookie: `todo_session=${token}` }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ tasks: [] });
    expect(backend.seen[0]).toMatchObject({
      method: 'GET',
      url: '/api/user-9/tasks',
      authorization: `Bearer ${token}`,
    });
  });

  it('answers 401 without calling the backend when nobody is signed in', async () => {
    const response = await addTask(
      request('http://localhost:3000/api/tasks', { method: 'POST', body: { title: 'x' } }),
    );
    expect(response.status).toBe(401);
    expect(backend.seen).toHaveLength(0);
  });

  it('drops the cookie when the backend rejects the token', async () => {
    const token = await backendToken('user-9');
    reply = () => ({ status: 401, body: { detail: 'Could not validate credentials' } });
    const response = await listTasks(
      request('http://localhost:3000/api/tasks', { cookie: `todo_session=${token}` }),
    );
    expect(response.status).toBe(401);
    expect(response.headers.get('set-cookie')).toMatch(/^todo_session=;.*Max-Age=0/);
  });

  it('refuses a body that is not JSON (what a cross-site form would send) without calling the backend', async () => {
    const token = await backendToken('user-9');
    const response = await addTask(
      new NextRequest('http://localhost:3000/api/tasks', {
        method: 'POST',
        body: 'title=sneaky',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          cookie: `todo_session=${token}`,
        },
      }),
    );
    expect(response.status).toBe(415);
    expect((await response.json()).detail).toMatch(/must be JSON/);
    expect(backend.seen).toHaveLength(0);
  });

  it('refuses task ids that are not whole numbers before reaching the backend', async () => {
    const token = await backendToken('user-9');
    const response = await deleteTask(
      request('http://localhost:3000/api/tasks/..%2Fadmin', {
        method: 'DELETE',
        cookie: `todo_session=${token}`,
      }),
      { params: Promise.resolve({ id: '../admin' }) },
    );
    expect(response.status).toBe(404);
    expect(backend.seen).toHaveLength(0);
  });
});

describe('GET /ready', () => {
  it('stays ready but reports the backend check as failing when it is unreachable', async () => {
    process.env.BACKEND_URL = await closedPortUrl();
    resetFrontendConfig();
    const response = await ready();
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.status).toBe('ok');
    expect(body.checks.backend.status).toBe('error');
    expect(body.checks.backend.error).toMatch(/unreachable/);
  });
});
