import type { Task } from '@todo/api-contract';
import { signUp, testDriver, type SignedIn } from './support/backend';
import { describeAnswer, rowCounts, useReliabilityApp } from './support/harness';

// 50 simulated users × 20 operations, all users at once, against the app over PGlite (`test`)
// or PostgreSQL (`test-postgres`). Every write the API acknowledged must be readable afterwards
// exactly as acknowledged, ids must be unique, and no user may see or touch another's tasks.

const USERS = 50;
const ctx = useReliabilityApp();

interface Expected {
  title: string;
  completed: boolean;
}

interface Session {
  who: SignedIn;
  /** What the API acknowledged, by task id; deleted tasks are removed. */
  tasks: Map<number, Expected>;
  /** Ids whose deletion was acknowledged. */
  deleted: Set<number>;
  chatTitle: string;
}

async function request(
  who: SignedIn,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  payload?: object,
) {
  const response = await ctx.app.inject({
    method,
    url: `/api/${who.user.id}${path}`,
    headers: who.headers,
    ...(payload ? { payload } : {}),
  });
  if (response.statusCode >= 300) {
    throw new Error(`${method} ${path} for user ${who.user.id}: ${describeAnswer(response)}`);
  }
  return response;
}

/** The 20 operations of one user; parallel where a real client could overlap them. */
async function runUser(index: number, who: SignedIn): Promise<Session> {
  const session: Session = {
    who,
    tasks: new Map(),
    deleted: new Set(),
    chatTitle: `chat-${index}-${who.user.id.slice(0, 8)}`,
  };
  const create = async (k: number) => {
    const title = `user ${index} task ${k}`;
    const created = (await request(who, 'POST', '/tasks', { title })).json() as Task;
    expect(created.user_id).toBe(who.user.id);
    session.tasks.set(created.id, { title, completed: false });
    return created.id;
  };
  // 1–10: ten creates, five at a time.
  const ids = [
    ...(await Promise.all([0, 1, 2, 3, 4].map(create))),
    ...(await Promise.all([5, 6, 7, 8, 9].map(create))),
  ];
  // 11–14: complete four, all at once.
  await Promise.all(
    ids.slice(0, 4).map(async (id) => {
      await request(who, 'PATCH', `/tasks/${id}/complete`, { completed: true });
      session.tasks.set(id, { title: session.tasks.get(id)?.title ?? '', completed: true });
    }),
  );
  // 15–16: rename two, at once.
  await Promise.all(
    ids.slice(4, 6).map(async (id) => {
      const title = `user ${index} renamed ${id}`;
      await request(who, 'PUT', `/tasks/${id}`, { title });
      session.tasks.set(id, { title, completed: false });
    }),
  );
  // 17–18: delete two, at once.
  await Promise.all(
    ids.slice(6, 8).map(async (id) => {
      await request(who, 'DELETE', `/tasks/${id}`);
      session.tasks.delete(id);
      session.deleted.add(id);
    }),
  );
  // 19: a task added through the assistant.
  const chat = await request(who, 'POST', '/chat', {
    message: `add a task called ${session.chatTitle}`,
  });
  expect(chat.json().tool_calls).toEqual(['add_task']);
  // 20: a read in the middle of everyone else's writes sees only this user's tasks.
  const listed = (await request(who, 'GET', '/tasks')).json().tasks as Task[];
  expect(listed.every((task) => task.user_id === who.user.id)).toBe(true);
  return session;
}

it(`keeps every acknowledged write of ${USERS} users × 20 parallel operations (${testDriver()})`, async () => {
  const users = await Promise.all(Array.from({ length: USERS }, () => signUp(ctx.app)));
  expect(new Set(users.map((user) => user.user.id)).size).toBe(USERS);

  const sessions = await Promise.all(users.map((who, index) => runUser(index, who)));

  const allIds: number[] = [];
  for (const session of sessions) {
    const listed = (await request(session.who, 'GET', '/tasks')).json().tasks as Task[];
    // Only this user's tasks, and exactly the acknowledged ones: 10 created − 2 deleted + 1 chat.
    expect(listed.every((task) => task.user_id === session.who.user.id)).toBe(true);
    expect(listed).toHaveLength(9);
    const chatTasks = listed.filter((task) => task.title === session.chatTitle);
    expect(chatTasks).toHaveLength(1);
    const byId = new Map(listed.map((task) => [task.id, task]));
    for (const [id, expected] of session.tasks) {
      const task = byId.get(id);
      expect({ id, title: task?.title, completed: task?.completed }).toEqual({ id, ...expected });
    }
    for (const id of session.deleted) expect(byId.has(id)).toBe(false);
    allIds.push(...listed.map((task) => task.id));
  }
  // Ids are unique across everyone.
  expect(new Set(allIds).size).toBe(allIds.length);
  expect(allIds).toHaveLength(USERS * 9);

  // No user can read another's task by id.
  for (let i = 0; i < sessions.length; i++) {
    const reader = sessions[i];
    const victim = sessions[(i + 1) % sessions.length];
    const [victimTaskId] = victim.tasks.keys();
    const response = await ctx.app.inject({
      method: 'GET',
      url: `/api/${reader.who.user.id}/tasks/${victimTaskId}`,
      headers: reader.who.headers,
    });
    expect(response.statusCode).toBe(404);
  }

  // The database holds exactly what was acknowledged: no orphan or duplicate rows.
  const counts = await rowCounts(ctx.database);
  expect(counts.users).toBe(USERS);
  expect(counts.tasks).toBe(USERS * 9);
  expect(counts.conversations).toBe(USERS);
  expect(counts.messages).toBe(USERS * 2);
});
