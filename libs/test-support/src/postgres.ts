import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';

const run = promisify(execFile);

export interface StartPostgresOptions {
  /** Port on 127.0.0.1; default a free one. */
  port?: number;
  /** The superuser initdb creates; default `postgres`. */
  user?: string;
  /**
   * With a password the server requires it (scram-sha-256), so wrong credentials fail as they
   * would in production; without one it trusts every connection (any password works).
   */
  password?: string;
  /** A database to create besides `postgres`; `url()` then points at it. */
  database?: string;
}

/** A throwaway PostgreSQL server on 127.0.0.1, for tests and benchmarks. */
export interface PostgresCluster {
  port: number;
  user: string;
  /** The cluster's data directory (what `pg_ctl -D` takes; holds postmaster.pid). */
  dataDir: string;
  /**
   * Connection string for `database` (default: the `database` option, else `postgres`) with
   * `password` (default: the `password` option).
   */
  url(database?: string, password?: string): string;
  /**
   * Stops the server. `fast` (default) cuts open connections and shuts down cleanly; `immediate`
   * kills every server process at once, as a crash would (the next start recovers from the WAL).
   */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it and deletes its files. */
  destroy(): Promise<void>;
}

const INSTALL_HINT =
  'install the Debian package `postgresql` (tools/scripts/ci-install.sh does) or set PG_BIN to the folder holding initdb and pg_ctl';

/** PG_BIN, else the newest /usr/lib/postgresql/<version>/bin (versions differ across Debian releases). */
async function postgresBinDir(): Promise<string> {
  const fromEnv = process.env['PG_BIN'];
  if (fromEnv) {
    if (!existsSync(join(fromEnv, 'initdb'))) {
      throw new Error(`PG_BIN=${fromEnv} holds no initdb: ${INSTALL_HINT}`);
    }
    return fromEnv;
  }
  const root = '/usr/lib/postgresql';
  const versions = (await readdir(root).catch(() => [] as string[]))
    .filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) {
    throw new Error(
      `PostgreSQL server binaries not found in ${root}/<version>/bin: ${INSTALL_HINT}`,
    );
  }
  return join(root, versions[0], 'bin');
}

async function postgresUserIds(): Promise<{ uid: number; gid: number }> {
  try {
    const [uid, gid] = await Promise.all([
      run('id', ['-u', 'postgres']),
      run('id', ['-g', 'postgres']),
    ]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    throw new Error(
      `running as root, PostgreSQL must run as the \`postgres\` user, which does not exist: ${INSTALL_HINT}`,
    );
  }
}

/**
 * initdb + pg_ctl start in a temporary folder. PostgreSQL refuses to run as root, so as root its
 * server commands run as the `postgres` user through runuser. The server trades durability
 * against an OS crash for speed (fsync and synchronous_commit off), which a throwaway cluster
 * never needs; a clean stop still keeps every commit.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresCluster> {
  const bin = await postgresBinDir();
  const user = options.user ?? 'postgres';
  const asRoot = process.getuid?.() === 0;
  const root = await mkdtemp(join(tmpdir(), 'todo-pg-'));
  const dataDir = join(root, 'data');
  const serverLog = join(root, 'server.log');
  const serverCommand = (tool: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args])
      : run(join(bin, tool), args);

  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    await serverCommand('pg_ctl', ['-D', dataDir, '-m', mode, '-w', '-t', '30', 'stop']);
  };
  const destroy = async () => {
    await stop().catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  };

  try {
    const passwordFile = join(root, 'password');
    if (options.password !== undefined) {
      await writeFile(passwordFile, `${options.password}\n`, { mode: 0o600 });
    }
    if (asRoot) {
      const { uid, gid } = await postgresUserIds();
      await chown(root, uid, gid);
      if (options.password !== undefined) await chown(passwordFile, uid, gid);
    }
    await serverCommand('initdb', [
      '-D',
      dataDir,
      '-U',
      user,
      ...(options.password === undefined
        ? ['-A', 'trust']
        : ['-A', 'scram-sha-256', `--pwfile=${passwordFile}`]),
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    await rm(passwordFile, { force: true });
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }

  const port = options.port ?? (await freePort());
  const serverOptions = [
    `-p ${port}`,
    // The socket lives in the cluster's own folder: no clash with a packaged server's /run/postgresql.
    `-k ${root}`,
    "-c listen_addresses='127.0.0.1'",
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ');
  const start = async () => {
    try {
      // -l: without a log file the server would hold pg_ctl's output open.
      await serverCommand('pg_ctl', [
        '-D',
        dataDir,
        '-o',
        serverOptions,
        '-l',
        serverLog,
        '-w',
        '-t',
        '30',
        'start',
      ]);
    } catch (error) {
      const log = await readFile(serverLog, 'utf8').catch(() => '');
      throw new Error(
        `PostgreSQL did not start on port ${port}: ${(error as Error).message}\n${log.split('\n').slice(-20).join('\n')}`,
      );
    }
  };

  const url = (database = options.database ?? 'postgres', password = options.password) =>
    `postgres://${encodeURIComponent(user)}${password === undefined ? '' : `:${encodeURIComponent(password)}`}@127.0.0.1:${port}/${encodeURIComponent(database)}`;

  try {
    await start();
    if (options.database !== undefined) {
      await run(
        join(bin, 'createdb'),
        ['-h', '127.0.0.1', '-p', String(port), '-U', user, options.database],
        {
          env: { ...process.env, PGPASSWORD: options.password ?? '' },
        },
      );
    }
  } catch (error) {
    await destroy();
    throw error;
  }

  return { port, user, dataDir, url, stop, start, destroy };
}
