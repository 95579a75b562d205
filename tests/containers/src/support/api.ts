import { randomBytes } from 'node:crypto';

export interface Session {
  userId: string;
  headers: Record<string, string>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each caller knows its response shape
async function json(res: Response, what: string): Promise<any> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

export function newAccount() {
  const id = randomBytes(4).toString('hex');
  return {
    name: `Container ${id}`,
    email: `ct-${id}@example.com`,
    password: `pw-${randomBytes(8).toString('hex')}`,
  };
}

export async function register(
  base: string,
  account: ReturnType<typeof newAccount>,
): Promise<void> {
  await json(
    await fetch(`${base}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(account),
    }),
    'register',
  );
}

export async function login(
  base: string,
  account: { email: string; password: string },
): Promise<Session> {
  const body = await json(
    await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: account.email, password: account.password }),
    }),
    'login',
  );
  return { userId: body.user.id, headers: { authorization: `Bearer ${body.access_token}` } };
}

export async function createTask(
  base: string,
  session: Session,
  title: string,
): Promise<{ id: number; title: string }> {
  return json(
    await fetch(`${base}/api/${session.userId}/tasks`, {
      method: 'POST',
      headers: { ...session.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ title }),
    }),
    'create task',
  );
}

export async function listTasks(
  base: string,
  session: Session,
): Promise<Array<{ id: number; title: string }>> {
  const body = await json(
    await fetch(`${base}/api/${session.userId}/tasks`, { headers: session.headers }),
    'list tasks',
  );
  return body.tasks;
}
