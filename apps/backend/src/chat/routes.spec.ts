import type { FastifyInstance } from 'fastify';
import type { Task } from '@todo/api-contract';
import { signUp, useTestApp, type SignedIn } from '../../test/support/app';

// No model key is configured here, so the built-in command interpreter answers.
const ctx = useTestApp();

async function chat(user: SignedIn, message: string) {
  const response = await ctx.app.inject({
    method: 'POST',
    url: `/api/${user.user.id}/chat`,
    headers: user.headers,
    payload: { message },
  });
  expect(response.statusCode).toBe(200);
  return response.json() as { conversation_id: string; response: string; tool_calls: string[] };
}

async function tasksOf(app: FastifyInstance, user: SignedIn): Promise<Task[]> {
  const response = await app.inject({
    method: 'GET',
    url: `/api/${user.user.id}/tasks`,
    headers: user.headers,
  });
  return (response.json() as { tasks: Task[] }).tasks;
}

describe('POST /api/{user_id}/chat without a model', () => {
  it('adds a task from plain English and reports the tool that ran', async () => {
    const ada = await signUp(ctx.app);

    const answer = await chat(ada, 'add a task to buy milk');

    const [task] = await tasksOf(ctx.app, ada);
    expect(task).toMatchObject({ title: 'buy milk', description: null, completed: false });
    expect(answer).toEqual({
      conversation_id: `user_${ada.user.id}`,
      response: `✅ Added task #${task.id}: buy milk`,
      tool_calls: ['add_task'],
    });
  });

  it('takes the text after a colon as the description', async () => {
    const ada = await signUp(ctx.app);
    await chat(ada, 'add buy milk: 2 litres');
    expect(await tasksOf(ctx.app, ada)).toMatchObject([
      { title: 'buy milk', description: '2 litres' },
    ]);
  });

  it('shows all, pending and completed tasks', async () => {
    const ada = await signUp(ctx.app);
    await chat(ada, 'add a task to buy milk');
    await chat(ada, 'add call mom');
    const [mom, milk] = await tasksOf(ctx.app, ada);
    await chat(ada, `complete task ${mom.id}`);

    expect((await chat(ada, 'show my tasks')).response).toBe(
      `📋 You have 2 tasks:\n✅ #${mom.id} call mom\n⬜ #${milk.id} buy milk`,
    );
    expect((await chat(ada, 'show pending tasks')).response).toBe(
      `📋 You have 1 pending task:\n⬜ #${milk.id} buy milk`,
    );
    const completed = await chat(ada, 'show completed tasks');
    expect(completed.response).toBe(`🎉 You have completed 1 task:\n✅ #${mom.id} call mom`);
    expect(completed.tool_calls).toEqual(['list_tasks']);
  });

  it('completes a task by number or by title', async () => {
    const ada = await signUp(ctx.app);
    await chat(ada, 'add buy milk');
    await chat(ada, 'add call mom');
    const [mom, milk] = await tasksOf(ctx.app, ada);

    expect(await chat(ada, `complete task ${mom.id}`)).toMatchObject({
      response: `✅ Marked task #${mom.id} as complete: call mom`,
      tool_calls: ['complete_task'],
    });
    expect((await chat(ada, 'mark buy milk as done')).response).toBe(
      `✅ Marked task #${milk.id} as complete: buy milk`,
    );
    expect((await tasksOf(ctx.app, ada)).map((t) => t.completed)).toEqual([true, true]);
  });

  it('asks which task is meant when a title matches several, and changes nothing', async () => {
    const ada = await signUp(ctx.app);
    await chat(ada, 'add buy milk');
    await chat(ada, 'add buy milk for grandma');

    const answer = await chat(ada, 'mark milk as done');

    expect(answer.tool_calls).toEqual([]);
    expect(answer.response).toContain('More than one task matches "milk"');
    expect((await tasksOf(ctx.app, ada)).every((t) => !t.completed)).toBe(true);
  });

  it('deletes, renames and re-describes tasks by number', async () => {
    const ada = await signUp(ctx.app);
    await chat(ada, 'add buy milk');
    await chat(ada, 'add call mum');
    const [mum, milk] = await tasksOf(ctx.app, ada);

    expect((await chat(ada, `delete task ${milk.id}`)).response).toBe(
      `🗑️ Deleted task #${milk.id}: buy milk`,
    );
    expect((await chat(ada, `rename task ${mum.id} to call mom`)).tool_calls).toEqual([
      'update_task',
    ]);
    await chat(ada, `change the description of task ${mum.id} to ask about Sunday lunch`);

    expect(await tasksOf(ctx.app, ada)).toMatchObject([
      { id: mum.id, title: 'call mom', description: 'ask about Sunday lunch' },
    ]);
  });

  it("answers kindly about a task number that is not the caller's, leaving the owner's task alone", async () => {
    const ada = await signUp(ctx.app);
    const bob = await signUp(ctx.app);
    await chat(bob, 'add a task to plan the surprise party');
    const [secret] = await tasksOf(ctx.app, bob);

    const answer = await chat(ada, `delete task ${secret.id}`);

    expect(answer.response).toBe(
      `❓ I couldn't find task #${secret.id}. Say "show my tasks" to see your tasks and their numbers.`,
    );
    expect(await tasksOf(ctx.app, bob)).toHaveLength(1);
  });

  it('answers anything else with what it can do, without touching tasks', async () => {
    const ada = await signUp(ctx.app);
    const answer = await chat(ada, 'what is the weather in Lisbon?');

    expect(answer.tool_calls).toEqual([]);
    expect(answer.response).toContain("Sorry, I didn't quite get that");
    expect(answer.response).toContain('"add a task to buy milk"');
    expect(answer.response).toContain('"show pending tasks"');
    expect(await tasksOf(ctx.app, ada)).toEqual([]);
  });

  it('rejects an empty or over-long message with a 422 naming the field', async () => {
    const ada = await signUp(ctx.app);
    for (const message of ['', '   ', 'x'.repeat(2001)]) {
      const response = await ctx.app.inject({
        method: 'POST',
        url: `/api/${ada.user.id}/chat`,
        headers: ada.headers,
        payload: { message },
      });
      expect(response.statusCode).toBe(422);
      expect(response.json().detail).toEqual([
        expect.objectContaining({
          loc: ['body', 'message'],
          msg: expect.stringContaining('1-2000 characters'),
        }),
      ]);
    }
    const longest = await ctx.app.inject({
      method: 'POST',
      url: `/api/${ada.user.id}/chat`,
      headers: ada.headers,
      payload: { message: `add ${'x'.repeat(1996)}` },
    });
    expect(longest.statusCode).toBe(200);
  });
});

