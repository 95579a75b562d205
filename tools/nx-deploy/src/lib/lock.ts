import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Serialises Helm operations on one release across processes (`nx affected -t deploy` runs one
 * deploy at a time, but two terminals or CI jobs on one machine do not know about each other).
 * A lock left by a process that no longer exists is taken over.
 */
export function lockPath(
  kubeContext: string,
  namespace: string,
  release: string,
  dir = defaultLockDir(),
): string {
  const name = `${kubeContext}__${namespace}__${release}`.replace(/[^A-Za-z0-9_.-]/g, '_');
  return path.join(dir, `${name}.lock`);
}

export function defaultLockDir(): string {
  return process.env['NX_DEPLOY_LOCK_DIR'] ?? path.join(os.tmpdir(), 'nx-deploy-locks');
}

function holderAlive(file: string): { pid: number; alive: boolean } | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 0) return { pid, alive: false };
    try {
      process.kill(pid, 0);
      return { pid, alive: true };
    } catch (error) {
      return { pid, alive: (error as NodeJS.ErrnoException).code === 'EPERM' };
    }
  } catch {
    return undefined;
  }
}

export interface ReleaseLock {
  file: string;
  release(): void;
}

export async function acquireReleaseLock(
  file: string,
  timeoutMs: number,
  onWait: (holderPid: number) => void,
  pollMs = 500,
): Promise<ReleaseLock> {
  mkdirSync(path.dirname(file), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid}\n${new Date().toISOString()}\n`);
      closeSync(fd);
      return {
        file,
        release: () => {
          try {
            unlinkSync(file);
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = holderAlive(file);
    if (holder && !holder.alive) {
      try {
        unlinkSync(file);
      } catch {
        // Another waiter removed it first.
      }
      continue;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `another deploy (pid ${holder?.pid ?? '?'}) holds ${file} — wait for it to finish; remove the file only if no deploy runs`,
      );
    }
    if (!announced && holder) {
      onWait(holder.pid);
      announced = true;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
