import { randomBytes } from 'node:crypto';
import { freePort } from '@todo/test-support';
import { login, newAccount } from './support/api';
import {
  Container,
  createVolume,
  isJsonObject,
  logLines,
  removeVolume,
  waitForStatus,
} from './support/engine';
import { imageRef } from './support/workspace';

describe('frontend image', () => {
  let backend: Container;
  let frontend: Container;
  let volume: string;
  let backendBase: string;
  let frontendBase: string;

  beforeAll(async () => {
    volume = await createVolume();
    const backendPort = await freePort();
    backendBase = `http://127.0.0.1:${backendPort}`;
    backend = await Container.start({
      image: imageRef('backend'),
      // Test-only signing key: production mode refuses to start without one.
      env: { PORT: String(backendPort), JWT_SECRET_KEY: randomBytes(32).toString('hex') },
      volumes: [`${volume}:/data`],
    });
    await waitForStatus(`${backendBase}/ready`, { since: backend.startedAt });

    const frontendPort = await freePort();
    frontendBase = `http://127.0.0.1:${frontendPort}`;
    frontend = await Container.start({
      image: imageRef('frontend'),
      env: { PORT: String(frontendPort), BACKEND_URL: backendBase },
    });
  });

  afterAll(async () => {
    await frontend?.remove();
    await backend?.remove();
    if (volume) await removeVolume(volume);
  });

  it('answers /health and /ready, as uid 1001 on a read-only root', async () => {
    // Start-up time is reported by npm run bench:images; here, within the wait's timeout.
    await waitForStatus(`${frontendBase}/health`, { since: frontend.startedAt });
    await waitForStatus(`${frontendBase}/ready`, { since: frontend.startedAt });

    const uid = await frontend.exec([
      'node',
      '-e',
      "process.stdout.write(/^Uid:\\s+(\\d+)/m.exec(require('fs').readFileSync('/proc/1/status','utf8'))[1])",
    ]);
    expect(uid.stdout).toBe('1001');
    const rootWrite = await frontend.exec([
      'node',
      '-e',
      "require('fs').writeFileSync('/app/probe', 'x')",
    ]);
    expect(rootWrite.stderr).toMatch(/EROFS|read-only file system/i);
  });

  it('reports the backend container as reachable in its readiness checks', async () => {
    const res = await fetch(`${frontendBase}/ready`);
    const body = (await res.json()) as {
      status: string;
      checks: Record<string, { status: string }>;
    };
    expect(res.status).toBe(200);
    expect(Object.values(body.checks).map((check) => check.status)).toEqual(['ok']);
  });

  it('serves the login page', async () => {
    const res = await fetch(`${frontendBase}/login`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toMatch(/<form[\s>]/i);
  });

  it('proxies registration to the backend container', async () => {
    const account = newAccount();
    const res = await fetch(`${frontendBase}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(account),
    });
    expect(res.status).toBe(201);
    // The account exists in the backend itself: logging in there directly works.
    const session = await login(backendBase, account);
    expect(session.userId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs JSON lines to stdout', async () => {
    const { stdout } = await frontend.logs();
    expect(logLines(stdout).filter(isJsonObject).length).toBeGreaterThan(0);
  });
});
