import { SignJWT } from 'jose';
import { sql } from 'drizzle-orm';
import {
  buildApp,
  createLogger,
  LogCapture,
  signUp,
  startFakeOpenAIServer,
  testConfig,
  TEST_JWT_SECRET,
  toolCallsReply,
  textReply,
  type FakeOpenAIServer,
  type SignedIn,
} from './support/backend';
import { useReliabilityApp } from './support/harness';
import { AUTHENTICATED_ROUTES, pathOf, validBody } from './support/routes';

// Every authenticated route (and /mcp) × every kind of bad credential gives the documented
// status, and no answer — error, chat reply or MCP tool result — carries another user's data.

const ctx = useReliabilityApp();
const SECRET_MARKER = 'alice-private-7f3a9c';
const key = (secret: string) => new TextEncoder().encode(secret);

let alice: SignedIn;
let mallory: SignedIn;
let ghost: SignedIn;
let aliceTaskIds: number[];
let aliceSnapshot: string;

async function aliceTasks(): Promise<string> {
  const response = await ctx.app.inject({
    method: 'GET',
    url: `/api/${alice.user.id}/tasks`,
    headers: alice.headers,
  });
  expect(response.statusCode).toBe(200);
  return response.body;
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

interface Credential {
  name: string;
  /** The Authorization header, or none. */
  header: () => Promise<string | undefined>;
  /** Whose id goes in the path. */
  pathUser: () => string;
  status: 401 | 404;
}

const now = () => Math.floor(Date.now() / 1000);

const CREDENTIALS: Credential[] = [
  { name: 'no token', header: async () => undefined, pathUser: () => alice.user.id, status: 401 },
  {
    name: 'a malformed token',
    header: async () => 'Bearer not.a.jwt',
    pathUser: () => alice.user.id,
    status: 401,
  },
  {
    name: 'a token signed with another key',
    header: async () =>
      `Bearer ${await new SignJWT({ email: alice.user.email })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(alice.user.id)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(key('another-secret-key-that-is-also-32-characters'))}`,
    pathUser: () => alice.user.id,
    status: 401,
  },
  {
    name: 'an unsigned alg:none token',
    header: async () =>
      `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({
        sub: alice.user.id,
        email: alice.user.email,
        iat: now(),
        exp: now() + 3600,
      })}.`,
    pathUser: () => alice.user.id,
    status: 401,
  },
  {
    name: 'a token with the right key but another algorithm (HS512)',
    header: async () =>
      `Bearer ${await new SignJWT({ email: alice.user.email })
        .setProtectedHeader({ alg: 'HS512', typ: 'JWT' })
        .setSubject(alice.user.id)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(key(TEST_JWT_SECRET))}`,
    pathUser: () => alice.user.id,
    status: 401,
  },
  {
    name: 'an expired token',
    header: async () =>
      `Bearer ${await new SignJWT({ email: alice.user.email })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(alice.user.id)
        .setIssuedAt(now() - 7200)
        .setExpirationTime(now() - 60)
        .sign(key(TEST_JWT_SECRET))}`,
    pathUser: () => alice.user.id,
    status: 401,
  },
  {
    name: "another user's valid token",
    header: async () => mallory.headers.authorization,
    pathUser: () => alice.user.id,
    status: 404,
  },
  {
    name: 'the valid token of a deleted user',
    header: async () => ghost.headers.authorization,
    pathUser: () => ghost.user.id,
    status: 401,
  },
];

beforeAll(async () => {
  alice = await signUp(ctx.app, { name: `Alice ${SECRET_MARKER}` });
  mallory = await signUp(ctx.app, { name: 'Mallory' });
  ghost = await signUp(ctx.app, { name: 'Ghost' });
  aliceTaskIds = [];
  for (const title of [`${SECRET_MARKER} salary review`, `${SECRET_MARKER} doctor`]) {
    const created = await ctx.app.inject({
      method: 'POST',
      url: `/api/${alice.user.id}/tasks`,
      headers: alice.headers,
      payload: { title, description: `${SECRET_MARKER} details` },
    });
    aliceTaskIds.push(created.json().id);
  }
  const chat = await ctx.app.inject({
    method: 'POST',
    url: `/api/${alice.user.id}/chat`,
    headers: alice.headers,
    payload: { message: `add task ${SECRET_MARKER} in chat` },
  });
  expect(chat.statusCode).toBe(200);
  aliceSnapshot = await aliceTasks();
  // A deleted account: its tokens stay well-signed and unexpired, the user row is gone.
  await ctx.database.db.execute(sql`DELETE FROM users WHERE id = ${ghost.user.id}`);
});

function leaks(body: string): boolean {
  return body.includes(SECRET_MARKER) || body.includes(alice.user.email);
}

describe.each(CREDENTIALS.map((credential) => [credential.name, credential] as const))(
  'with %s',
  (_name, credential) => {
    it.each(
      AUTHENTICATED_ROUTES.map((route) => [`${route.method} ${route.template}`, route] as const),
    )(`%s answers ${credential.status} and reveals nothing`, async (_route, route) => {
      const header = await credential.header();
      const response = await ctx.app.inject({
        method: route.method,
        url: pathOf(route, credential.pathUser(), aliceTaskIds[0]),
        headers: header ? { authorization: header } : {},
        ...(route.body ? { payload: validBody(route.body) as object } : {}),
      });
      expect(response.statusCode).toBe(credential.status);
      expect(response.json().detail).toEqual(expect.any(String));
      if (credential.status === 401) expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(leaks(response.body)).toBe(false);
    });

    if (credential.status === 401) {
      it('POST /mcp answers 401 and reveals nothing', async () => {
        const header = await credential.header();
        const response = await ctx.app.inject({
          method: 'POST',
          url: '/mcp',
          headers: {
            ...(header ? { authorization: header } : {}),
            accept: 'application/json, text/event-stream',
          },
          payload: {
            jsonrpc: '2.0',
            id: 1,
            method: 'tools/call',
            params: { name: 'list_tasks', arguments: { status: 'all' } },
          },
        });
        expect(response.statusCode).toBe(401);
        expect(leaks(response.body)).toBe(false);
      });
    }
  },
);

describe("a signed-in user aiming at another user's task ids through their own paths", () => {
  const byId = AUTHENTICATED_ROUTES.filter((route) => route.template.includes('{task_id}'));

  it.each(byId.map((route) => [`${route.method} ${route.template}`, route] as const))(
    '%s answers 404 Task not found',
    async (_name, route) => {
      for (const id of aliceTaskIds) {
        const response = await ctx.app.inject({
          method: route.method,
          url: pathOf(route, mallory.user.id, id),
          headers: mallory.headers,
          ...(route.body ? { payload: validBody(route.body) as object } : {}),
        });
        expect(response.statusCode).toBe(404);
        expect(response.json()).toEqual({ detail: 'Task not found' });
      }
    },
  );

  it("MCP tools never show or change another user's tasks", async () => {
    const call = async (name: string, args: object) => {
      const response = await ctx.app.inject({
        method: 'POST',
        url: '/mcp',
        headers: { ...mallory.headers, accept: 'application/json, text/event-stream' },
        payload: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } },
      });
      expect(response.statusCode).toBe(200);
      expect(leaks(response.body)).toBe(false);
      return response.json().result as { isError?: boolean };
    };
    expect((await call('list_tasks', { status: 'all' })).isError).toBeFalsy();
    for (const id of aliceTaskIds) {
      expect((await call('complete_task', { task_id: id })).isError).toBe(true);
      expect((await call('update_task', { task_id: id, title: 'pwned' })).isError).toBe(true);
      expect((await call('delete_task', { task_id: id })).isError).toBe(true);
    }
    expect(await aliceTasks()).toBe(aliceSnapshot);
  });

  it("the built-in chat assistant never shows or changes another user's tasks", async () => {
    const messages = [
      'show my tasks',
      'list all tasks',
      ...aliceTaskIds.flatMap((id) => [
        `complete task ${id}`,
        `delete task ${id}`,
        `update task ${id} to pwned`,
      ]),
    ];
    for (const message of messages) {
      const response = await ctx.app.inject({
        method: 'POST',
        url: `/api/${mallory.user.id}/chat`,
        headers: mallory.headers,
        payload: { message },
      });
      expect(response.statusCode).toBe(200);
      expect(leaks(response.body)).toBe(false);
    }
    const history = await ctx.app.inject({
      method: 'GET',
      url: `/api/${mallory.user.id}/conversations/history`,
      headers: mallory.headers,
    });
    expect(leaks(history.body)).toBe(false);
    expect(await aliceTasks()).toBe(aliceSnapshot);
  });
});

