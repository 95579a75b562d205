import type { DatabaseHandle } from '../db/client';
import { UserService } from '../auth/users';
import { TaskService } from '../tasks/service';
import { openTestDatabase, truncateAll } from '../../test/support/database';
import { TaskTools } from './tools';

let handle: DatabaseHandle;
let tasks: TaskService;
let tools: TaskTools;
let ada: string;
let bob: string;

beforeAll(async () => {
  handle = await openTestDatabase();
  tasks = new TaskService(handle);
  tools = new TaskTools(tasks);
});

afterAll(() => handle.close());

beforeEach(async () => {
  await truncateAll(handle);
  const users = new UserService(handle.db);
  const created = await Promise.all([
    users.create({ name: 'Ada', email: 'ada@example.com', passwordHash: 'x' }),
    users.create({ name: 'Bob', email: 'bob@example.com', passwordHash: 'x' }),
  ]);
  [ada, bob] = created.map((user) => {
    if (!user) throw new Error('test user not created');
    return user.id;
  });
});

describe('add_task', () => {
  it('stores the task for the caller and says so with its number', async () => {
    const outcome = await tools.run(ada, 'add_task', {
      title: 'buy milk',
      description: '2 litres',
    });

    const [stored] = await tasks.list(ada);
    expect(stored).toMatchObject({ title: 'buy milk', description: '2 litres', completed: false });
    expect(outcome).toMatchObject({
      ok: true,
      message: `✅ Added task #${stored.id}: buy milk — 2 litres`,
    });
    expect(await tasks.list(bob)).toEqual([]);
  });

  it('refuses a bad title with a sentence naming the field and the rule, and stores nothing', async () => {
    const empty = await tools.run(ada, 'add_task', { title: '   ' });
    const long = await tools.run(ada, 'add_task', { title: 'x'.repeat(201) });
    const missing = await tools.run(ada, 'add_task', {});

    expect(empty).toEqual({
      ok: false,
      message: "⚠️ I couldn't add that task: title must be 1-200 characters.",
    });
    expect(long.message).toContain('title must be 1-200 characters');
    expect(missing.message).toContain('title is required');
    expect(await tasks.list(ada)).toEqual([]);
  });

  it('rejects arguments it does not know instead of silently ignoring them', async () => {
    const outcome = await tools.run(ada, 'add_task', { title: 'x', user_id: bob });
    expect(outcome).toMatchObject({ ok: false });
    expect(outcome.message).toContain('user_id');
    expect(await tasks.list(bob)).toEqual([]);
  });
});

describe('list_tasks', () => {
  it('lists all, pending or completed tasks of the caller only', async () => {
    const milk = await tasks.create(ada, { title: 'buy milk' });
    const mom = await tasks.create(ada, { title: 'call mom' });
    await tasks.update(ada, mom.id, { completed: true });
    await tasks.create(bob, { title: "bob's secret" });

    const all = await tools.run(ada, 'list_tasks', { status: 'all' });
    const pending = await tools.run(ada, 'list_tasks', { status: 'pending' });
    const completed = await tools.run(ada, 'list_tasks', { status: 'completed' });

    expect(all.message).toBe(
      `📋 You have 2 tasks:\n✅ #${mom.id} call mom\n⬜ #${milk.id} buy milk`,
    );
    expect(pending.tasks?.map((t) => t.id)).toEqual([milk.id]);
    expect(completed.message).toBe(`🎉 You have completed 1 task:\n✅ #${mom.id} call mom`);
    expect(all.message).not.toContain('secret');
  });

  it('defaults to all tasks and says when there are none', async () => {
    expect(await tools.run(ada, 'list_tasks', {})).toMatchObject({
      ok: true,
      message: '📭 You have no tasks yet. Try "add a task to buy milk".',
    });
    expect((await tools.run(ada, 'list_tasks', { status: 'pending' })).message).toContain(
      'all caught up',
    );
  });

  it('names the allowed statuses when given another', async () => {
    const outcome = await tools.run(ada, 'list_tasks', { status: 'urgent' });
    expect(outcome).toEqual({
      ok: false,
      message: "⚠️ I couldn't list your tasks: status must be one of: all, pending, completed.",
    });
  });
});

