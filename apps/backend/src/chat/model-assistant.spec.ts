/**
 * The model path of the chat assistant, end to end through HTTP and the database.
 *
 * A hosted model (OpenAI, OpenRouter) cannot be reached from the build machine, so these tests
 * point OPENAI_BASE_URL at a local OpenAI-compatible server (test/support/fake-openai-server.ts)
 * that replays tool-call answers in the documented chat-completions format. Everything on our
 * side is real: the `openai` SDK, the tool loop, the tools and PGlite/PostgreSQL.
 */
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Task } from '@todo/api-contract';
import { buildApp } from '../app';
import type { DatabaseHandle } from '../db/client';
import { messages } from '../db/schema';
import { createLogger } from '../logger';
import { LogCapture, signUp, testConfig, type SignedIn } from '../../test/support/app';
import { openTestDatabase, truncateAll } from '../../test/support/database';
import {
  startFakeOpenAIServer,
  textReply,
  toolCallsReply,
  toolResults,
  type FakeOpenAIServer,
  type ReceivedRequest,
} from '../../test/support/fake-openai-server';
import { MAX_MODEL_ROUNDS, MODEL_UNAVAILABLE } from './model-assistant';

let fake: FakeOpenAIServer;
let database: DatabaseHandle;
let logs: LogCapture;
let app: FastifyInstance;

async function appWithKey(
  apiKey: string,
  capture: LogCapture,
  keyVariable: 'OPENAI_API_KEY' | 'OPENROUTER_API_KEY' = 'OPENAI_API_KEY',
): Promise<FastifyInstance> {
  const built = await buildApp({
    config: testConfig({
      [keyVariable]: apiKey,
      OPENAI_BASE_URL: fake.baseURL,
      OPENAI_MODEL: 'gpt-4o-mini',
      OPENAI_TIMEOUT_MS: '1000',
    }),
    database,
    logger: createLogger('info', capture),
  });
  await built.ready();
  return built;
}

beforeAll(async () => {
  fake = await startFakeOpenAIServer();
  database = await openTestDatabase();
  logs = new LogCapture();
  app = await appWithKey(fake.apiKey, logs);
});

afterAll(async () => {
  await app?.close();
  await database?.close();
  await fake?.close();
});

beforeEach(async () => {
  await truncateAll(database);
  fake.reset();
  logs.lines.length = 0;
});

afterEach(() => {
  // Every scripted model answer was asked for: the loop made exactly the requests expected.
  expect(fake.pending()).toBe(0);
});

async function chat(user: SignedIn, message: string, on: FastifyInstance = app) {
  const response = await on.inject({
    method: 'POST',
    url: `/api/${user.user.id}/chat`,
    headers: user.headers,
    payload: { message },
  });
  expect(response.statusCode).toBe(200);
  return response.json() as { conversation_id: string; response: string; tool_calls: string[] };
}

async function tasksOf(user: SignedIn): Promise<Task[]> {
  const response = await app.inject({
    method: 'GET',
    url: `/api/${user.user.id}/tasks`,
    headers: user.headers,
  });
  return (response.json() as { tasks: Task[] }).tasks;
}

async function addTask(user: SignedIn, title: string): Promise<Task> {
  const response = await app.inject({
    method: 'POST',
    url: `/api/${user.user.id}/tasks`,
    headers: user.headers,
    payload: { title },
  });
  return response.json() as Task;
}

/** The tool result the backend sent back for the model's last tool call. */
function lastToolResult(request: ReceivedRequest) {
  const results = toolResults(request);
  return results[results.length - 1].content as {
    ok: boolean;
    message: string;
    task?: Task;
    tasks?: Task[];
  };
}

it('runs the tool the model asks for, sends the result back, and answers with the model’s words', async () => {
  const ada = await signUp(app);
  fake.enqueue(
    toolCallsReply({ name: 'add_task', arguments: { title: 'buy milk', description: '2 litres' } }),
    (request) =>
      textReply(`Done! I added "buy milk" as task #${lastToolResult(request).task?.id}.`),
  );

  const answer = await chat(ada, 'I need to get 2 litres of milk');

  const [task] = await tasksOf(ada);
  expect(task).toMatchObject({ title: 'buy milk', description: '2 litres', completed: false });
  expect(answer).toEqual({
    conversation_id: `user_${ada.user.id}`,
    response: `Done! I added "buy milk" as task #${task.id}.`,
    tool_calls: ['add_task'],
  });

  const [first, second] = fake.requests;
  expect(first.authorization).toBe(`Bearer ${fake.apiKey}`);
  expect(first.body.model).toBe('gpt-4o-mini');
  expect(first.body.tools?.map((tool) => tool.function.name)).toEqual([
    'add_task',
    'list_tasks',
    'complete_task',
    'delete_task',
    'update_task',
  ]);
  expect(first.body.messages.at(-1)).toEqual({
    role: 'user',
    content: 'I need to get 2 litres of milk',
  });
  const call = second.body.messages.find((message) => message.role === 'assistant')
    ?.tool_calls?.[0];
  expect(toolResults(second)).toEqual([
    {
      tool_call_id: call?.id,
      content: expect.objectContaining({
        ok: true,
        message: `✅ Added task #${task.id}: buy milk — 2 litres`,
      }),
    },
  ]);

  // The exchange is stored, with the tools that ran.
  const stored = await database.db.select().from(messages).where(eq(messages.user_id, ada.user.id));
  expect(stored.map((row) => [row.role, row.content])).toEqual([
    ['user', 'I need to get 2 litres of milk'],
    ['assistant', answer.response],
  ]);
  expect(stored[1].tool_calls).toEqual([
    { name: 'add_task', arguments: { title: 'buy milk', description: '2 litres' }, ok: true },
  ]);
});

