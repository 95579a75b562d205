import type { IContainer, IPodSpec } from 'kubernetes-models/v1';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  containerEnv,
  engineCommand,
  freePort,
  type PostgresCluster,
  probe,
  runArgs,
  waitForReady,
  waitForStartup,
} from '@todo/test-support';
import { HELM_MAJORS, type K8sObject, RELEASE, template, valuesArgs } from '../src/helm';
import {
  APPS,
  type App,
  builtImage,
  logs,
  removeContainers,
  startChartPostgres,
} from '../src/images';
import { container, find, findAll, podTemplate } from '../src/k8s';

/**
 * The chart meets the real images: values-dev.yaml rendered by real Helm, then the backend and
 * frontend images started from the rendered pod specs by a kubelet stand-in (@todo/test-support's kubelet.ts: no
 * cluster can run here) against a real PostgreSQL, then every rendered probe called, the app used
 * through the frontend, the `helm test` pod run, and the pods terminated as a kubelet would.
 * Needs the images of `npx nx run-many -t docker-build` (dist/images/<app>.json names them).
 */

const suffix = `${process.pid}-${Date.now().toString(36)}`;
const containerName = (component: string) => `chart-test-${component}-${suffix}`;

let objects: K8sObject[];
let postgres: PostgresCluster | undefined;
const started: string[] = [];
// Host directories standing in for the pods' emptyDirs.
const scratchDir = mkdtempSync(path.join(tmpdir(), 'chart-emptydirs-'));
const ports: Record<App, number> = { backend: 0, frontend: 0 };

function appContainer(app: App): { podSpec: IPodSpec; container: IContainer } {
  const deployment = find(objects, 'Deployment', `${RELEASE}-${app}`);
  return { podSpec: podTemplate(deployment).spec, container: container(deployment, app) };
}

const serviceNames = () => findAll(objects, 'Service').map((service) => service.metadata.name);

