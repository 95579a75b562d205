// Jest test environment for the backend's integration tests. Jest makes a fresh environment for
// every test file but loads this module once per worker process, so the database opened here is
// shared by all files of a worker: PGlite's in-memory start (an initdb, ~4 s) is paid once, and on
// PostgreSQL each worker gets its own database in the cluster the global setup started.
// Test files reach it through `globalThis.__BACKEND_TEST_DB__()` (see database.ts).
const path = require('node:path');
const { TestEnvironment } = require('jest-environment-node');

const migrationsFolder = path.join(__dirname, '../../src/db/migrations');
let shared;

async function openPglite() {
  const { PGlite } = require('@electric-sql/pglite');
  const { drizzle } = require('drizzle-orm/pglite');
  const { migrate } = require('drizzle-orm/pglite/migrator');
  const client = await PGlite.create('memory://');
  await migrate(drizzle({ client }), { migrationsFolder });
  return { driver: 'pglite', client };
}

async function openPostgres(adminUrl) {
  const { Client } = require('pg');
  const { drizzle } = require('drizzle-orm/node-postgres');
  const { migrate } = require('drizzle-orm/node-postgres/migrator');
  const name = `test_worker_${process.env.JEST_WORKER_ID ?? '1'}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await migrate(drizzle({ client }), { migrationsFolder });
  } finally {
    await client.end();
  }
  return { driver: 'postgres', url: url.toString() };
}

class BackendTestEnvironment extends TestEnvironment {
  async setup() {
    await super.setup();
    // Opened on first use, so files that bring their own database do not wait for it.
    this.global.__BACKEND_TEST_DB__ = () => {
      const adminUrl = process.env.TEST_POSTGRES_ADMIN_URL;
      shared ??= adminUrl ? openPostgres(adminUrl) : openPglite();
      return shared;
    };
  }
}

module.exports = BackendTestEnvironment;
