/** @jest-environment node */
import {
  BACKEND_TIMEOUT,
  BACKEND_UNREACHABLE,
  callBackend,
  checkBackendReachable,
} from './backend';
import { closedPortUrl, startHttpBackend } from '../testing/http-backend';

describe('callBackend', () => {
  let backend: Awaited<ReturnType<typeof startHttpBackend>>;
  let reply: Parameters<typeof startHttpBackend>[0];

  beforeAll(async () => {
    backend = await startHttpBackend((request) => reply(request));
  });
  afterAll(() => backend.close());
  beforeEach(() => {
    backend.seen.length = 0;
  });

  it('forwards method, path, body and bearer token, and hands back status and JSON', async () => {
    reply = () => ({ status: 201, body: { id: 7, title: 'Water plants' } });
    const response = await callBackend({
      method: 'POST',
      path: '/api/u1/tasks',
      token: 'jwt-value',
      body: { title: 'Water plants' },
      baseUrl: `${backend.url}/`,
      timeoutMs: 2000,
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ id: 7, title: 'Water plants' });
    expect(backend.seen).toEqual([
      {
        method: 'POST',
        url: '/api/u1/tasks',
        authorization: 'Bearer jwt-value',
        body: { title: 'Water plants' },
      },
    ]);
  });

  it('passes error answers through unchanged so field errors reach the page', async () => {
    const detail = [{ loc: ['body', 'title'], msg: 'must be 1-200 characters', type: 'too_small' }];
    reply = () => ({ status: 422, body: { detail } });
    const response = await callBackend({
      method: 'POST',
      path: '/api/u1/tasks',
      body: {},
      baseUrl: backend.url,
    });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ detail });
  });

  it('answers 204 without a body', async () => {
    reply = () => ({ status: 204 });
    const response = await callBackend({
      method: 'DELETE',
      path: '/api/u1/tasks/1',
      baseUrl: backend.url,
    });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
  });

  it('gives a friendly 502 when the backend cannot be reached', async () => {
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const response = await callBackend({
      method: 'GET',
      path: '/api/u1/tasks',
      baseUrl: await closedPortUrl(),
    });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ detail: BACKEND_UNREACHABLE });
    expect(errors).toHaveBeenCalled();
    errors.mockRestore();
  });

  it('gives a 504 with a clear message when the backend is too slow', async () => {
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    reply = () => ({ status: 200, body: { tasks: [] }, delayMs: 500 });
    const response = await callBackend({
      method: 'GET',
      path: '/api/u1/tasks',
      baseUrl: backend.url,
      timeoutMs: 100,
    });
    expect(response.status).toBe(504);
    expect(await response.json()).toEqual({ detail: BACKEND_TIMEOUT });
    errors.mockRestore();
  });

  it('answers 502 when something other than the API answers (an HTML error page)', async () => {
    reply = () => ({ status: 503, raw: '<html>upstream down</html>' });
    const response = await callBackend({
      method: 'GET',
      path: '/api/u1/tasks',
      baseUrl: backend.url,
    });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ detail: BACKEND_UNREACHABLE });
  });
});

describe('checkBackendReachable', () => {
  it('resolves when the backend answers /health and names the URL when it does not', async () => {
    const backend = await startHttpBackend((request) =>
      request.url === '/health'
        ? { status: 200, body: { status: 'ok' } }
        : { status: 404, body: {} },
    );
    try {
      await expect(
        checkBackendReachable(AbortSignal.timeout(2000), backend.url),
      ).resolves.toBeUndefined();
    } finally {
      await backend.close();
    }
    const closed = await closedPortUrl();
    await expect(checkBackendReachable(AbortSignal.timeout(2000), closed)).rejects.toThrow(
      `backend at ${closed}/health unreachable`,
    );
  });
});
