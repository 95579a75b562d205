import { execFile } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A throwaway PostgreSQL server of this machine (its PostgreSQL 15 binaries), standing in for the
 * chart's postgres:15-alpine StatefulSet, whose image cannot be pulled here. It is set up from the
 * rendered StatefulSet's settings (user, database, password) and requires the password
 * (scram-sha-256), so a backend given the wrong credentials fails as it would in the cluster.
 */
export interface Postgres {
  port: number;
  stop(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0)
    throw new Error(
      'no PostgreSQL server binaries in /usr/lib/postgresql (apt-get install postgresql)',
    );
  return path.join(root, versions[0], 'bin');
}

export async function startPostgres(options: {
  port: number;
  user: string;
  database: string;
  password: string;
}): Promise<Postgres> {
  const bin = binDir();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(tmpdir(), 'chart-postgres-'));
  const dataDir = path.join(dir, 'data');
  const passwordFile = path.join(dir, 'password');
  writeFileSync(passwordFile, `${options.password}\n`, { mode: 0o600 });
  if (asRoot) {
    // PostgreSQL refuses to run as root: the packaged `postgres` user owns the cluster.
    const { stdout } = await run('id', ['-u', 'postgres']);
    const uid = Number(stdout.trim());
    chownSync(dir, uid, uid);
    chownSync(passwordFile, uid, uid);
  }
  chmodSync(dir, 0o700);
  const pg = (command: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', path.join(bin, command), ...args])
      : run(path.join(bin, command), args);

  await pg('initdb', [
    '-D',
    dataDir,
    '-U',
    options.user,
    `--pwfile=${passwordFile}`,
    '-A',
    'scram-sha-256',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  const serverOptions = `-p ${options.port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  await pg('pg_ctl', [
    '-D',
    dataDir,
    '-o',
    serverOptions,
    '-l',
    path.join(dir, 'server.log'),
    '-w',
    '-t',
    '30',
    'start',
  ]);
  const stop = async () => {
    await pg('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop']).catch(
      () => undefined,
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run(
      path.join(bin, 'createdb'),
      ['-h', '127.0.0.1', '-p', String(options.port), '-U', options.user, options.database],
      {
        env: { ...process.env, PGPASSWORD: options.password },
      },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { port: options.port, stop };
}