describe('the model-backed chat assistant', () => {
  // A hosted model cannot be reached from CI: a local server speaking the OpenAI
  // chat-completions wire format stands in (apps/backend/test/support/fake-openai-server.ts).
  let model: FakeOpenAIServer;

  beforeAll(async () => {
    model = await startFakeOpenAIServer();
  });
  afterAll(async () => {
    await model.close();
  });

  it("runs tools only for the caller: another user's ids fail and nothing of theirs reaches the model or the reply", async () => {
    // A second app, with the model configured, over the same database.
    const app = await buildApp({
      config: testConfig({ OPENAI_API_KEY: model.apiKey, OPENAI_BASE_URL: model.baseURL }),
      database: ctx.database,
      logger: createLogger('info', new LogCapture()),
    });
    try {
      const [first, second] = aliceTaskIds;
      model.enqueue(
        toolCallsReply(
          { name: 'list_tasks', arguments: { status: 'all' } },
          { name: 'complete_task', arguments: { task_id: first } },
          { name: 'delete_task', arguments: { task_id: second } },
          { name: 'update_task', arguments: { task_id: first, title: 'pwned' } },
        ),
        textReply('Done.'),
      );
      const response = await app.inject({
        method: 'POST',
        url: `/api/${mallory.user.id}/chat`,
        headers: mallory.headers,
        payload: { message: 'do things to tasks 1 and 2' },
      });
      expect(response.statusCode).toBe(200);
      expect(leaks(response.body)).toBe(false);
      // What the backend sent the model (tool results included) holds nothing of Alice's.
      expect(model.requests.length).toBe(2);
      expect(leaks(JSON.stringify(model.requests))).toBe(false);
      expect(await aliceTasks()).toBe(aliceSnapshot);
    } finally {
      await app.close();
    }
  });
});

it("leaves Alice's tasks exactly as they were after everything above", async () => {
  expect(await aliceTasks()).toBe(aliceSnapshot);
  expect(aliceSnapshot).toContain(SECRET_MARKER);
});
