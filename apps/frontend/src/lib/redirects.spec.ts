import { isProtectedPath, redirectFor, safeNextPath } from './redirects';

const params = (query = '') => new URLSearchParams(query);

describe('redirectFor', () => {
  it('sends a logged-out visitor of /tasks or /chat to the login page, remembering where they were going', () => {
    expect(redirectFor('/tasks', params(), false)).toBe('/login?next=%2Ftasks');
    expect(redirectFor('/chat', params('q=hi&x=1'), false)).toBe(
      '/login?next=%2Fchat%3Fq%3Dhi%26x%3D1',
    );
    expect(redirectFor('/tasks/42', params(), false)).toBe('/login?next=%2Ftasks%2F42');
  });

  it('lets a signed-in visitor reach the protected pages', () => {
    expect(redirectFor('/tasks', params(), true)).toBeNull();
    expect(redirectFor('/chat', params(), true)).toBeNull();
  });

  it('sends a signed-in visitor of /login or /register on to /tasks, or to a safe `next`', () => {
    expect(redirectFor('/login', params(), true)).toBe('/tasks');
    expect(redirectFor('/register', params(), true)).toBe('/tasks');
    expect(redirectFor('/login', params('next=/chat'), true)).toBe('/chat');
    expect(redirectFor('/login', params('next=https://evil.example/'), true)).toBe('/tasks');
  });

  it('leaves public pages alone either way', () => {
    for (const signedIn of [true, false]) {
      expect(redirectFor('/', params(), signedIn)).toBeNull();
      expect(redirectFor('/taskslist', params(), signedIn)).toBeNull();
    }
    expect(redirectFor('/login', params(), false)).toBeNull();
  });
});

describe('safeNextPath', () => {
  it('keeps in-app paths with their query', () => {
    expect(safeNextPath('/chat')).toBe('/chat');
    expect(safeNextPath('/tasks?filter=pending')).toBe('/tasks?filter=pending');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['absolute URL', 'https://evil.example/tasks'],
    ['protocol-relative URL', '//evil.example'],
    ['backslash trick', '/\\evil.example'],
    ['tab trick', '/\t/evil.example'],
    ['relative path', 'tasks'],
    ['login loop', '/login?next=/tasks'],
    ['register page', '/register'],
  ])('falls back to /tasks for a %s', (_case, next) => {
    expect(safeNextPath(next)).toBe('/tasks');
  });
});

describe('isProtectedPath', () => {
  it('covers the pages and their sub-paths only', () => {
    expect(isProtectedPath('/tasks')).toBe(true);
    expect(isProtectedPath('/chat/anything')).toBe(true);
    expect(isProtectedPath('/chatroom')).toBe(false);
    expect(isProtectedPath('/')).toBe(false);
  });
});