describe('complete_task', () => {
  it('marks the task done, accepting the number as text as models sometimes send it', async () => {
    const milk = await tasks.create(ada, { title: 'buy milk' });
    const outcome = await tools.run(ada, 'complete_task', { task_id: String(milk.id) });

    expect(outcome.message).toBe(`✅ Marked task #${milk.id} as complete: buy milk`);
    expect((await tasks.get(ada, milk.id))?.completed).toBe(true);
  });

  it("cannot touch another user's task and answers as if it did not exist", async () => {
    const secret = await tasks.create(bob, { title: "bob's task" });
    const outcome = await tools.run(ada, 'complete_task', { task_id: secret.id });

    expect(outcome).toEqual({
      ok: false,
      message: `❓ I couldn't find task #${secret.id}. Say "show my tasks" to see your tasks and their numbers.`,
    });
    expect((await tasks.get(bob, secret.id))?.completed).toBe(false);
  });

  it('says so when the task was already complete', async () => {
    const milk = await tasks.create(ada, { title: 'buy milk' });
    await tasks.update(ada, milk.id, { completed: true });
    expect((await tools.run(ada, 'complete_task', { task_id: milk.id })).message).toContain(
      'already complete',
    );
  });

  it('explains a task number that is not a number', async () => {
    expect((await tools.run(ada, 'complete_task', { task_id: 'three' })).message).toBe(
      "⚠️ I couldn't complete that task: task_id must be a task number.",
    );
    expect((await tools.run(ada, 'complete_task', { task_id: -2 })).message).toContain(
      'task_id must be a positive whole number',
    );
  });
});

describe('delete_task', () => {
  it('deletes only the caller’s task', async () => {
    const milk = await tasks.create(ada, { title: 'buy milk' });
    const secret = await tasks.create(bob, { title: "bob's task" });

    expect((await tools.run(ada, 'delete_task', { task_id: milk.id })).message).toBe(
      `🗑️ Deleted task #${milk.id}: buy milk`,
    );
    expect((await tools.run(ada, 'delete_task', { task_id: secret.id })).ok).toBe(false);
    expect((await tools.run(ada, 'delete_task', { task_id: milk.id })).ok).toBe(false);
    expect(await tasks.list(ada)).toEqual([]);
    expect(await tasks.get(bob, secret.id)).not.toBeNull();
  });
});

describe('update_task', () => {
  it('renames a task, changes its description, or both', async () => {
    const task = await tasks.create(ada, { title: 'call mum' });

    expect(
      (await tools.run(ada, 'update_task', { task_id: task.id, title: 'call mom' })).message,
    ).toBe(`✏️ Renamed task #${task.id} to: call mom`);
    expect(
      (await tools.run(ada, 'update_task', { task_id: task.id, description: 'about Sunday' }))
        .message,
    ).toBe(`✏️ Updated the description of task #${task.id} (call mom): about Sunday`);
    await tools.run(ada, 'update_task', { task_id: task.id, title: 'call dad', description: '' });

    expect(await tasks.get(ada, task.id)).toMatchObject({ title: 'call dad', description: null });
  });

  it('asks what to change when given nothing, and changes nothing', async () => {
    const task = await tasks.create(ada, { title: 'call mom' });
    const outcome = await tools.run(ada, 'update_task', { task_id: task.id });

    expect(outcome.ok).toBe(false);
    expect(outcome.message).toContain('a new title or a new description');
    expect((await tasks.get(ada, task.id))?.updated_at).toBe(task.updated_at);
  });
});

it('answers an unknown tool name with the list of tools', async () => {
  expect(await tools.run(ada, 'drop_database', {})).toEqual({
    ok: false,
    message:
      'I don\'t have a tool called "drop_database". I can use: add_task, list_tasks, complete_task, delete_task, update_task.',
  });
});
