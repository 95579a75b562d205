import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CONTEXT, workspaceRoot, type Session, type World } from './cluster';
import { startScene, type Scene } from './scene';

/**
 * The dev loop, `nx deploy <app> --watch`, as a user runs it: real Nx, Helm 4 and kubectl against a
 * real API server; the kubelet stand-in runs the pods' real containers, and their logs and
 * port-forwards come through the API server (KWOK's Logs and PortForward objects) from those
 * containers. Only `minikube image load` is a recorded stand-in.
 */

const NAMESPACE = 'todo-dev';
const WATCH = [
  'run-many',
  '-t',
  'deploy',
  '-p',
  'backend,frontend',
  '--configuration=dev',
  `--kubeContext=${CONTEXT}`,
  '--watch',
  '--watchDebounceMs=200',
  '--outputStyle=stream',
];
const CYCLE_MS = 240_000;

let scene: Scene;
let world: World;
let session: Session;
const sessions: Session[] = [];

function start(args: string[]): Session {
  session = world.start('npx', ['nx', ...args]);
  sessions.push(session);
  return session;
}
let backendPort: number;
let frontendPort: number;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: await response.text() };
}

async function revisions(): Promise<number[]> {
  return (await world.history(NAMESPACE)).map((h) => h.revision);
}

async function replicaSets(component: string): Promise<string[]> {
  return (await world.replicaSets(NAMESPACE, component)).map((rs) => rs.metadata.name).sort();
}

/** Waits for the next cycle line of `project` printed after `from`, and returns it. */
async function nextCycle(project: string, from: number): Promise<string> {
  const [line] = await session.waitFor(
    new RegExp(`(⟳|✖) ${project}: .* changed → .*`),
    CYCLE_MS,
    from,
  );
  return line;
}

beforeAll(async () => {
  scene = await startScene(4, NAMESPACE);
  world = scene.world;
  [backendPort, frontendPort] = [await freePort(), await freePort()];
  // Each app's forward on its own port, set where a user would: the project's deploy options.
  for (const [project, port] of [
    ['backend', backendPort],
    ['frontend', frontendPort],
  ] as const) {
    world.edit(`apps/${project}/project.json`, (text) => {
      const config = JSON.parse(text);
      config.targets.deploy.options.forwardPort = port;
      return `${JSON.stringify(config, null, 2)}\n`;
    });
  }
});

afterAll(async () => {
  // What the loops printed, for a failure's post-mortem (tmp/ is not in git).
  writeFileSync(
    path.join(workspaceRoot, 'tmp', 'watch-sessions.log'),
    sessions.map((s) => s.output).join('\n\n'),
  );
  for (const s of sessions) s.kill();
  await scene?.end();
});

