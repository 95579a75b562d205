import { readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';

/**
 * One process per embedded database folder: PGlite has no postmaster.pid, and two processes on
 * one folder would each cache its pages and overwrite the other's writes. The lock is
 * proper-lockfile's (a directory whose mtime the holder refreshes, so a holder that died without
 * releasing it goes stale), plus a note of who holds it for the refusal message.
 */
const LOCK = '.backend.lock';
const HOLDER = '.backend.lock.holder';
/** Generous: PGlite's first initdb keeps the event loop busy for seconds, delaying refreshes. */
const STALE_MS = 30_000;

interface Holder {
  pid: number;
  host: string;
  since: string;
}

/** Folders this process holds: its own pid in a holder note is then not a leftover. */
const held = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(dir: string): Promise<Holder | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, HOLDER), 'utf8')) as Holder;
  } catch {
    return undefined;
  }
}

/**
 * Takes the folder's lock, or throws naming the holder. A holder on this host
 * that no longer runs (or that has this very pid: a restarted container) left the lock behind
 * and is taken over at once; one on another host is waited out by the staleness rule.
 * Returns the release function.
 */
export async function lockDataDir(
  dir: string,
  onLost: (error: Error) => void,
): Promise<() => Promise<void>> {
  const options = {
    lockfilePath: join(dir, LOCK),
    stale: STALE_MS,
    update: STALE_MS / 6,
    realpath: false,
    onCompromised: onLost,
  };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dir, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    const holder = await readHolder(dir);
    const leftBehind =
      !held.has(dir) &&
      holder?.host === hostname() &&
      (holder.pid === process.pid || !isAlive(holder.pid));
    if (!leftBehind) {
      const who = holder
        ? `process ${holder.pid} on ${holder.host} (since ${holder.since})`
        : 'another process';
      throw new Error(
        `DATA_DIR ${dir} is in use by ${who} — stop it, or give this process its own DATA_DIR`,
      );
    }
    await rm(options.lockfilePath, { recursive: true, force: true });
    release = await lockfile.lock(dir, options);
  }
  const holder: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  await writeFile(join(dir, HOLDER), `${JSON.stringify(holder)}\n`);
  held.add(dir);
  return async () => {
    held.delete(dir);
    await rm(join(dir, HOLDER), { force: true });
    await release();
  };
}
