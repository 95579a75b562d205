import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireReleaseLock, lockPath } from './lock';

describe('release lock', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nx-deploy-lock-'));

  it('makes a second deploy of the same release wait until the first one is done', async () => {
    const file = lockPath('minikube', 'todo-dev', 'todo-app', dir);
    const order: string[] = [];
    const first = await acquireReleaseLock(file, 5000, () => undefined, 20);
    const waited: number[] = [];
    const second = acquireReleaseLock(file, 5000, (pid) => waited.push(pid), 20).then((lock) => {
      order.push('second acquired');
      return lock;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    order.push('first released');
    first.release();
    (await second).release();
    expect(order).toEqual(['first released', 'second acquired']);
    expect(waited).toEqual([process.pid]);
    expect(existsSync(file)).toBe(false);
  });

  it('takes over a lock left by a process that no longer exists', async () => {
    const file = lockPath('minikube', 'todo-dev', 'stale', dir);
    writeFileSync(file, '999999999\n');
    const lock = await acquireReleaseLock(file, 0, () => undefined);
    lock.release();
  });

  it('gives up after the timeout, naming the holder and the file', async () => {
    const file = lockPath('minikube', 'todo-dev', 'busy', dir);
    const held = await acquireReleaseLock(file, 0, () => undefined);
    await expect(acquireReleaseLock(file, 50, () => undefined, 10)).rejects.toThrow(
      `another deploy (pid ${process.pid}) holds ${file}`,
    );
    held.release();
  });

  it('separates releases by context, namespace and name', () => {
    expect(lockPath('a', 'ns', 'r', dir)).not.toBe(lockPath('b', 'ns', 'r', dir));
  });
});