it('loops through several tool calls: finds a task by title, then completes it', async () => {
  const ada = await signUp(app);
  const milk = await addTask(ada, 'buy milk');
  const mom = await addTask(ada, 'call mom');
  fake.enqueue(
    toolCallsReply({ name: 'list_tasks', arguments: { status: 'pending' } }),
    (request) => {
      const found = lastToolResult(request).tasks?.find((t) => t.title === 'buy milk');
      return toolCallsReply({ name: 'complete_task', arguments: { task_id: found?.id } });
    },
    textReply('Nice work — "buy milk" is done ✅'),
  );

  const answer = await chat(ada, 'I bought the milk');

  expect(answer.tool_calls).toEqual(['list_tasks', 'complete_task']);
  expect(answer.response).toBe('Nice work — "buy milk" is done ✅');
  const after = await tasksOf(ada);
  expect(after.find((t) => t.id === milk.id)?.completed).toBe(true);
  expect(after.find((t) => t.id === mom.id)?.completed).toBe(false);
});

it("keeps the model away from another user's tasks", async () => {
  const ada = await signUp(app);
  const bob = await signUp(app);
  const secret = await addTask(bob, 'plan the surprise party');
  fake.enqueue(
    toolCallsReply({ name: 'delete_task', arguments: { task_id: secret.id } }),
    (request) => textReply(lastToolResult(request).message),
  );

  const answer = await chat(ada, `delete task ${secret.id}`);

  expect(answer.response).toBe(
    `❓ I couldn't find task #${secret.id}. Say "show my tasks" to see your tasks and their numbers.`,
  );
  expect(await tasksOf(bob)).toMatchObject([{ id: secret.id, title: 'plan the surprise party' }]);
});

it('turns malformed or invalid tool arguments into tool errors the model can read, changing nothing', async () => {
  const ada = await signUp(app);
  fake.enqueue(
    toolCallsReply(
      { name: 'add_task', arguments: '{"title": "buy mi' },
      { name: 'add_task', arguments: { title: '' } },
      { name: 'launch_rockets', arguments: {} },
    ),
    textReply('Sorry, something went wrong adding that.'),
  );

  const answer = await chat(ada, 'add milk');

  expect(answer).toMatchObject({
    response: 'Sorry, something went wrong adding that.',
    tool_calls: ['add_task', 'add_task', 'launch_rockets'],
  });
  expect(toolResults(fake.requests[1]).map((result) => result.content)).toEqual([
    { ok: false, message: 'The arguments were not valid JSON; send a JSON object.' },
    { ok: false, message: "⚠️ I couldn't add that task: title must be 1-200 characters." },
    expect.objectContaining({
      ok: false,
      message: expect.stringContaining('I don\'t have a tool called "launch_rockets"'),
    }),
  ]);
  expect(await tasksOf(ada)).toEqual([]);
});

it('sends the earlier conversation along as context', async () => {
  const ada = await signUp(app);
  fake.enqueue(
    textReply('Hi Ada! How can I help with your tasks?'),
    textReply('You asked me to say hi.'),
  );

  await chat(ada, 'hi');
  await chat(ada, 'what did I just say?');

  expect(fake.requests[1].body.messages.slice(1)).toEqual([
    { role: 'user', content: 'hi' },
    { role: 'assistant', content: 'Hi Ada! How can I help with your tasks?' },
    { role: 'user', content: 'what did I just say?' },
  ]);
});