async function startApp(app: App): Promise<void> {
  const { podSpec, container: c } = appContainer(app);
  const name = containerName(app);
  await engineCommand(runArgs(objects, podSpec, c, name, serviceNames(), scratchDir));
  started.push(name);
  try {
    await waitForStartup(c, name);
    // Traffic (and these tests) reach a pod only once it is Ready.
    await waitForReady(c);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${await logs(name)}`);
  }
}

beforeAll(async () => {
  const images = { backend: builtImage('backend'), frontend: builtImage('frontend') };
  // Host networking only: each app listens on a free port of this machine, and its Service port is
  // the same number (a Service maps port → targetPort; cluster DNS is emulated by --add-host).
  ports.backend = await freePort();
  ports.frontend = await freePort();
  const postgresPort = await freePort();
  const args = [
    ...valuesArgs('values-dev.yaml'),
    ...APPS.flatMap((app) => [
      '--set',
      `${app}.image.repository=${images[app].image}`,
      '--set',
      `${app}.image.tag=${images[app].tag}`,
      '--set',
      `${app}.containerPort=${ports[app]}`,
      '--set',
      `${app}.service.port=${ports[app]}`,
    ]),
    '--set',
    `postgresql.port=${postgresPort}`,
  ];
  const renders = HELM_MAJORS.map((major) => template(major, args));
  objects = renders[renders.length - 1];
  // Both Helm versions must give the kubelet the same pods (secrets are random per render).
  for (const app of APPS) {
    const withoutChecksums = (all: K8sObject[]) => {
      const spec = structuredClone(podTemplate(find(all, 'Deployment', `${RELEASE}-${app}`)));
      delete spec.metadata?.annotations?.['checksum/secret'];
      return spec;
    };
    expect(withoutChecksums(renders[0])).toEqual(withoutChecksums(renders[1]));
  }

  postgres = await startChartPostgres(objects, postgresPort);

  await startApp('backend');
  await startApp('frontend');
}, 180_000);

afterAll(async () => {
  removeContainers(started);
  await postgres?.destroy();
  rmSync(scratchDir, { recursive: true, force: true });
}, 60_000);

describe('the chart (values-dev.yaml) on the real images', () => {
  it.each(APPS)('%s answers every rendered probe at its rendered path and port', async (app) => {
    const { container: c } = appContainer(app);
    for (const kind of ['startupProbe', 'livenessProbe', 'readinessProbe'] as const) {
      const result = await probe(c, kind);
      expect({ kind, status: result.status, body: result.body }).toEqual({
        kind,
        status: 200,
        body: expect.any(String),
      });
    }
    const ready = JSON.parse((await probe(c, 'readinessProbe')).body) as { status: string };
    expect(ready.status).toBe('ok');
  });

  it('connects the backend to PostgreSQL with the credentials from the rendered Secret', async () => {
    const ready = JSON.parse(
      (await probe(appContainer('backend').container, 'readinessProbe')).body,
    ) as {
      checks: Record<string, { status: string }>;
    };
    expect(ready.checks.database?.status).toBe('ok');
  });

  it.each(APPS)('%s runs as uid/gid 1001 with nothing writable but its emptyDirs', async (app) => {
    const script = [
      "const fs = require('fs');",
      'const canWrite = (dir) => { try { fs.writeFileSync(dir + "/.probe", "x"); fs.rmSync(dir + "/.probe"); return true; } catch { return false; } };',
      "console.log(JSON.stringify({ uid: process.getuid(), gid: process.getgid(), root: canWrite('/'), app: canWrite(process.cwd()), tmp: canWrite('/tmp') }));",
    ].join(' ');
    const { stdout } = await engineCommand(['exec', containerName(app), 'node', '-e', script]);

    expect(JSON.parse(stdout)).toEqual({
      uid: 1001,
      gid: 1001,
      root: false,
      app: false,
      tmp: true,
    });
  });

  it('registers, adds a task and lists it through the frontend', async () => {
    const frontend = `http://127.0.0.1:${ports.frontend}`;
    const user = {
      name: 'Chart Test',
      email: `chart-${suffix}@example.com`,
      password: 'correct horse battery',
    };
    const json = { 'content-type': 'application/json' };

    const registered = await fetch(`${frontend}/api/auth/register`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify(user),
    });
    expect(registered.status).toBe(201);

    const login = await fetch(`${frontend}/api/auth/login`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email: user.email, password: user.password }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    expect(cookie).not.toBe('');

    const added = await fetch(`${frontend}/api/tasks`, {
      method: 'POST',
      headers: { ...json, cookie },
      body: JSON.stringify({ title: 'Deployed by the chart' }),
    });
    expect([200, 201]).toContain(added.status);

    const listed = await fetch(`${frontend}/api/tasks`, { headers: { cookie } });
    expect(listed.status).toBe(200);
    const { tasks } = (await listed.json()) as { tasks: { title: string; completed: boolean }[] };
    expect(tasks).toEqual([
      expect.objectContaining({ title: 'Deployed by the chart', completed: false }),
    ]);
  });

  it('passes its `helm test` pod, run from the rendered Pod', async () => {
    const [testPod] = findAll(objects, 'Pod');
    const spec = testPod.spec as IPodSpec;
    const name = containerName('helm-test');
    await engineCommand(
      runArgs(objects, spec, spec.containers[0], name, serviceNames(), scratchDir),
    );
    started.push(name);
    const { stdout: exitCode } = await engineCommand(['wait', name]);
    const output = await logs(name);

    expect({ exitCode: exitCode.trim(), output }).toEqual({
      exitCode: '0',
      output: expect.any(String),
    });
    expect(output).toContain(`http://${RELEASE}-backend:${ports.backend}/ready -> 200`);
    expect(output).toContain(`http://${RELEASE}-frontend:${ports.frontend}/ready -> 200`);
  }, 60_000);

  it.each(APPS)(
    '%s serves through its preStop sleep, then drains on SIGTERM and exits 0 within the grace period',
    async (app) => {
      const { podSpec, container: c } = appContainer(app);
      const name = containerName(app);
      const preStopMs = Number(c.lifecycle?.preStop?.sleep?.seconds) * 1000;
      const graceMs = Number(podSpec.terminationGracePeriodSeconds) * 1000;

      // The kubelet runs preStop first: the app is not signalled yet and keeps serving.
      const preStopEnds = Date.now() + preStopMs;
      while (Date.now() < preStopEnds) {
        expect((await probe(c, 'readinessProbe')).status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const signalled = Date.now();
      await engineCommand(['kill', '--signal', 'TERM', name]);
      const { stdout: exitCode } = await engineCommand(['wait', name]);
      const drainMs = Date.now() - signalled;

      expect({ exitCode: exitCode.trim(), output: await logs(name) }).toEqual({
        exitCode: '0',
        output: expect.any(String),
      });
      expect(preStopMs + drainMs).toBeLessThan(graceMs);
    },
    90_000,
  );
});

describe('the chart (values.yaml: embedded database) on the real backend image', () => {
  it('starts the backend with its database in the DATA_DIR emptyDir under a read-only root', async () => {
    const image = builtImage('backend');
    const port = await freePort();
    const embedded = template(4, [
      ...valuesArgs('values.yaml'),
      '--set',
      `backend.image.repository=${image.image}`,
      '--set',
      `backend.image.tag=${image.tag}`,
      '--set',
      'frontend.image.tag=unused',
      '--set',
      `backend.containerPort=${port}`,
      '--set',
      `backend.service.port=${port}`,
    ]);
    const deployment = find(embedded, 'Deployment', `${RELEASE}-backend`);
    const c = container(deployment, 'backend');
    const name = containerName('embedded-backend');
    const services = findAll(embedded, 'Service').map((service) => service.metadata.name);
    await engineCommand(
      runArgs(embedded, podTemplate(deployment).spec, c, name, services, scratchDir),
    );
    started.push(name);

    try {
      await waitForStartup(c, name);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${await logs(name)}`);
    }
    await waitForReady(c);
    const ready = await probe(c, 'readinessProbe');
    const dataDir = containerEnv(embedded, c).DATA_DIR;
    const { stdout } = await engineCommand([
      'exec',
      name,
      'node',
      '-e',
      `console.log(require('fs').readdirSync(${JSON.stringify(dataDir)}).length)`,
    ]);

    expect({ status: ready.status, body: ready.body }).toEqual({
      status: 200,
      body: expect.stringContaining('"status":"ok"'),
    });
    expect(Number(stdout.trim())).toBeGreaterThan(0);
  }, 90_000);
});
