import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Task } from '@todo/api-contract';
import { buildApp } from '../app';
import { createLogger } from '../logger';
import { LogCapture, signUp, testConfig, useTestApp, type SignedIn } from '../../test/support/app';

// MCP clients connect over the network, so the app listens on a real (random) port here.
const ctx = useTestApp();
let baseUrl: string;
const clients: Client[] = [];

beforeAll(async () => {
  baseUrl = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

async function connect(token?: string): Promise<Client> {
  const client = new Client({ name: 'backend-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', baseUrl), {
    requestInit: token ? { headers: { authorization: `Bearer ${token}` } } : {},
  });
  await client.connect(transport);
  clients.push(client);
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown>) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const [first] = result.content;
  return {
    text: first?.type === 'text' ? first.text : '',
    isError: result.isError ?? false,
    result,
  };
}

async function tasksOf(user: SignedIn): Promise<Task[]> {
  const response = await ctx.app.inject({
    method: 'GET',
    url: `/api/${user.user.id}/tasks`,
    headers: user.headers,
  });
  return (response.json() as { tasks: Task[] }).tasks;
}

it('lists the five task tools with their argument schemas', async () => {
  const ada = await signUp(ctx.app);
  const client = await connect(ada.token);

  const { tools } = await client.listTools();

  expect(tools.map((tool) => tool.name)).toEqual([
    'add_task',
    'list_tasks',
    'complete_task',
    'delete_task',
    'update_task',
  ]);
  const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool.inputSchema]));
  expect(byName['add_task']).toMatchObject({
    type: 'object',
    properties: { title: { type: 'string', minLength: 1, maxLength: 200 } },
    required: ['title'],
  });
  expect(byName['list_tasks']).toMatchObject({
    properties: { status: { enum: ['all', 'pending', 'completed'] } },
  });
  expect(byName['complete_task']).toMatchObject({
    properties: { task_id: { type: 'integer' } },
    required: ['task_id'],
  });
  expect(byName['update_task']).toMatchObject({ required: ['task_id'] });
});

it("manages the token holder's tasks through every tool", async () => {
  const ada = await signUp(ctx.app);
  const client = await connect(ada.token);

  const added = await call(client, 'add_task', { title: 'buy milk', description: '2 litres' });
  const [task] = await tasksOf(ada);
  expect(task).toMatchObject({ title: 'buy milk', description: '2 litres', completed: false });
  expect(added).toMatchObject({
    isError: false,
    text: `✅ Added task #${task.id}: buy milk — 2 litres`,
  });
  expect(added.result.structuredContent).toEqual({ task });

  const listed = await call(client, 'list_tasks', { status: 'pending' });
  expect(listed.text).toBe(`📋 You have 1 pending task:\n⬜ #${task.id} buy milk — 2 litres`);

  await call(client, 'update_task', { task_id: task.id, title: 'buy oat milk' });
  expect((await call(client, 'complete_task', { task_id: task.id })).text).toBe(
    `✅ Marked task #${task.id} as complete: buy oat milk`,
  );
  expect(await tasksOf(ada)).toMatchObject([
    { id: task.id, title: 'buy oat milk', completed: true },
  ]);

  expect((await call(client, 'delete_task', { task_id: task.id })).text).toBe(
    `🗑️ Deleted task #${task.id}: buy oat milk`,
  );
  expect(await tasksOf(ada)).toEqual([]);
});

it("cannot reach another user's tasks: the token decides whose tasks these are", async () => {
  const ada = await signUp(ctx.app);
  const bob = await signUp(ctx.app);
  const bobs = await connect(bob.token);
  await call(bobs, 'add_task', { title: 'plan the surprise party' });
  const [secret] = await tasksOf(bob);
  const adas = await connect(ada.token);

  const listed = await call(adas, 'list_tasks', {});
  const deleted = await call(adas, 'delete_task', { task_id: secret.id });
  const completed = await call(adas, 'complete_task', { task_id: secret.id });

  expect(listed.text).not.toContain('surprise');
  expect(deleted).toMatchObject({
    isError: true,
    text: expect.stringContaining(`couldn't find task #${secret.id}`),
  });
  expect(completed.isError).toBe(true);
  expect(await tasksOf(bob)).toMatchObject([{ id: secret.id, completed: false }]);
});

