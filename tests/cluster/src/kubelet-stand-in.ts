import {
  engineCommand,
  freePort,
  type K8sObject,
  type PostgresCluster,
  runArgs,
  startPostgres,
  decodeSecret,
} from '@todo/test-support';
import type { IPod } from 'kubernetes-models/v1';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { World } from './cluster';

/**
 * The kubelet half that KWOK leaves out. KWOK gives the pods their status but runs nothing, so
 * this stand-in starts each app pod's container for real, from the pod spec the API server holds
 * and the ConfigMaps and Secrets it names (the chart tests' kubelet emulation, libs/test-support),
 * and tells KWOK where it is: a PortForward (so `kubectl port-forward pod/NAME` through the API
 * server reaches the container) and a Logs object (so `kubectl logs` reads the container's log,
 * which podman writes in the CRI format). Only images that `minikube image load` received run,
 * as on a node with imagePullPolicy Never. The PostgreSQL pod is played by a throwaway
 * PostgreSQL with the credentials of the release's Secret (its image cannot be pulled here).
 *
 * Readiness is the container's, as a kubelet reports it: in the namespaces the stand-in serves,
 * KWOK's pod stage leaves pods Running but not Ready (gateReadiness), and the stand-in marks a pod
 * Ready once its container's readinessProbe passes, probed when a kubelet would (the startupProbe
 * from the start and every periodSeconds until it passes, then readiness), and reports the
 * container terminated if it exits. A Deployment therefore becomes available only when the real app says it is ready.
 *
 * Host networking is the only network here, so each container gets a port of its own (PORT is
 * set to it) and the database's Service name is replaced by that server's address.
 */

/** Every namespace a stand-in serves in the cluster suite and the deploy benchmark. */
const STAND_IN_NAMESPACES = ['todo-dev', 'todo-helm3', 'bench-deploy'];

interface Stage {
  metadata: { name: string; resourceVersion?: string; [key: string]: unknown };
  spec: {
    selector: { matchExpressions: Array<{ key: string; operator: string; values?: string[] }> };
    next: { statusTemplate: string };
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/**
 * Gives readiness of the pods in STAND_IN_NAMESPACES to the stand-in: KWOK's `pod-ready` stage
 * skips them, and a copy of it marks them Running with unready containers. Returns the undo.
 */
export async function gateReadiness(world: World): Promise<() => Promise<void>> {
  const original = await world.kubectlJson<Stage>('get', 'stage', 'pod-ready');
  const clean = (stage: Stage): Stage => ({
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'Stage',
    metadata: { name: stage.metadata.name },
    spec: stage.spec,
  });
  const expressions = original.spec.selector.matchExpressions.filter(
    (e) => e.key !== '.metadata.namespace',
  );
  const elsewhere = clean(original);
  elsewhere.spec = {
    ...original.spec,
    selector: {
      matchExpressions: [
        ...expressions,
        { key: '.metadata.namespace', operator: 'NotIn', values: STAND_IN_NAMESPACES },
      ],
    },
  };
  const gated: Stage = {
    ...clean(original),
    metadata: { name: 'pod-running-kubelet-stand-in' },
    spec: {
      ...original.spec,
      selector: {
        matchExpressions: [
          ...expressions,
          { key: '.metadata.namespace', operator: 'In', values: STAND_IN_NAMESPACES },
        ],
      },
      next: {
        ...original.spec.next,
        statusTemplate: original.spec.next.statusTemplate
          .replace(/status: "True"(\s+type: (Ready|ContainersReady))/g, 'status: "False"$1')
          .replace(/ready: true/g, 'ready: false'),
      },
    },
  };
  world.apply(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [elsewhere, gated] }));
  return async () => {
    await world.kubectl('delete', 'stage', gated.metadata.name, '--ignore-not-found');
    world.apply(
      JSON.stringify(
        clean({
          ...original,
          spec: { ...original.spec, selector: { matchExpressions: expressions } },
        }),
      ),
    );
  };
}

interface Running {
  container: string;
  port: number;
  /** Set once the startup probe passed (at once when the container has none). */
  started: boolean;
  /** When the next startup or readiness probe is due (ms since the epoch). */
  nextProbeAt: number;
  /** Set once the readiness probe passed or the container exited. */
  settled?: 'ready' | 'exited';
  pod: IPod;
}

type Probe = NonNullable<NonNullable<IPod['spec']>['containers'][number]['readinessProbe']>;

const POLL_MS = 300;

export class KubeletStandIn {
  private readonly pods = new Map<string, Running>();
  private readonly failed = new Set<string>();
  private readonly attempts = new Map<string, number>();
  private readonly databasePods = new Set<string>();
  private postgres?: Promise<PostgresCluster>;
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private stopped = false;
  readonly events: string[] = [];
  private readonly logDir: string;

