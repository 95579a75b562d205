import type { IContainer, IPodSpec } from 'kubernetes-models/v1';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  engineCommand,
  freePort,
  type PostgresCluster,
  runArgs,
  waitForReady,
  waitForStartup,
} from '@todo/test-support';
import { type K8sObject, RELEASE, template, valuesArgs } from '../src/helm';
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
 * A rolling update of the chart's Deployments (maxSurge 1, maxUnavailable 0) under load, on the
 * real images: v1 of both apps serves behind Services; v2 is started from a new render of the
 * pod spec, joins its Service's endpoints once its readinessProbe passes, then v1 is terminated
 * as the kubelet does (it leaves the endpoints, its preStop sleep runs, SIGTERM, grace period,
 * SIGKILL). No cluster can run pods here, so the kubelet stand-in runs each pod on the host
 * network with a port of its own, and each Service is the small L4 balancer below: round robin
 * per connection over ready endpoints, established connections kept, as kube-proxy does.
 * Load: mixed reads and writes through the frontend, open loop.
 */

/**
 * Requests a second the load sends, open loop (each starts on time, whatever the others do).
 * Two cores run the load, the balancer, both apps and PostgreSQL: an idle machine of this kind
 * holds ROLLING_UPDATE_RATE=200, a busy one sends barely 170, so the default leaves room for a
 * busy CI machine (a rate a machine cannot send would test the machine, not the rollout).
 */
const RATE = Number(process.env.ROLLING_UPDATE_RATE ?? 100);
const WRITE_SHARE = 0.3;
const USERS = 10;

/** A Service: connections to `port` go, round robin, to one of the ready endpoints. */
class ServiceProxy {
  private endpoints: number[] = [];
  private next = 0;
  private readonly connections = new Set<Socket>();
  private readonly server: Server;