it('answers bad arguments with a tool error naming the field, and changes nothing', async () => {
  const ada = await signUp(ctx.app);
  const client = await connect(ada.token);

  const empty = await call(client, 'add_task', { title: '' });
  const notANumber = await call(client, 'complete_task', { task_id: 'three' });
  const nothingToChange = await call(client, 'update_task', { task_id: 1 });

  expect(empty).toMatchObject({ isError: true, text: expect.stringMatching(/title/) });
  expect(empty.text).toContain('1-200 characters');
  expect(notANumber).toMatchObject({ isError: true, text: expect.stringContaining('task_id') });
  expect(nothingToChange).toMatchObject({
    isError: true,
    text: expect.stringContaining('a new title or a new description'),
  });
  expect(await tasksOf(ada)).toEqual([]);
});

it('answers GET and DELETE with 405: the endpoint is stateless, so there is no session stream to open or end', async () => {
  const ada = await signUp(ctx.app);
  for (const method of ['GET', 'DELETE']) {
    const response = await fetch(new URL('/mcp', baseUrl), {
      method,
      headers: { authorization: `Bearer ${ada.token}`, accept: 'text/event-stream' },
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  }
});

describe('authentication', () => {
  const listTools = (headers: Record<string, string> = {}) =>
    fetch(new URL('/mcp', baseUrl), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...headers,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });

  it('refuses a client without a token with 401 and a Bearer challenge', async () => {
    const error = await connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamableHTTPError);
    expect((error as StreamableHTTPError).code).toBe(401);

    const raw = await listTools();
    expect(raw.status).toBe(401);
    expect(raw.headers.get('www-authenticate')).toBe('Bearer');
    expect(await raw.json()).toEqual({ detail: 'Not authenticated' });
  });

  it('refuses a forged token with 401', async () => {
    const ada = await signUp(ctx.app);
    const forged = `${ada.token.slice(0, -4)}AAAA`;
    const error = await connect(forged).catch((e: unknown) => e);
    expect((error as StreamableHTTPError).code).toBe(401);

    const raw = await listTools({ authorization: `Bearer ${forged}` });
    expect(raw.status).toBe(401);
    expect(raw.headers.get('www-authenticate')).toBe('Bearer');
  });
});

describe('Origin, as the Streamable HTTP transport requires', () => {
  const listTools = (origin: string | undefined, token: string, url = baseUrl) =>
    fetch(new URL('/mcp', url), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${token}`,
        ...(origin === undefined ? {} : { origin }),
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });

  it('refuses a page on another origin with 403, even with a valid token', async () => {
    const ada = await signUp(ctx.app);
    const response = await listTools('https://evil.example', ada.token);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      jsonrpc: '2.0',
      error: {
        code: -32000,
        message: 'Forbidden: the origin https://evil.example may not call this endpoint.',
      },
      id: null,
    });
    const stream = await fetch(new URL('/mcp', baseUrl), {
      headers: { origin: 'http://attacker.localhost.example:8080' },
    });
    expect(stream.status).toBe(403);
  });

  it("lets the frontend's origin, pages on localhost and clients with no Origin in", async () => {
    const ada = await signUp(ctx.app);
    for (const origin of [
      'http://localhost:3000', // BACKEND_CORS_ORIGINS' default
      'http://127.0.0.1:6274', // an MCP inspector on this machine
      'http://localhost:5173',
      undefined,
    ]) {
      const response = await listTools(origin, ada.token);
      expect([origin, response.status]).toEqual([origin, 200]);
    }
  });

  it('lets the origins of MCP_ALLOWED_ORIGINS in', async () => {
    const logs = new LogCapture();
    const app = await buildApp({
      config: testConfig({ MCP_ALLOWED_ORIGINS: 'https://tools.example.com' }),
      database: ctx.database,
      logger: createLogger('info', logs),
    });
    try {
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      const ada = await signUp(app);
      expect((await listTools('https://tools.example.com', ada.token, url)).status).toBe(200);
      expect((await listTools('https://other.example.com', ada.token, url)).status).toBe(403);
    } finally {
      await app.close();
    }
  });

  it('answers with the API headers, and the tasks it carries are never cached', async () => {
    const ada = await signUp(ctx.app);
    const response = await listTools('http://localhost:3000', ada.token);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
  });
});