  constructor(
    private readonly world: World,
    private readonly namespace: string,
  ) {
    this.logDir = path.join(world.dir, `pod-logs-${namespace}`);
    mkdirSync(this.logDir, { recursive: true });
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.polling = this.sync()
        .catch((error: Error) => void this.events.push(`sync failed: ${error.message}`))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, POLL_MS);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.polling;
    await Promise.all([...this.pods.keys()].map((pod) => this.stopPod(pod)));
    if (this.postgres) await (await this.postgres).destroy();
  }

  private async sync(): Promise<void> {
    const list = await this.world.kubectlJson<{ items: IPod[] }>(
      'get',
      'pods',
      '-n',
      this.namespace,
    );
    const live = new Set<string>();
    for (const pod of list.items) {
      const name = pod.metadata?.name ?? '';
      if (pod.metadata?.deletionTimestamp) continue;
      live.add(name);
      const running = this.pods.get(name);
      if (running) {
        await this.report(running);
        continue;
      }
      if (this.failed.has(name)) continue;
      const image = pod.spec?.containers[0]?.image ?? '';
      if (image.startsWith('postgres:')) {
        await this.playDatabase(pod);
        continue;
      }
      if (!image.startsWith('localhost/todo/')) continue;
      if (!this.world.loadedImages().includes(image)) {
        this.failed.add(name);
        this.events.push(`${name}: image ${image} was never loaded into the cluster`);
        continue;
      }
      try {
        this.pods.set(name, await this.startPod(pod));
        this.events.push(`${name}: started ${image}`);
      } catch (error) {
        // The kubelet retries a pod whose ConfigMap or Secret is not there yet.
        const attempts = (this.attempts.get(name) ?? 0) + 1;
        this.attempts.set(name, attempts);
        if (attempts >= 20) this.failed.add(name);
        this.events.push(`${name}: could not start: ${(error as Error).message}`);
      }
    }
    for (const pod of [...this.pods.keys()]) if (!live.has(pod)) await this.stopPod(pod);
  }

  /** The PostgreSQL pod: ready once the throwaway server with the release's password runs. */
  private async playDatabase(pod: IPod): Promise<void> {
    const name = pod.metadata?.name as string;
    if (this.databasePods.has(name)) return;
    const release = pod.metadata?.labels?.['app.kubernetes.io/instance'] ?? '';
    const secrets = await this.world.kubectlJson<{ items: K8sObject[] }>(
      'get',
      'secrets',
      '-n',
      this.namespace,
    );
    await this.database(
      secrets.items.map((o) => ({ ...o, kind: 'Secret' })),
      release,
    );
    this.databasePods.add(name);
    await this.setReady(pod);
    this.events.push(`${name}: PostgreSQL answers`);
  }

  /** What a kubelet reports after the start: Ready when the probe passes, or the exit. */
  private async report(running: Running): Promise<void> {
    if (running.settled) return;
    const c = running.pod.spec?.containers[0];
    const state = await engineCommand([
      'inspect',
      '--format',
      '{{.State.Running}} {{.State.ExitCode}}',
      running.container,
    ]).catch(() => ({ stdout: 'false -1' }));
    const [alive, exitCode] = state.stdout.trim().split(' ');
    if (alive !== 'true') {
      running.settled = 'exited';
      await this.setExited(running.pod, Number(exitCode));
      this.events.push(`${running.pod.metadata?.name}: exited with code ${exitCode}`);
      return;
    }
    // As the kubelet's prober: the startup probe from the container's start, then every
    // periodSeconds until it passes; the readiness probe at once after that (the kubelet
    // triggers it when the container counts as started), then every periodSeconds.
    if (!running.started && c?.startupProbe?.httpGet) {
      if (Date.now() < running.nextProbeAt) return;
      if (!(await this.probe(running, c.startupProbe))) return;
      running.started = true;
      running.nextProbeAt = 0;
    }
    const readiness = c?.readinessProbe;
    if (!readiness?.httpGet || Date.now() < running.nextProbeAt) return;
    if (await this.probe(running, readiness)) {
      running.settled = 'ready';
      await this.setReady(running.pod);
      this.events.push(`${running.pod.metadata?.name}: ready`);
    }
  }

  /** One HTTP probe of the container; a failure sets when the next one is due. */
  private async probe(running: Running, probe: Probe): Promise<boolean> {
    const started = Date.now();
    const ok = await fetch(`http://127.0.0.1:${running.port}${probe.httpGet?.path ?? '/'}`, {
      signal: AbortSignal.timeout((probe.timeoutSeconds ?? 1) * 1000),
    })
      .then((response) => response.status >= 200 && response.status < 400)
      .catch(() => false);
    if (!ok) running.nextProbeAt = started + (probe.periodSeconds ?? 10) * 1000;
    return ok;
  }

  private async setReady(pod: IPod): Promise<void> {
    const now = new Date().toISOString();
    await this.patchStatus(pod, {
      conditions: [
        { type: 'Ready', status: 'True', lastTransitionTime: now },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
      ],
      containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
        name: c.name,
        image: c.image,
        imageID: '',
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: pod.status?.startTime ?? now } },
      })),
    });
  }

  private async setExited(pod: IPod, exitCode: number): Promise<void> {
    const now = new Date().toISOString();
    await this.patchStatus(pod, {
      conditions: [
        { type: 'Ready', status: 'False', lastTransitionTime: now },
        { type: 'ContainersReady', status: 'False', lastTransitionTime: now },
      ],
      containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
        name: c.name,
        image: c.image,
        imageID: '',
        ready: false,
        started: false,
        restartCount: 1,
        state: {
          waiting: { reason: 'CrashLoopBackOff', message: 'back-off restarting failed container' },
        },
        lastState: {
          terminated: {
            exitCode,
            reason: 'Error',
            startedAt: pod.status?.startTime ?? now,
            finishedAt: now,
          },
        },
      })),
    });
  }

  private async patchStatus(pod: IPod, status: Record<string, unknown>): Promise<void> {
    await this.world.kubectl(
      'patch',
      'pod',
      pod.metadata?.name as string,
      '-n',
      this.namespace,
      '--subresource=status',
      '--type=strategic',
      '-p',
      JSON.stringify({ status }),
    );
  }

  private async database(objects: K8sObject[], release: string): Promise<PostgresCluster> {
    this.postgres ??= (async () => {
      const secret = objects.find(
        (o) => o.kind === 'Secret' && o.metadata.name === `${release}-postgresql`,
      );
      if (!secret) throw new Error(`no Secret ${release}-postgresql`);
      return startPostgres({
        user: 'todo',
        password: decodeSecret(secret).password,
        database: 'todo',
      });
    })().catch((error: Error) => {
      this.postgres = undefined;
      throw error;
    });
    return this.postgres;
  }

  private async startPod(pod: IPod): Promise<Running> {
    const name = pod.metadata?.name as string;
    const release = pod.metadata?.labels?.['app.kubernetes.io/instance'] ?? '';
    const c = pod.spec?.containers[0];
    if (!c || !pod.spec) throw new Error('no container');
    const [configMaps, secrets] = await Promise.all([
      this.world.kubectlJson<{ items: K8sObject[] }>('get', 'configmaps', '-n', this.namespace),
      this.world.kubectlJson<{ items: K8sObject[] }>('get', 'secrets', '-n', this.namespace),
    ]);
    const objects = [
      ...configMaps.items.map((o) => ({ ...o, kind: 'ConfigMap' })),
      ...secrets.items.map((o) => ({ ...o, kind: 'Secret' })),
    ];
    const port = await freePort();
    const container = `kubelet-${this.namespace}-${name}`;
    const logFile = path.join(this.logDir, `${name}.log`);
    const args = runArgs(objects, pod.spec, c, container, [], this.world.dir);
    const usesDatabase = args.some((a) => a.startsWith('DATABASE_URL='));
    const database = usesDatabase ? await this.database(objects, release) : undefined;
    const rewritten = args.map((arg) => {
      if (arg.startsWith('PORT=')) return `PORT=${port}`;
      if (arg.startsWith('DATABASE_URL=') && database)
        return arg.replace(`@${release}-postgresql:5432/`, `@127.0.0.1:${database.port}/`);
      return arg;
    });
    rewritten.splice(1, 0, '--log-driver', 'k8s-file', '--log-opt', `path=${logFile}`);
    await engineCommand(rewritten);
    const probes = { started: false, nextProbeAt: Date.now() };
    const containerPort = c.ports?.[0]?.containerPort ?? port;
    const meta = { name, namespace: this.namespace };
    await this.apply([
      {
        apiVersion: 'kwok.x-k8s.io/v1alpha1',
        kind: 'PortForward',
        metadata: meta,
        spec: {
          forwards: [{ ports: [containerPort], target: { address: '127.0.0.1', port } }],
        },
      },
      {
        apiVersion: 'kwok.x-k8s.io/v1alpha1',
        kind: 'Logs',
        metadata: meta,
        spec: { logs: [{ containers: [c.name], logsFile: logFile, follow: true }] },
      },
    ]);
    return { container, port, pod, ...probes };
  }

  private async stopPod(pod: string): Promise<void> {
    const running = this.pods.get(pod);
    this.pods.delete(pod);
    if (!running) return;
    await engineCommand(['rm', '--force', '--time', '5', running.container]).catch(() => undefined);
    this.events.push(`${pod}: stopped`);
  }

  private async apply(objects: unknown[]): Promise<void> {
    const file = path.join(this.world.dir, `kwok-${Date.now()}-${Math.random()}.json`);
    writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    try {
      await this.world.kubectl('apply', '-f', file);
    } finally {
      rmSync(file, { force: true });
    }
  }
}
