import type { ChatMessage, Task } from '../lib/types';

type Json = Record<string, unknown>;
type Answer = { status: number; body?: unknown };

export interface FakeApiOptions {
  tasks?: Task[];
  history?: ChatMessage[];
  /** Overrides one route: return an answer to replace the default behaviour. */
  override?: (method: string, path: string, body: Json | undefined) => Answer | undefined;
}

let clock = Date.UTC(2026, 0, 1, 9, 0, 0);
export function task(id: number, title: string, extra: Partial<Task> = {}): Task {
  clock += 60_000;
  const at = new Date(clock).toISOString();
  return {
    id,
    user_id: 'user-1',
    title,
    description: null,
    completed: false,
    created_at: at,
    updated_at: at,
    ...extra,
  };
}

/**
 * Stands in for the frontend's own /api routes in jsdom (where no Next server runs), answering in
 * the shapes those routes pass through from the backend (the schemas of libs/api-contract). The
 * real routes and the real backend are exercised by the route tests and apps/frontend-e2e.
 */
export function installFakeApi(options: FakeApiOptions = {}) {
  const tasks: Task[] = [...(options.tasks ?? [])];
  let history: ChatMessage[] = [...(options.history ?? [])];
  let nextId = Math.max(0, ...tasks.map((t) => t.id)) + 1;
  const calls: { method: string; path: string; body?: Json }[] = [];

  function route(method: string, path: string, body: Json | undefined): Answer {
    const custom = options.override?.(method, path, body);
    if (custom) return custom;
    if (path === '/api/tasks' && method === 'GET') return { status: 200, body: { tasks } };
    if (path === '/api/tasks' && method === 'POST') {
      const title = String(body?.title ?? '').trim();
      if (!title) {
        return {
          status: 422,
          body: {
            detail: [
              { loc: ['body', 'title'], msg: 'must be 1-200 characters', type: 'too_small' },
            ],
          },
        };
      }
      const created = task(nextId++, title, {
        description: (body?.description as string | null) ?? null,
      });
      tasks.unshift(created);
      return { status: 201, body: created };
    }
    const match = /^\/api\/tasks\/(\d+)(\/complete)?$/.exec(path);
    if (match) {
      const index = tasks.findIndex((t) => t.id === Number(match[1]));
      if (index < 0) return { status: 404, body: { detail: 'Task not found' } };
      if (method === 'DELETE') {
        tasks.splice(index, 1);
        return { status: 204 };
      }
      tasks[index] = {
        ...tasks[index],
        ...(body as Partial<Task>),
        updated_at: new Date().toISOString(),
      };
      return { status: 200, body: tasks[index] };
    }
    if (path === '/api/chat/history' && method === 'GET') {
      return { status: 200, body: { conversation_id: 'user_user-1', messages: history } };
    }
    if (path === '/api/chat/history' && method === 'DELETE') {
      history = [];
      return { status: 200, body: { message: 'Conversation cleared' } };
    }
    if (path === '/api/chat' && method === 'POST') {
      const message = String(body?.message ?? '');
      const title = /add a task to (.+)/i.exec(message)?.[1];
      const reply = title
        ? { response: `Added "${title}".`, tool_calls: ['add_task'] }
        : { response: 'You have no tasks.', tool_calls: ['list_tasks'] };
      history.push(
        { role: 'user', content: message },
        { role: 'assistant', content: reply.response },
      );
      return { status: 200, body: { conversation_id: 'user_user-1', ...reply } };
    }
    if (path === '/api/auth/logout') return { status: 200, body: { message: 'Logged out' } };
    return { status: 404, body: { detail: 'Not found' } };
  }

  const fetchMock = jest.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const method = (init?.method ?? 'GET').toUpperCase();
    const path = String(input);
    const body = init?.body ? (JSON.parse(String(init.body)) as Json) : undefined;
    calls.push({ method, path, body });
    const answer = route(method, path, body);
    const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
    return {
      ok: answer.status >= 200 && answer.status < 300,
      status: answer.status,
      text: async () => text,
    } as Response;
  });
  globalThis.fetch = fetchMock as unknown as typeof fetch;
  return { tasks, calls, fetchMock, history: () => history };
}