describe('nx deploy --watch on a real API server', () => {
  test('first a full deploy of both apps, then both watch; logs stream and both apps answer on their ports', async () => {
    start(WATCH);
    for (const project of ['backend', 'frontend']) {
      const [first] = await session.waitFor(
        new RegExp(`(⟳|✖) ${project}: first deploy → .*`),
        900_000,
      );
      // Whichever takes the release lock second finds its image deployed already.
      expect(first).toMatch(
        /^⟳ .* → (revision \d+ rolled out|the image's content tag did not change)/,
      );
      await session.waitFor(new RegExp(`👀 watching .* for ${project}`), 60_000);
    }
    expect((await get(backendPort, '/ready')).status).toBe(200);
    expect((await get(frontendPort, '/')).status).toBe(200);
    // The running pod's log lines, read through the API server, prefixed with pod and container.
    expect(session.output).toMatch(
      /\[pod\/todo-app-backend-[a-z0-9]+-[a-z0-9]+\/backend\] .*listening/,
    );
  }, 900_000);

  test('a one-line backend change rolls the backend only; the forward follows the new pod through the rollout', async () => {
    const from = session.output.length;
    const before = await revisions();
    const frontendBefore = await replicaSets('frontend');
    const backendBefore = await replicaSets('backend');
    // Requests all through the rollout: the port the user holds must keep answering.
    const failures: string[] = [];
    let answered = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        try {
          const health = await get(backendPort, '/health');
          if (health.status === 200) answered++;
          else failures.push(`HTTP ${health.status}`);
        } catch (error) {
          failures.push((error as Error).message);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();

    world.edit('apps/backend/src/main.ts', (text) =>
      text.replace(
        "'listening; opening the database'",
        "'listening (dev loop); opening the database'",
      ),
    );
    const line = await nextCycle('backend', from);
    polling = false;
    await poller;
    expect(line).toMatch(
      /^⟳ backend: apps\/backend\/src\/main\.ts changed → revision \d+ rolled out/,
    );
    expect(await revisions()).toHaveLength(before.length + 1);
    expect(await replicaSets('frontend')).toEqual(frontendBefore);
    expect((await replicaSets('backend')).length).toBe(backendBefore.length + 1);
    // The new pod's first lines stream in, from the new code.
    await session.waitFor(
      /\[pod\/todo-app-backend-[^\]]+\] .*listening \(dev loop\)/,
      60_000,
      from,
    );
    // The forward moved to the new pod, and no request went unanswered meanwhile.
    await session.waitFor(
      new RegExp(`⇄ http://127.0.0.1:${backendPort} → pod todo-app-backend-`),
      10_000,
      from,
    );
    expect(failures).toEqual([]);
    expect(answered).toBeGreaterThan(0);
    // The frontend's watcher saw nothing it depends on.
    expect(session.output.slice(from)).not.toMatch(/frontend: .* changed/);
  });

  test('a test-only change builds nothing and makes no revision', async () => {
    const from = session.output.length;
    const before = await revisions();
    world.edit('apps/backend/src/app.spec.ts', (text) => `${text}\n// a test-only edit\n`);
    const line = await nextCycle('backend', from);
    expect(line).toMatch(/content tag did not change: nothing built, nothing rolled/);
    expect(await revisions()).toEqual(before);
    expect(session.output.slice(from)).not.toMatch(/nx run backend:docker-build/);
  });

  test('a broken build keeps the last good revision serving, and a fix recovers by itself', async () => {
    let from = session.output.length;
    const before = await revisions();
    world.edit('apps/backend/src/main.ts', (text) => `${text}\nconst broken = ;\n`);
    const failed = await nextCycle('backend', from);
    expect(failed).toMatch(/^✖ backend: apps\/backend\/src\/main\.ts changed → deploy failed/);
    expect(await revisions()).toEqual(before);
    expect((await get(backendPort, '/ready')).status).toBe(200);

    from = session.output.length;
    world.edit('apps/backend/src/main.ts', (text) =>
      text.replace('\nconst broken = ;\n', '\n// fixed\n'),
    );
    const recovered = await nextCycle('backend', from);
    expect(recovered).toMatch(/^⟳ backend: .* → revision \d+ rolled out/);
    expect(await revisions()).toHaveLength(before.length + 1);
    expect((await get(backendPort, '/ready')).status).toBe(200);
  });

  test('Ctrl-C stops both loops, their log streams and port-forwards, and leaves the release running', async () => {
    session.interrupt();
    // Nx reports a task stopped by Ctrl-C with 130, the shell's code for SIGINT.
    expect(await session.exited).toBe(130);
    // npx returns at once; Nx then ends the tasks' processes. Nothing of the process group may
    // outlive that: no kubectl logs or port-forward left behind.
    const deadline = Date.now() + 30_000;
    let left = '';
    do {
      left = (await world.run('pgrep', ['-g', String(session.pgid)])).stdout.trim();
      if (left) await new Promise((resolve) => setTimeout(resolve, 100));
    } while (left && Date.now() < deadline);
    expect(left).toBe('');
    await expect(get(backendPort, '/health')).rejects.toThrow();
    expect((await revisions()).length).toBeGreaterThan(0);
  });

  test('--cleanup uninstalls the release (and its claims) when the loop stops', async () => {
    start([
      'deploy',
      'backend',
      '--configuration=dev',
      `--kubeContext=${CONTEXT}`,
      '--watch',
      '--cleanup',
      '--forwardPort=0',
    ]);
    await session.waitFor(/👀 watching .* for backend/, CYCLE_MS);
    session.interrupt();
    expect(await session.exited).toBe(130);
    // The uninstall outlives the stopped task, and ends on its own.
    const deadline = Date.now() + 120_000;
    let releases: unknown[] = [{}];
    while (Date.now() < deadline && releases.length > 0) {
      releases = JSON.parse(await world.helm('list', '-n', NAMESPACE, '-o', 'json'));
      if (releases.length > 0) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(releases).toEqual([]);
    const claims = await world.kubectlJson('get', 'persistentvolumeclaims', '-n', NAMESPACE);
    expect(claims.items).toEqual([]);
  });
});
