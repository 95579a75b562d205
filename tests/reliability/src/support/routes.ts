/** Every route of the API, as the suites address them. */
export type BodyKind = 'register' | 'login' | 'taskCreate' | 'taskUpdate' | 'taskComplete' | 'chat';

export interface ApiRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** As written in /openapi.json. */
  template: string;
  body?: BodyKind;
  /** Needs `Authorization: Bearer`; `{user_id}` must be the token's user. */
  authenticated: boolean;
}

export const API_ROUTES: ApiRoute[] = [
  { method: 'POST', template: '/api/auth/register', body: 'register', authenticated: false },
  { method: 'POST', template: '/api/auth/login', body: 'login', authenticated: false },
  { method: 'GET', template: '/api/{user_id}/tasks', authenticated: true },
  { method: 'POST', template: '/api/{user_id}/tasks', body: 'taskCreate', authenticated: true },
  { method: 'GET', template: '/api/{user_id}/tasks/{task_id}', authenticated: true },
  {
    method: 'PUT',
    template: '/api/{user_id}/tasks/{task_id}',
    body: 'taskUpdate',
    authenticated: true,
  },
  {
    method: 'PATCH',
    template: '/api/{user_id}/tasks/{task_id}/complete',
    body: 'taskComplete',
    authenticated: true,
  },
  { method: 'DELETE', template: '/api/{user_id}/tasks/{task_id}', authenticated: true },
  { method: 'POST', template: '/api/{user_id}/chat', body: 'chat', authenticated: true },
  { method: 'GET', template: '/api/{user_id}/conversations/history', authenticated: true },
  { method: 'DELETE', template: '/api/{user_id}/conversations/clear', authenticated: true },
];

/** Routes with no authentication at all (service information, probes, docs). */
export const PUBLIC_ROUTES = [
  { method: 'GET', template: '/' },
  { method: 'GET', template: '/health' },
  { method: 'GET', template: '/ready' },
];

export const AUTHENTICATED_ROUTES = API_ROUTES.filter((route) => route.authenticated);
export const BODY_ROUTES = API_ROUTES.filter((route) => route.body);

/** Fills `{user_id}` and `{task_id}` in (URL-encoded). */
export function pathOf(route: { template: string }, userId: string, taskId: string | number = 1) {
  return route.template
    .replace('{user_id}', encodeURIComponent(userId))
    .replace('{task_id}', encodeURIComponent(String(taskId)));
}

/** A body that passes validation, for routes that need one. */
export function validBody(kind: BodyKind | undefined, seed = 0): unknown {
  switch (kind) {
    case 'register':
      return {
        name: `Valid ${seed}`,
        email: `valid${seed}@example.com`,
        password: 'long-enough-1',
      };
    case 'login':
      return { email: `valid${seed}@example.com`, password: 'long-enough-1' };
    case 'taskCreate':
      return { title: `task ${seed}`, description: 'from the reliability suite' };
    case 'taskUpdate':
      return { title: `renamed ${seed}` };
    case 'taskComplete':
      return { completed: true };
    case 'chat':
      return { message: 'show my tasks' };
    default:
      return undefined;
  }
}