  constructor(readonly port: number) {
    this.server = createServer((client) => {
      const target = this.endpoints[this.next++ % Math.max(1, this.endpoints.length)];
      if (target === undefined) {
        client.destroy();
        return;
      }
      const upstream = connect(target, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.connections.add(socket);
        socket.once('close', () => this.connections.delete(socket));
      }
      // One TCP connection end to end, as through kube-proxy's NAT: an end (FIN) or a reset on
      // one side reaches the other, and data for a side already closed is answered with a reset.
      for (const [from, to] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        from.on('data', (chunk) => {
          if (to.writable) to.write(chunk);
          else from.resetAndDestroy();
        });
        from.once('end', () => to.end());
        from.once('error', () => to.resetAndDestroy());
      }
    });
  }

  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
  }

  add(port: number): void {
    this.endpoints.push(port);
  }

  remove(port: number): void {
    this.endpoints = this.endpoints.filter((endpoint) => endpoint !== port);
  }

  close(): Promise<void> {
    for (const socket of this.connections) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

interface Pod {
  app: App;
  name: string;
  port: number;
  spec: IPodSpec;
  container: IContainer;
  objects: K8sObject[];
}

const suffix = `${process.pid}-${Date.now().toString(36)}`;
const scratchDir = mkdtempSync(path.join(tmpdir(), 'rolling-emptydirs-'));
const started: string[] = [];
const services = {} as Record<App, ServiceProxy>;
const images = {} as Record<App, { image: string; tag: string }>;
let postgresPort = 0;
let postgres: PostgresCluster | undefined;
/** The first render's Secrets: an upgrade keeps them (the chart looks them up). */
let secrets: K8sObject[] = [];
let revision = 0;

/** The release rendered with `app` listening on `podPort`, as one revision of the Deployment. */
function render(app: App, podPort: number): K8sObject[] {
  const args = [...valuesArgs('values-dev.yaml'), '--set', `postgresql.port=${postgresPort}`];
  for (const each of APPS) {
    args.push(
      '--set',
      `${each}.image.repository=${images[each].image}`,
      '--set',
      `${each}.image.tag=${images[each].tag}`,
      '--set',
      `${each}.service.port=${services[each].port}`,
    );
  }
  args.push('--set', `${app}.containerPort=${podPort}`);
  // The chart's 500m limit holds one frontend pod near 130 requests a second of this load on this
  // two-core machine; while the new pod starts beside it, the old one falls behind, and what
  // waits in its accept queue is reset when it closes its listener. Capacity, not the rollout,
  // is what that measures; the rollout is tested with headroom.
  args.push('--set', 'frontend.resources.limits.cpu=2');
  const objects = template(4, args);
  if (secrets.length === 0) secrets = findAll(objects, 'Secret');
  return [...objects.filter((object) => object.kind !== 'Secret'), ...secrets];
}

/** Starts a pod of `app` from a new render and adds it to its Service once it is ready. */
async function startPod(app: App): Promise<Pod> {
  const port = await freePort();
  const objects = render(app, port);
  const deployment = find(objects, 'Deployment', `${RELEASE}-${app}`);
  const pod: Pod = {
    app,
    name: `rolling-${app}-${++revision}-${suffix}`,
    port,
    spec: podTemplate(deployment).spec,
    container: container(deployment, app),
    objects,
  };
  const serviceNames = findAll(objects, 'Service').map((service) => service.metadata.name);
  await engineCommand(
    runArgs(objects, pod.spec, pod.container, pod.name, serviceNames, scratchDir),
  );
  started.push(pod.name);
  try {
    await waitForStartup(pod.container, pod.name);
    await waitForReady(pod.container);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${await logs(pod.name)}`);
  }
  services[app].add(port);
  return pod;
}

/**
 * Terminates a pod as the kubelet does: it leaves the endpoints at once (kube-proxy stops sending
 * it new connections), preStop runs, then SIGTERM, and SIGKILL if the grace period runs out.
 * Resolves with the container's exit code.
 */
async function terminatePod(pod: Pod): Promise<number> {
  services[pod.app].remove(pod.port);
  const graceMs = Number(pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
  const preStopMs = Number(pod.container.lifecycle?.preStop?.sleep?.seconds ?? 0) * 1000;
  await new Promise((resolve) => setTimeout(resolve, preStopMs));
  const { stdout } = await engineCommand([
    'stop',
    '--time',
    String(Math.max(1, Math.round((graceMs - preStopMs) / 1000))),
    pod.name,
  ]).then(() => engineCommand(['inspect', '--format', '{{.State.ExitCode}}', pod.name]));
  return Number(stdout.trim());
}

interface Outcome {
  kind: 'read' | 'write';
  startedAt: number;
  endedAt: number;
  status: number;
  error?: string;
}

interface Session {
  cookie: string;
  email: string;
}

const frontendUrl = () => `http://127.0.0.1:${services.frontend.port}`;
const json = { 'content-type': 'application/json' };

async function signIn(index: number): Promise<Session> {
  const user = {
    name: `Rolling ${index}`,
    email: `rolling-${index}-${suffix}@example.com`,
    password: 'correct horse battery',
  };
  const registered = await fetch(`${frontendUrl()}/api/auth/register`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify(user),
  });
  if (registered.status !== 201) throw new Error(`register answered ${registered.status}`);
  const login = await fetch(`${frontendUrl()}/api/auth/login`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ email: user.email, password: user.password }),
  });
  if (login.status !== 200) throw new Error(`login answered ${login.status}`);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return { cookie, email: user.email };
}

/** Open-loop load through the frontend until `stop()`; acknowledged writes are remembered. */
function startLoad(sessions: Session[]) {
  const outcomes: Outcome[] = [];
  const acknowledged = new Map<string, Session>();
  const pending = new Set<Promise<void>>();
  let sent = 0;
  const send = () => {
    const session = sessions[sent % sessions.length];
    const kind = Math.random() < WRITE_SHARE ? 'write' : 'read';
    const title = `task ${sent} of ${suffix}`;
    sent += 1;
    const startedAt = Date.now();
    const request = fetch(`${frontendUrl()}/api/tasks`, {
      method: kind === 'write' ? 'POST' : 'GET',
      headers: { ...json, cookie: session.cookie },
      body: kind === 'write' ? JSON.stringify({ title }) : undefined,
      signal: AbortSignal.timeout(30_000),
    })
      .then(async (response) => {
        await response.arrayBuffer();
        outcomes.push({ kind, startedAt, endedAt: Date.now(), status: response.status });
        if (kind === 'write' && response.status === 201) acknowledged.set(title, session);
      })
      .catch((error: Error & { cause?: { code?: string } }) => {
        outcomes.push({
          kind,
          startedAt,
          endedAt: Date.now(),
          status: 0,
          error: error.cause?.code ?? error.message,
        });
      })
      .finally(() => pending.delete(request));
    pending.add(request);
  };
  const began = Date.now();
  const timer = setInterval(() => {
    // Catch up on ticks a busy event loop delayed, so the rate holds on average.
    const due = Math.floor(((Date.now() - began) * RATE) / 1000);
    while (sent < due) send();
  }, 5);
  return {
    outcomes,
    acknowledged,
    async stop() {
      clearInterval(timer);
      await Promise.all([...pending]);
      return { seconds: (Date.now() - began) / 1000, sent };
    },
  };
}

