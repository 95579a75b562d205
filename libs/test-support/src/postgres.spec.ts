import { existsSync } from 'node:fs';
import { Client } from 'pg';
import { freePort } from './free-port';
import { startPostgres, type PostgresCluster } from './postgres';

// A real PostgreSQL server (the machine's server binaries), as every suite that uses it gets.

async function query(connectionString: string, sql: string): Promise<unknown[]> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('trust mode (the default)', () => {
  let cluster: PostgresCluster;
  beforeAll(async () => {
    cluster = await startPostgres();
  });
  afterAll(() => cluster?.destroy());

  it('answers a query on its port as the postgres user', async () => {
    expect(cluster.url()).toBe(`postgres://postgres@127.0.0.1:${cluster.port}/postgres`);
    expect(await query(cluster.url(), 'SELECT current_user AS who, 1 + 1 AS sum')).toEqual([
      { who: 'postgres', sum: 2 },
    ]);
  });

  it('keeps its data across stop() and start()', async () => {
    await query(cluster.url(), 'CREATE TABLE kept (note text)');
    await query(cluster.url(), "INSERT INTO kept VALUES ('still here')");
    await cluster.stop();
    await expect(query(cluster.url(), 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);
    await cluster.start();
    expect(await query(cluster.url(), 'SELECT note FROM kept')).toEqual([{ note: 'still here' }]);
  });

  it('comes back after a crash (stop immediate) with what was committed', async () => {
    await query(cluster.url(), 'CREATE TABLE survived (n int)');
    await query(cluster.url(), 'INSERT INTO survived VALUES (7)');
    await query(cluster.url(), 'CHECKPOINT');
    await cluster.stop('immediate');
    await cluster.start();
    expect(await query(cluster.url(), 'SELECT n FROM survived')).toEqual([{ n: 7 }]);
  });
});

describe('password mode on a fixed port', () => {
  const password = 'right horse battery';
  let cluster: PostgresCluster;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    cluster = await startPostgres({ port, user: 'todo', password, database: 'todo_app' });
  });
  afterAll(() => cluster?.destroy());

  it('listens on the port it was given and makes the database it was asked for', async () => {
    expect(cluster.port).toBe(port);
    expect(
      await query(cluster.url(), 'SELECT current_database() AS db, current_user AS who'),
    ).toEqual([{ db: 'todo_app', who: 'todo' }]);
  });

  it('refuses a wrong password and a missing one', async () => {
    await expect(query(cluster.url('todo_app', 'wrong'), 'SELECT 1')).rejects.toThrow(
      /password authentication failed for user "todo"/,
    );
    await expect(query(`postgres://todo@127.0.0.1:${port}/todo_app`, 'SELECT 1')).rejects.toThrow(
      /password/,
    );
  });
});

it('deletes its files on destroy() and frees the port', async () => {
  const cluster = await startPostgres();
  expect(existsSync(`${cluster.dataDir}/postmaster.pid`)).toBe(true);
  await cluster.destroy();
  expect(existsSync(cluster.dataDir)).toBe(false);
  await expect(query(cluster.url(), 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);
});

it('names what to install when PG_BIN points at no PostgreSQL', async () => {
  const saved = process.env['PG_BIN'];
  process.env['PG_BIN'] = '/nonexistent/postgresql/bin';
  try {
    await expect(startPostgres()).rejects.toThrow(
      /PG_BIN=\/nonexistent\/postgresql\/bin holds no initdb: install the Debian package `postgresql`/,
    );
  } finally {
    if (saved === undefined) delete process.env['PG_BIN'];
    else process.env['PG_BIN'] = saved;
  }
});
