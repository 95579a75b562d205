import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, run } from './engine';

export interface Postgres {
  url: string;
  stop(): Promise<void>;
}

const BIN_DIRS = ['17', '16', '15'].map((v) => `/usr/lib/postgresql/${v}/bin`);

/**
 * A throwaway PostgreSQL cluster on a free local port (trust auth, 127.0.0.1 only), from the
 * server binaries Debian's postgresql package installs. PostgreSQL refuses to run as root, so as
 * root it runs as the postgres user.
 */
export async function startPostgres(): Promise<Postgres> {
  const bin = BIN_DIRS.find((dir) => existsSync(path.join(dir, 'pg_ctl')));
  if (!bin) {
    throw new Error(
      'PostgreSQL server binaries are missing: apt-get install postgresql (tools/scripts/ci-install.sh)',
    );
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'todo-ct-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const ids = await run('id', ['-u', 'postgres']);
    const gid = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(ids.stdout), Number(gid.stdout));
  }
  const pg = (args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', ...args]) : run(args[0], args.slice(1));
  const port = await freePort();
  const data = path.join(dir, 'data');
  const init = await pg([`${bin}/initdb`, '-D', data, '--auth=trust', '-U', 'postgres']);
  if (init.exitCode !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  // -l: without a log file the server would hold pg_ctl's output open.
  const start = await pg([
    `${bin}/pg_ctl`,
    '-D',
    data,
    '-l',
    path.join(dir, 'server.log'),
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
    '-w',
    'start',
  ]);
  if (start.exitCode !== 0) throw new Error(`pg_ctl start failed: ${start.stderr}`);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await pg([`${bin}/pg_ctl`, '-D', data, '-m', 'immediate', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
