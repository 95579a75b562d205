import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { signUp, type SignedIn } from './support/backend';
import {
  describeAnswer,
  errorContractViolation,
  rowCounts,
  useReliabilityApp,
} from './support/harness';

// Input that is well-formed JSON of the right shape but unusual (control characters, NUL, lone
// surrogates, bidi overrides, emoji sequences), MCP messages, and raw bytes that are not HTTP.
// Such input may be accepted or refused, but never with a 5xx, never half-stored, and whatever
// was accepted reads back as sent.

const ctx = useReliabilityApp();
let me: SignedIn;

beforeAll(async () => {
  me = await signUp(ctx.app);
});

const awkward = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
  fc.constantFrom(
    'nul\u0000inside',
    '\u0000',
    'lone \ud800 surrogate',
    'reversed \udc00\ud800 pair',
    '\u202eevil.exe\u202c',
    'zero\u200bwidth\u200d',
    '👩‍👩‍👧‍👦 family',
    'e\u0301\u0301\u0301 combining',
    '\t\ttabs\r\n',
    '🙂'.repeat(100),
    "'; DROP TABLE tasks; --",
    '$1 $2 ${title} %s %n {{7*7}}',
  ),
);

it('stores unusual but well-formed text exactly, or refuses it with a 4xx', async () => {
  const before = await rowCounts(ctx.database);
  let stored = 0;
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(
      awkward,
      fc.option(awkward, { nil: undefined }),
      async (title, description) => {
        const response = await ctx.app.inject({
          method: 'POST',
          url: `/api/${me.user.id}/tasks`,
          headers: me.headers,
          payload: { title, ...(description === undefined ? {} : { description }) },
        });
        if (response.statusCode === 201) {
          stored += 1;
          const task = response.json();
          const again = await ctx.app.inject({
            method: 'GET',
            url: `/api/${me.user.id}/tasks/${task.id}`,
            headers: me.headers,
          });
          expect(again.statusCode).toBe(200);
          // JSON cannot carry a lone surrogate through UTF-8, so compare what UTF-8 keeps.
          const utf8 = (text: string) => Buffer.from(text, 'utf8').toString('utf8');
          expect(again.json().title).toBe(utf8(title).trim());
          expect(again.json().description).toBe(
            description === undefined ? null : utf8(description),
          );
          return;
        }
        refused += 1;
        const violation = errorContractViolation(response);
        if (violation)
          throw new Error(`${violation} for ${JSON.stringify({ title, description })}`);
      },
    ),
    { numRuns: 300 },
  );
  expect((await rowCounts(ctx.database)).tasks).toBe(before.tasks + stored);
  // Both paths ran: some unusual text was stored exactly, some refused with a 4xx.
  expect(stored).toBeGreaterThan(0);
  expect(refused).toBeGreaterThan(0);
});

describe('a NUL character, which PostgreSQL text columns cannot hold', () => {
  const nul = 'before\u0000after';
  const cases: [string, () => Promise<{ statusCode: number; body: string }>][] = [
    [
      'register name',
      () =>
        ctx.app.inject({
          method: 'POST',
          url: '/api/auth/register',
          payload: { name: nul, email: 'nul-name@example.com', password: 'long-enough-1' },
        }),
    ],
    [
      'task title',
      () =>
        ctx.app.inject({
          method: 'POST',
          url: `/api/${me.user.id}/tasks`,
          headers: me.headers,
          payload: { title: nul },
        }),
    ],
    [
      'task description',
      () =>
        ctx.app.inject({
          method: 'POST',
          url: `/api/${me.user.id}/tasks`,
          headers: me.headers,
          payload: { title: 'ok', description: nul },
        }),
    ],
    [
      'chat message',
      () =>
        ctx.app.inject({
          method: 'POST',
          url: `/api/${me.user.id}/chat`,
          headers: me.headers,
          payload: { message: `add task ${nul}` },
        }),
    ],
  ];

  it.each(cases)(
    'in a %s is stored or refused with a 4xx, never a 500',
    async (_field, request) => {
      const before = await rowCounts(ctx.database);
      const response = await request();
      expect(response.statusCode).toBeLessThan(500);
      if (response.statusCode >= 400) {
        expect(await rowCounts(ctx.database)).toEqual(before);
      }
    },
  );
});

