/** @jest-environment node */
import { NextRequest } from 'next/server';
import { proxy } from './proxy';
import { backendToken } from './testing/tokens';

function visit(url: string, token?: string, headers: Record<string, string> = {}): NextRequest {
  return new NextRequest(url, {
    headers: { ...headers, ...(token ? { cookie: `todo_session=${token}` } : {}) },
  });
}

describe('proxy (route guard)', () => {
  it('redirects a logged-out visit to /tasks to /login?next=/tasks', () => {
    const response = proxy(visit('http://localhost:3000/tasks'));
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe('http://localhost:3000/login?next=%2Ftasks');
  });

  it('lets a signed-in visitor open /chat', async () => {
    const response = proxy(visit('http://localhost:3000/chat', await backendToken('u1')));
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('x-middleware-next')).toBe('1');
  });

  it('sends a signed-in visit to /login on to /tasks, or to the requested page', async () => {
    const token = await backendToken('u1');
    expect(proxy(visit('http://localhost:3000/login', token)).headers.get('location')).toBe(
      'http://localhost:3000/tasks',
    );
    expect(
      proxy(visit('http://localhost:3000/login?next=%2Fchat', token)).headers.get('location'),
    ).toBe('http://localhost:3000/chat');
  });

  it('treats an expired cookie as logged out and removes it (Secure behind an https ingress)', async () => {
    const expired = await backendToken('u1', -60);
    const response = proxy(
      visit('http://10.0.0.7:3000/tasks', expired, { 'x-forwarded-proto': 'https' }),
    );
    expect(response.headers.get('location')).toBe('http://10.0.0.7:3000/login?next=%2Ftasks');
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^todo_session=;/);
    expect(cookie).toMatch(/Max-Age=0/);
    expect(cookie).toMatch(/Secure/);
  });
});