describe('conversation history', () => {
  it('keeps both sides of the conversation, oldest first, and clear empties it', async () => {
    const ada = await signUp(ctx.app);
    await chat(ada, 'hello');
    await chat(ada, 'add a task to buy milk');

    const history = await ctx.app.inject({
      method: 'GET',
      url: `/api/${ada.user.id}/conversations/history`,
      headers: ada.headers,
    });
    expect(history.statusCode).toBe(200);
    const body = history.json();
    expect(body.conversation_id).toBe(`user_${ada.user.id}`);
    expect(body.messages.map((m: { role: string }) => m.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
    expect(body.messages[2].content).toBe('add a task to buy milk');
    expect(body.messages[3].content).toMatch(/^✅ Added task #\d+: buy milk$/);
    const times = body.messages.map((m: { created_at: string }) => Date.parse(m.created_at));
    expect(times).toEqual([...times].sort((a, b) => a - b));

    const cleared = await ctx.app.inject({
      method: 'DELETE',
      url: `/api/${ada.user.id}/conversations/clear`,
      headers: ada.headers,
    });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json()).toEqual({ message: 'Conversation history cleared' });

    const after = await ctx.app.inject({
      method: 'GET',
      url: `/api/${ada.user.id}/conversations/history`,
      headers: ada.headers,
    });
    expect(after.json()).toEqual({ conversation_id: `user_${ada.user.id}`, messages: [] });
    // Clearing the chat forgets the words, not the tasks.
    expect(await tasksOf(ctx.app, ada)).toHaveLength(1);
  });

  it('keeps each user’s conversation to themselves', async () => {
    const ada = await signUp(ctx.app);
    const bob = await signUp(ctx.app);
    await chat(ada, 'add a task to buy a ring');
    await chat(bob, 'show my tasks');
    await ctx.app.inject({
      method: 'DELETE',
      url: `/api/${bob.user.id}/conversations/clear`,
      headers: bob.headers,
    });

    const adas = await ctx.app.inject({
      method: 'GET',
      url: `/api/${ada.user.id}/conversations/history`,
      headers: ada.headers,
    });
    expect(adas.json().messages).toHaveLength(2);
    expect(JSON.stringify(adas.json())).not.toContain('show my tasks');
  });
});

describe('access', () => {
  it.each([
    ['POST', 'chat'],
    ['GET', 'conversations/history'],
    ['DELETE', 'conversations/clear'],
  ] as const)('%s %s needs a token and answers 404 for another user', async (method, path) => {
    const ada = await signUp(ctx.app);
    const bob = await signUp(ctx.app);
    const payload = method === 'POST' ? { message: 'show my tasks' } : undefined;

    const anonymous = await ctx.app.inject({ method, url: `/api/${ada.user.id}/${path}`, payload });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Bearer');

    const foreign = await ctx.app.inject({
      method,
      url: `/api/${bob.user.id}/${path}`,
      headers: ada.headers,
      payload,
    });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toEqual({ detail: 'Not found' });
  });
});