/** The longest time no request of the load was answered successfully. */
function longestGapMs(outcomes: Outcome[]): number {
  const answered = outcomes
    .filter((outcome) => outcome.status >= 200 && outcome.status < 300)
    .map((outcome) => outcome.endedAt)
    .sort((a, b) => a - b);
  let longest = 0;
  for (let i = 1; i < answered.length; i += 1)
    longest = Math.max(longest, answered[i] - answered[i - 1]);
  return longest;
}

/** Every acknowledged write, looked up in its user's list after the rollout. */
async function lostWrites(acknowledged: Map<string, Session>): Promise<string[]> {
  const stored = new Map<string, Set<string>>();
  for (const session of new Set(acknowledged.values())) {
    const listed = await fetch(`${frontendUrl()}/api/tasks`, {
      headers: { cookie: session.cookie },
    });
    const { tasks } = (await listed.json()) as { tasks: { title: string }[] };
    stored.set(session.email, new Set(tasks.map((task) => task.title)));
  }
  return [...acknowledged]
    .filter(([title, session]) => !stored.get(session.email)?.has(title))
    .map(([title]) => title);
}

function failures(outcomes: Outcome[]): Record<string, number> {
  const counted: Record<string, number> = {};
  for (const outcome of outcomes) {
    if (outcome.status >= 200 && outcome.status < 300) continue;
    const key = `${outcome.kind} ${outcome.error ?? outcome.status}`;
    counted[key] = (counted[key] ?? 0) + 1;
  }
  return counted;
}

const current = {} as Record<App, Pod>;
let sessions: Session[] = [];

beforeAll(async () => {
  for (const app of APPS) {
    images[app] = builtImage(app);
    services[app] = new ServiceProxy(await freePort());
    await services[app].listen();
  }
  postgresPort = await freePort();
  const first = render('backend', await freePort());
  postgres = await startChartPostgres(first, postgresPort);
  current.backend = await startPod('backend');
  current.frontend = await startPod('frontend');
  sessions = [];
  for (let index = 0; index < USERS; index += 1) sessions.push(await signIn(index));
}, 180_000);

afterAll(async () => {
  removeContainers(started);
  for (const app of APPS) await services[app]?.close();
  await postgres?.destroy();
  rmSync(scratchDir, { recursive: true, force: true });
}, 60_000);

/** Rolls `apps` one after the other under load; returns what the load saw. */
async function rollUnderLoad(apps: App[]) {
  const load = startLoad(sessions);
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const exitCodes: Record<string, number> = {};
  for (const app of apps) {
    const old = current[app];
    current[app] = await startPod(app);
    exitCodes[app] = await terminatePod(old);
  }
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const { seconds, sent } = await load.stop();
  const report = {
    rate: Math.round(sent / seconds),
    requests: load.outcomes.length,
    writes: load.acknowledged.size,
    longestGapMs: longestGapMs(load.outcomes),
  };
  // The figures a reader of the CI log wants; the assertions below are what must hold.
  process.stdout.write(`rolling update of ${apps.join(' and ')}: ${JSON.stringify(report)}\n`);
  return {
    exitCodes,
    failed: failures(load.outcomes),
    lost: await lostWrites(load.acknowledged),
    report,
  };
}

describe('a rolling update under load', () => {
  it('rolls the backend, then the frontend: no request fails, no acknowledged write is lost', async () => {
    const result = await rollUnderLoad(['backend', 'frontend']);
    expect(result.failed).toEqual({});
    expect(result.lost).toEqual([]);
    expect(result.exitCodes).toEqual({ backend: 0, frontend: 0 });
    expect(result.report.requests).toBeGreaterThan(RATE * 5);
  }, 240_000);

  it('rolls the backend alone: no request fails, no acknowledged write is lost', async () => {
    const result = await rollUnderLoad(['backend']);
    expect(result.failed).toEqual({});
    expect(result.lost).toEqual([]);
    expect(result.exitCodes).toEqual({ backend: 0 });
  }, 240_000);
});
