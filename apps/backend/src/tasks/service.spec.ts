import { openTestDatabase, truncateAll } from '../../test/support/database';
import type { DatabaseHandle } from '../db/client';
import { users } from '../db/schema';
import { TaskService } from './service';

let database: DatabaseHandle;
let service: TaskService;
let alice: string;
let bob: string;

beforeAll(async () => {
  database = await openTestDatabase();
  service = new TaskService(database);
});
afterAll(() => database.close());

beforeEach(async () => {
  await truncateAll(database);
  const rows = await database.db
    .insert(users)
    .values([
      { name: 'Alice', email: 'alice@example.com', password_hash: 'x' },
      { name: 'Bob', email: 'bob@example.com', password_hash: 'x' },
    ])
    .returning({ id: users.id });
  [alice, bob] = rows.map((row) => row.id);
});

describe('TaskService', () => {
  it('filters by status, newest first', async () => {
    const milk = await service.create(alice, { title: 'milk' });
    await service.create(alice, { title: 'bread', description: 'rye' });
    await service.create(alice, { title: 'eggs' });
    await service.setCompleted(alice, milk.id, true);

    expect((await service.list(alice)).map((t) => t.title)).toEqual(['eggs', 'bread', 'milk']);
    expect((await service.list(alice, 'pending')).map((t) => t.title)).toEqual(['eggs', 'bread']);
    expect((await service.list(alice, 'completed')).map((t) => t.title)).toEqual(['milk']);
  });

  it('lists each task exactly as reading it alone returns it', async () => {
    const done = await service.create(alice, { title: 'done', description: 'with "quotes" ✓' });
    await service.create(alice, { title: 'open' });
    await service.setCompleted(alice, done.id, true);
    for (const status of ['all', 'pending', 'completed'] as const) {
      const listed = await service.list(alice, status);
      expect(listed.length).toBeGreaterThan(0);
      for (const task of listed) expect(task).toStrictEqual(await service.get(alice, task.id));
    }
  });

  it("scopes every method to the owner: another user's id reads as absent", async () => {
    const task = await service.create(alice, { title: 'secret' });
    expect(await service.get(bob, task.id)).toBeNull();
    expect(await service.update(bob, task.id, { title: 'stolen' })).toBeNull();
    expect(await service.setCompleted(bob, task.id, true)).toBeNull();
    expect(await service.remove(bob, task.id)).toBe(false);
    expect(await service.list(bob)).toEqual([]);
    expect(await service.get(alice, task.id)).toMatchObject({ title: 'secret', completed: false });
  });

  it('removes a task once', async () => {
    const task = await service.create(alice, { title: 'once' });
    expect(await service.remove(alice, task.id)).toBe(true);
    expect(await service.remove(alice, task.id)).toBe(false);
  });

  it("deletes a user's tasks with the user", async () => {
    await service.create(alice, { title: 'orphan?' });
    await database.db.delete(users);
    expect(await service.list(alice)).toEqual([]);
  });
});