it('accepts OPENROUTER_API_KEY as the model key', async () => {
  const viaOpenRouter = await appWithKey(fake.apiKey, new LogCapture(), 'OPENROUTER_API_KEY');
  try {
    const ada = await signUp(viaOpenRouter);
    fake.enqueue(
      toolCallsReply({ name: 'add_task', arguments: { title: 'try OpenRouter' } }),
      textReply('Added.'),
    );

    const answer = await chat(ada, 'add try OpenRouter', viaOpenRouter);

    expect(answer).toMatchObject({ response: 'Added.', tool_calls: ['add_task'] });
    expect(fake.requests[0].authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(await tasksOf(ada)).toMatchObject([{ title: 'try OpenRouter' }]);
  } finally {
    await viaOpenRouter.close();
  }
});

describe('when the model misbehaves', () => {
  it('answers kindly when the model times out, logs it, and leaves the tasks as they were', async () => {
    const ada = await signUp(app);
    const milk = await addTask(ada, 'buy milk');
    // The SDK retries a timed-out request once (maxRetries: 1), so both attempts hang.
    fake.enqueue({ kind: 'hang' }, { kind: 'hang' });

    const answer = await chat(ada, 'complete buy milk');

    expect(answer).toEqual({
      conversation_id: `user_${ada.user.id}`,
      response: MODEL_UNAVAILABLE,
      tool_calls: [],
    });
    expect(await tasksOf(ada)).toEqual([milk]);
    const failure = logs.entries().find((entry) => entry['msg'] === 'chat model request failed');
    // (Under Jest the SDK reports the abort as a connection error rather than a timeout: the
    // AbortError comes from another realm. The user-visible behaviour is the same.)
    expect(failure).toMatchObject({
      level: 50,
      error: { kind: expect.stringMatching(/^(timeout|connection)$/) },
    });
  });

  it.each([
    [
      'an HTML page instead of JSON',
      { kind: 'raw', status: 200, body: '<html>502 Bad Gateway</html>', contentType: 'text/html' },
      'unreadable_answer',
    ],
    [
      'JSON without choices',
      { kind: 'raw', status: 200, body: '{"object":"chat.completion","choices":[]}' },
      'unreadable_answer',
    ],
    [
      'a truncated JSON body',
      { kind: 'raw', status: 200, body: '{"choices":[{"message":' },
      'unreadable_answer',
    ],
    [
      'a 400 error',
      {
        kind: 'raw',
        status: 400,
        body: '{"error":{"message":"bad request","type":"invalid_request_error"}}',
      },
      'http',
    ],
  ] as const)('answers kindly when the model sends %s', async (_name, reply, failureKind) => {
    const ada = await signUp(app);
    fake.enqueue(reply);

    const answer = await chat(ada, 'show my tasks');

    expect(answer.response).toBe(MODEL_UNAVAILABLE);
    expect(answer.tool_calls).toEqual([]);
    const failure = logs.entries().find((entry) => entry['msg'] === 'chat model request failed');
    expect(failure).toMatchObject({ level: 50, error: { kind: failureKind } });
  });

  it('reports what already ran when the model fails halfway', async () => {
    const ada = await signUp(app);
    fake.enqueue(toolCallsReply({ name: 'add_task', arguments: { title: 'buy milk' } }), {
      kind: 'raw',
      status: 400,
      body: '{"error":{"message":"context length exceeded","type":"invalid_request_error"}}',
    });

    const answer = await chat(ada, 'add buy milk');

    expect(answer.tool_calls).toEqual(['add_task']);
    expect(answer.response).toBe(`${MODEL_UNAVAILABLE} (Already done: add_task.)`);
    expect(await tasksOf(ada)).toHaveLength(1);
  });

  it(`stops after ${MAX_MODEL_ROUNDS} rounds when the model keeps calling tools`, async () => {
    const ada = await signUp(app);
    for (let i = 0; i < MAX_MODEL_ROUNDS; i++) {
      fake.enqueue(toolCallsReply({ name: 'list_tasks', arguments: { status: 'all' } }));
    }

    const answer = await chat(ada, 'show my tasks forever');

    expect(fake.requests).toHaveLength(MAX_MODEL_ROUNDS);
    expect(answer.tool_calls).toEqual(Array(MAX_MODEL_ROUNDS).fill('list_tasks'));
    expect(answer.response).toContain('took more steps than I can take for one message');
  });

  it('never logs the API key, even when the provider echoes it back', async () => {
    const wrongKey = 'sk-proj-wrongKey0123456789abcdefXYZ';
    const capture = new LogCapture();
    const misconfigured = await appWithKey(wrongKey, capture);
    try {
      const ada = await signUp(misconfigured);

      const answer = await chat(ada, 'show my tasks', misconfigured);

      expect(answer.response).toBe(MODEL_UNAVAILABLE);
      const failure = capture
        .entries()
        .find((entry) => entry['msg'] === 'chat model request failed');
      expect(failure).toMatchObject({ error: { kind: 'http', status: 401 } });
      expect(capture.text).not.toContain(wrongKey);
      expect(capture.text).not.toContain(wrongKey.slice(0, 8));
      expect(capture.text).not.toContain(wrongKey.slice(-4));
    } finally {
      await misconfigured.close();
    }
  });
});