it('answers every malformed or unknown MCP message without a 5xx, writing only what it reports', async () => {
  const tools = ['add_task', 'list_tasks', 'complete_task', 'delete_task', 'update_task', 'rm_rf'];
  const argument = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.record(
      {
        title: fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.constant(null)),
        task_id: fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.double()),
        status: fc.oneof(
          fc.constantFrom('all', 'pending', 'completed'),
          fc.string({ maxLength: 5 }),
        ),
        description: fc.oneof(fc.string({ maxLength: 30 }), fc.constant(null)),
      },
      { requiredKeys: [] },
    ),
  );
  const message = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.record(
      {
        jsonrpc: fc.oneof(fc.constant('2.0'), fc.string({ maxLength: 4 })),
        id: fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.constant(null)),
        method: fc.oneof(
          fc.constantFrom('tools/call', 'tools/list', 'initialize', 'ping', 'resources/list'),
          fc.string({ maxLength: 20 }),
        ),
        params: fc.oneof(
          fc.record({ name: fc.constantFrom(...tools), arguments: argument }),
          fc.jsonValue({ maxDepth: 2 }),
        ),
      },
      { requiredKeys: ['jsonrpc', 'method'] },
    ),
  );
  const tasksNow = async () =>
    (
      await ctx.app.inject({ method: 'GET', url: `/api/${me.user.id}/tasks`, headers: me.headers })
    ).json().tasks.length as number;
  const startCount = await tasksNow();
  let added = 0;
  let deleted = 0;
  await fc.assert(
    fc.asyncProperty(message, async (body) => {
      const response = await ctx.app.inject({
        method: 'POST',
        url: '/mcp',
        headers: {
          ...me.headers,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        payload: JSON.stringify(body),
      });
      if (response.statusCode >= 500) throw new Error(describeAnswer(response));
      if (response.statusCode >= 400) {
        const answer = response.json();
        const explained = answer.detail ?? answer.error?.message;
        if (typeof explained !== 'string' || !explained) throw new Error(describeAnswer(response));
      }
      const answer = response.body ? JSON.parse(response.body) : null;
      const call = body as { method?: string; params?: { name?: string } };
      if (answer?.result && call.method === 'tools/call' && answer.result.isError === false) {
        if (call.params?.name === 'add_task') added += 1;
        if (call.params?.name === 'delete_task') deleted += 1;
      }
    }),
    { numRuns: 400 },
  );
  expect(await tasksNow()).toBe(startCount + added - deleted);
});

it('survives bytes that are not HTTP at all, and keeps serving', async () => {
  const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = ctx.app.server.address() as AddressInfo;
  const garbage = fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 400 }).map((bytes) => Buffer.from(bytes)),
    fc
      .tuple(fc.constantFrom('GET', 'POST', 'BREW', 'G\u0000T', ''), fc.string({ maxLength: 40 }))
      .map(([method, target]) =>
        Buffer.from(`${method} ${target} HTTP/1.1\r\nHost: x\r\n\r\n`, 'latin1'),
      ),
    fc
      .string({ maxLength: 20 })
      .map((size) =>
        Buffer.from(
          `POST /api/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n${size}\r\n`,
          'latin1',
        ),
      ),
  );
  await fc.assert(
    fc.asyncProperty(garbage, async (bytes) => {
      const status = await new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
        let text = '';
        socket.setTimeout(2000, () => socket.destroy());
        socket.on('data', (chunk) => (text += chunk.toString('latin1')));
        socket.on('error', () => resolve(text.split('\r\n')[0] ?? ''));
        socket.on('close', () => resolve(text.split('\r\n')[0] ?? ''));
      });
      if (/^HTTP\/1\.[01] 5\d\d/.test(status)) throw new Error(`answered ${status}`);
    }),
    { numRuns: 200 },
  );
  const health = await fetch(`${address}/health`);
  expect(health.status).toBe(200);
});
