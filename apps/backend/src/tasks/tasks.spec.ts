import { signUp, useTestApp, type SignedIn } from '../../test/support/app';

const ctx = useTestApp();

let me: SignedIn;
beforeEach(async () => {
  me = await signUp(ctx.app);
});

const tasksUrl = () => `/api/${me.user.id}/tasks`;

async function createTask(payload: Record<string, unknown>, who: SignedIn = me) {
  return ctx.app.inject({
    method: 'POST',
    url: `/api/${who.user.id}/tasks`,
    headers: who.headers,
    payload,
  });
}

describe('task routes', () => {
  it('creates a task and returns it in the wire shape', async () => {
    const before = Date.now();
    const response = await createTask({ title: '  Buy milk ', description: '2 litres' });
    const after = Date.now();
    expect(response.statusCode).toBe(201);
    const task = response.json();
    expect(task).toEqual({
      id: expect.any(Number),
      user_id: me.user.id,
      title: 'Buy milk',
      description: '2 litres',
      completed: false,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updated_at: task.created_at,
    });
    // The database formats the timestamp: it must be the real instant in UTC, not a local time.
    // (A database clock is the same host's here; one millisecond of slack for its rounding.)
    expect(Date.parse(task.created_at)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(task.created_at)).toBeLessThanOrEqual(after + 1);
  });

  it('lists tasks newest first', async () => {
    for (const title of ['first', 'second', 'third'])
      expect((await createTask({ title })).statusCode).toBe(201);
    const response = await ctx.app.inject({ method: 'GET', url: tasksUrl(), headers: me.headers });
    expect(response.statusCode).toBe(200);
    expect(response.json().tasks.map((task: { title: string }) => task.title)).toEqual([
      'third',
      'second',
      'first',
    ]);
  });

  it('reads, updates only the fields sent, completes and deletes a task', async () => {
    const { id } = (await createTask({ title: 'Write report', description: 'Q3' })).json();
    const url = `${tasksUrl()}/${id}`;

    const read = await ctx.app.inject({ method: 'GET', url, headers: me.headers });
    expect(read.json()).toMatchObject({ id, title: 'Write report', description: 'Q3' });

    const renamed = await ctx.app.inject({
      method: 'PUT',
      url,
      headers: me.headers,
      payload: { title: 'Write Q3 report' },
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({
      title: 'Write Q3 report',
      description: 'Q3',
      completed: false,
    });
    expect(Date.parse(renamed.json().updated_at)).toBeGreaterThanOrEqual(
      Date.parse(read.json().updated_at),
    );

    const cleared = await ctx.app.inject({
      method: 'PUT',
      url,
      headers: me.headers,
      payload: { description: null, completed: true },
    });
    expect(cleared.json()).toMatchObject({
      title: 'Write Q3 report',
      description: null,
      completed: true,
    });

    const reopened = await ctx.app.inject({
      method: 'PATCH',
      url: `${url}/complete`,
      headers: me.headers,
      payload: { completed: false },
    });
    expect(reopened.statusCode).toBe(200);
    expect(reopened.json().completed).toBe(false);

    const deleted = await ctx.app.inject({ method: 'DELETE', url, headers: me.headers });
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    const gone = await ctx.app.inject({ method: 'GET', url, headers: me.headers });
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toEqual({ detail: 'Task not found' });
  });

  it("never shows or changes another user's task, even by its id", async () => {
    const other = await signUp(ctx.app);
    const { id } = (await createTask({ title: 'private' }, other)).json();
    const url = `${tasksUrl()}/${id}`;
    const attempts = [
      ctx.app.inject({ method: 'GET', url, headers: me.headers }),
      ctx.app.inject({ method: 'PUT', url, headers: me.headers, payload: { title: 'hacked' } }),
      ctx.app.inject({
        method: 'PATCH',
        url: `${url}/complete`,
        headers: me.headers,
        payload: { completed: true },
      }),
      ctx.app.inject({ method: 'DELETE', url, headers: me.headers }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ detail: 'Task not found' });
    }
    const list = await ctx.app.inject({ method: 'GET', url: tasksUrl(), headers: me.headers });
    expect(list.json()).toEqual({ tasks: [] });
    const theirs = await ctx.app.inject({
      method: 'GET',
      url: `/api/${other.user.id}/tasks/${id}`,
      headers: other.headers,
    });
    expect(theirs.json()).toMatchObject({ title: 'private', completed: false });
  });

  it('keeps the original limits: title 1-200, description up to 1000', async () => {
    expect(
      (await createTask({ title: 'T'.repeat(200), description: 'd'.repeat(1000) })).statusCode,
    ).toBe(201);
    const tooLong = await createTask({ title: 'T'.repeat(201), description: 'd'.repeat(1001) });
    expect(tooLong.statusCode).toBe(422);
    expect(tooLong.json().detail.map((issue: { loc: string[] }) => issue.loc)).toEqual([
      ['body', 'title'],
      ['body', 'description'],
    ]);
    const blank = await createTask({ title: '   ' });
    expect(blank.statusCode).toBe(422);
    expect(blank.json().detail[0].msg).toBe('title: must be 1-200 characters');
  });

  it('answers 422 naming the path field for a task id that is not a number', async () => {
    const response = await ctx.app.inject({
      method: 'GET',
      url: `${tasksUrl()}/abc`,
      headers: me.headers,
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().detail[0].loc).toEqual(['path', 'task_id']);
  });

  it('requires `completed` to be a boolean when completing', async () => {
    const { id } = (await createTask({ title: 'x' })).json();
    const response = await ctx.app.inject({
      method: 'PATCH',
      url: `${tasksUrl()}/${id}/complete`,
      headers: me.headers,
      payload: { completed: 'yes' },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().detail[0].loc).toEqual(['body', 'completed']);
  });

  it('answers 400 for malformed JSON and loses nothing', async () => {
    const response = await ctx.app.inject({
      method: 'POST',
      url: tasksUrl(),
      headers: { ...me.headers, 'content-type': 'application/json' },
      payload: '{"title": "oops",',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ detail: expect.stringMatching(/JSON/) });
    const list = await ctx.app.inject({ method: 'GET', url: tasksUrl(), headers: me.headers });
    expect(list.json().tasks).toHaveLength(0);
  });

  it('answers 413 for a body over 1 MiB', async () => {
    const response = await ctx.app.inject({
      method: 'POST',
      url: tasksUrl(),
      headers: { ...me.headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ title: 'big', description: 'x'.repeat(1024 * 1024) }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({ detail: expect.stringMatching(/1 MiB/) });
  });
});
