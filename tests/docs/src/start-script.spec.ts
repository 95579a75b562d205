import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import * as path from 'node:path';
import { workspaceRoot } from './markdown';

/**
 * `npm start`, the README's first command, with the settings a newcomer gets wrong. Each case is
 * refused before anything is built, so these runs take a second each.
 */
function npmStart(env: NodeJS.ProcessEnv): { status: number | null; output: string } {
  const result = spawnSync(
    process.execPath,
    [path.join(workspaceRoot, 'tools/scripts/start.mjs')],
    {
      cwd: workspaceRoot,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

let taken: Server;
let takenPort: number;

beforeAll(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  takenPort = (taken.address() as { port: number }).port;
});

afterAll(() => new Promise((resolve) => taken.close(resolve)));

describe('npm start', () => {
  it('refuses a port that is not a number, naming the variable and the rule', () => {
    const result = npmStart({ BACKEND_PORT: 'abc' });
    expect(result.status).toBe(1);
    expect(result.output).toContain(
      'BACKEND_PORT must be a port number from 1 to 65535; got "abc"',
    );
    expect(result.output).not.toContain('NaN');
    expect(result.output).not.toContain('building');
  });

  it('refuses a frontend port that another process holds, and never says ready', () => {
    const result = npmStart({ FRONTEND_PORT: String(takenPort) });
    expect(result.status).toBe(1);
    expect(result.output).toContain(`FRONTEND_PORT ${takenPort} is already in use on 127.0.0.1`);
    expect(result.output).not.toContain('ready — open');
    expect(result.output).not.toMatch(/\n\s+at /);
  });

  it('says that PORT is not what it reads', () => {
    const result = npmStart({ PORT: 'abc', BACKEND_PORT: String(takenPort) });
    expect(result.output).toContain(
      `PORT=abc is not read by npm start, which uses BACKEND_PORT (${takenPort}) and FRONTEND_PORT`,
    );
    expect(result.output).toContain(`BACKEND_PORT ${takenPort} is already in use`);
    expect(result.status).toBe(1);
  });

  it('checks a DATABASE_URL before building', () => {
    const result = npmStart({ DATABASE_URL: 'not a url', BACKEND_PORT: String(takenPort) });
    expect(result.status).toBe(1);
    expect(result.output).toContain('DATABASE_URL must be a postgresql:// URL');
  });
});
