import type { FastifyInstance } from 'fastify';
import {
  buildApp,
  createLogger,
  LogCapture,
  signUp,
  startFakeOpenAIServer,
  testConfig,
  toolCallsReply,
  type FakeOpenAIServer,
  type SignedIn,
} from './support/backend';
import { LOAD_TEST_LIMITS, rowCounts, useReliabilityApp } from './support/harness';

// The model endpoint misbehaves in every way a real one can (stuck, 5xx, 429, an HTML error
// page from a proxy, truncated or wrongly shaped JSON, tool calls with garbage arguments). The
// user must get a friendly sentence (200), the failure must be logged as an error without the
// API key, and no task may change.
//
// A hosted model cannot be reached from CI, so a local server speaking the OpenAI
// chat-completions wire format stands in (apps/backend/test/support/fake-openai-server.ts).

const ctx = useReliabilityApp();
let model: FakeOpenAIServer;
let app: FastifyInstance;
const logs = new LogCapture();
let me: SignedIn;
let tasksBefore: string;

beforeAll(async () => {
  model = await startFakeOpenAIServer();
  app = await buildApp({
    config: testConfig({
      ...LOAD_TEST_LIMITS,
      OPENAI_API_KEY: model.apiKey,
      OPENAI_BASE_URL: model.baseURL,
      // The smallest the configuration allows, so a stuck model costs seconds, not minutes.
      OPENAI_TIMEOUT_MS: '1000',
    }),
    database: ctx.database,
    logger: createLogger('info', logs),
  });
  me = await signUp(app);
  await app.inject({
    method: 'POST',
    url: `/api/${me.user.id}/tasks`,
    headers: me.headers,
    payload: { title: 'existing task', description: 'must not change' },
  });
  tasksBefore = await tasks();
});

afterAll(async () => {
  await app?.close();
  await model?.close();
});

async function tasks(): Promise<string> {
  const response = await app.inject({
    method: 'GET',
    url: `/api/${me.user.id}/tasks`,
    headers: me.headers,
  });
  return response.body;
}

const html502 = '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>';
const FAULTS: [string, () => void][] = [
  ['never answers (timeout)', () => model.enqueue({ kind: 'hang' }, { kind: 'hang' })],
  [
    'answers 500',
    () =>
      model.enqueue(
        ...Array.from({ length: 2 }, () => ({
          kind: 'raw' as const,
          status: 500,
          body: '{"error":{"message":"The server had an error","type":"server_error"}}',
        })),
      ),
  ],
  [
    'answers 429 (quota)',
    () =>
      model.enqueue(
        ...Array.from({ length: 2 }, () => ({
          kind: 'raw' as const,
          status: 429,
          body: '{"error":{"message":"Rate limit reached","type":"requests"}}',
        })),
      ),
  ],
  [
    'answers an HTML error page',
    () =>
      model.enqueue(
        ...Array.from({ length: 2 }, () => ({
          kind: 'raw' as const,
          status: 502,
          body: html502,
          contentType: 'text/html',
        })),
      ),
  ],
  [
    'answers truncated JSON',
    () => model.enqueue({ kind: 'raw', status: 200, body: '{"id":"chatcmpl-1","choices":[{"mess' }),
  ],
  [
    'answers JSON of the wrong shape',
    () => model.enqueue({ kind: 'raw', status: 200, body: '{"choices":"none","hello":[1,2]}' }),
  ],
  ['answers an empty body', () => model.enqueue({ kind: 'raw', status: 200, body: '' })],
  [
    'asks for tools with garbage arguments, then stops answering',
    () =>
      model.enqueue(
        toolCallsReply(
          { name: 'delete_task', arguments: '{"task_id": ' },
          { name: 'complete_task', arguments: { task_id: 'all of them' } },
          { name: 'drop_database', arguments: {} },
        ),
        { kind: 'hang' },
        { kind: 'hang' },
      ),
  ],
];

it.each(FAULTS)(
  'when the model %s: a friendly reply, a logged error, tasks unchanged',
  async (_fault, script) => {
    model.reset();
    script();
    const errorsBefore = logs.entries().filter((entry) => entry['level'] === 50).length;
    const before = await rowCounts(ctx.database);

    const response = await app.inject({
      method: 'POST',
      url: `/api/${me.user.id}/chat`,
      headers: me.headers,
      payload: { message: 'please tidy up my tasks' },
    });

    expect(response.statusCode).toBe(200);
    const reply = response.json().response as string;
    expect(reply.length).toBeGreaterThan(10);
    expect(reply).not.toMatch(/error:|exception|stack|<html|undefined|\bat \S+:\d+/i);
    expect(response.body).not.toContain(model.apiKey);

    const errors = logs.entries().filter((entry) => entry['level'] === 50);
    expect(errors.length).toBeGreaterThan(errorsBefore);
    expect(logs.text).not.toContain(model.apiKey);

    expect(await tasks()).toBe(tasksBefore);
    // Only the exchange itself is stored (the question and the friendly answer).
    const after = await rowCounts(ctx.database);
    expect({ ...after, messages: after.messages - 2 }).toEqual({
      ...before,
      conversations: after.conversations,
    });
  },
);
