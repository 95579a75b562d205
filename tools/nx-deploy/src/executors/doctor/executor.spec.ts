/**
 * doctor: unit tests of the report, and a run against the recorded shims (no cluster can run in
 * CI; minikube, kubectl, docker and podman are test/shims, helm is the real Helm).
 */
import { rmSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { ShimWorld } from '../../../test/harness';
import { execCommand, type CommandResult } from '../../lib/exec';
import { realKubectl, refusingKubeconfig } from '../../../test/harness';
import { quantity } from '../../lib/kube';
import { nodeAllocatable } from '../../lib/kube-objects';
import { runDoctor } from './executor';
import type { DoctorObservation } from './observe';
import { normalizeDoctorOptions } from './options';
import { doctorReport } from './report';

const ok = (stdout: string): CommandResult => ({
  command: 'x',
  args: [],
  stdout,
  stderr: '',
  exitCode: 0,
  notFound: false,
  durationMs: 1,
});
const failed = (stderr: string): CommandResult => ({ ...ok(''), stderr, exitCode: 1 });

const healthy: DoctorObservation = {
  tools: [
    { name: 'docker', found: true, version: '28.2.2' },
    { name: 'minikube', found: true, version: 'v1.35.0' },
    { name: 'kubectl', found: true, version: 'v1.32.4' },
    { name: 'helm', found: true, version: 'v4.1.4' },
  ],
  engineDaemon: ok('28.2.2'),
  clusterStatus: ok('{"Host":"Running","Kubelet":"Running","APIServer":"Running"}'),
  currentContext: ok('minikube'),
  clusterReady: ok('ok'),
  context: 'minikube',
  nodes: ok(
    JSON.stringify({
      apiVersion: 'v1',
      items: [
        {
          metadata: { name: 'minikube' },
          status: { allocatable: { cpu: '2', memory: '3993600Ki' } },
        },
      ],
    }),
  ),
  host: { cpus: 4, freeMemoryMiB: 8000 },
};
const options = normalizeDoctorOptions({}, {});

describe('doctorReport', () => {
  it('says everything a deploy needs is there, with versions and the Helm flag', () => {
    const lines = doctorReport(healthy, options);
    expect(lines.every((l) => l.status === 'ok')).toBe(true);
    expect(lines.map((l) => l.text)).toEqual(
      expect.arrayContaining([
        'docker 28.2.2',
        'helm v4.1.4',
        'minikube profile minikube is running',
        'kube context minikube',
        '4 CPUs on this machine',
      ]),
    );
  });

  it('gives each problem its fix', () => {
    const lines = doctorReport(
      {
        ...healthy,
        tools: healthy.tools.filter((t) => t.name !== 'helm'),
        engineDaemon: failed(
          'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
        ),
        clusterStatus: ok('{"Host":"Stopped","APIServer":"Stopped"}'),
        currentContext: ok('prod'),
        clusterReady: failed('The connection to the server 192.168.49.2:8443 was refused'),
        host: { cpus: 1, freeMemoryMiB: 1000 },
        nodes: undefined,
      },
      options,
    );
    expect(lines.filter((l) => l.status !== 'ok').map((l) => l.text)).toEqual([
      "docker's daemon does not answer (Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?) — start it (systemctl start docker, or dockerd), or use CONTAINER_ENGINE=podman",
      'helm is not installed — install Helm 3.8+ or 4: https://helm.sh/docs/intro/install/',
      'minikube profile minikube is not running (host Stopped, API server Stopped) — start it: minikube start -p minikube --cpus=2 --memory=4096',
      'current kube context is "prod", expected "minikube" — run: kubectl config use-context minikube, or pass --kubeContext=prod',
      'cluster does not answer (The connection to the server 192.168.49.2:8443 was refused) — check: kubectl cluster-info',
      '1 CPU(s) on this machine, a local cluster needs 2 — use a bigger machine or VM',
      '1000 MiB free memory, 4096 MiB recommended — close programs or start minikube with --memory=2200',
    ]);
  });

  it('turns unexpected or empty tool output into one line naming the tool and its version', () => {
    const cases: Array<[Partial<DoctorObservation>, string]> = [
      [
        { clusterStatus: ok('') },
        'minikube v1.35.0: "minikube -p minikube status -o json" printed nothing where a status was expected — check: minikube -p minikube status',
      ],
      [
        { clusterStatus: ok('null') },
        'minikube v1.35.0: "minikube -p minikube status -o json" printed "null" where a status was expected — check: minikube -p minikube status',
      ],
      [
        { clusterStatus: ok('🤷 something else') },
        'minikube v1.35.0: "minikube -p minikube status -o json" printed "🤷 something else" where a status was expected — check: minikube -p minikube status',
      ],
      [
        { nodes: ok('') },
        'kubectl v1.32.4: "kubectl get nodes -o json" printed nothing — check: kubectl --context minikube get nodes -o yaml',
      ],
      [
        { nodes: ok('{"kind":"Status"}') },
        'kubectl v1.32.4: "kubectl get nodes -o json" printed JSON without items ("{"kind":"Status"}") — check: kubectl --context minikube get nodes -o yaml',
      ],
      [
        { nodes: ok('{"items":[{"metadata":{"name":"n"}}]}') },
        'kubectl v1.32.4: "kubectl get nodes -o json" listed no node with status.allocatable — check: kubectl --context minikube get nodes -o yaml',
      ],
      [
        {
          nodes: ok(
            '{"items":[{"metadata":{"name":"n"},"status":{"allocatable":{"cpu":"two","memory":"4Gi"}}}]}',
          ),
        },
        'kubectl v1.32.4: "kubectl get nodes -o json" gave allocatable cpu "two" and memory "4Gi", which are no Kubernetes quantities — check: kubectl --context minikube get nodes -o yaml',
      ],
      [
        { clusterReady: ok('') },
        'kubectl v1.32.4: "kubectl get --raw /readyz" printed nothing where "ok" was expected — check: kubectl --context minikube get --raw \'/readyz?verbose\'',
      ],
      [
        { engineDaemon: ok('') },
        'docker 28.2.2: "docker info" printed no server version — check: docker info',
      ],
      [
        {
          tools: healthy.tools.map((t) =>
            t.name === 'helm'
              ? { name: 'helm', found: true, error: 'could not read a version from ""' }
              : t,
          ),
        },
        'helm: "helm version --template {{.Version}}" printed no version (got "") — reinstall Helm 3.8+ or 4: https://helm.sh/docs/intro/install/',
      ],
    ];
    for (const [change, expected] of cases) {
      const problems = doctorReport({ ...healthy, ...change }, options).filter(
        (l) => l.status !== 'ok',
      );
      expect(problems).toEqual([{ status: 'problem', text: expected }]);
    }
  });

  it('reads a multi-node minikube status, and warns when the nodes cannot be listed', () => {
    const lines = doctorReport(
      {
        ...healthy,
        clusterStatus: ok(
          '[{"Name":"minikube","Host":"Running","APIServer":"Running"},{"Name":"minikube-m02","Host":"Running"}]',
        ),
        nodes: failed(
          'Error from server (Forbidden): nodes is forbidden: User "dev" cannot list resource "nodes" in API group "" at the cluster scope',
        ),
      },
      options,
    );
    expect(lines.filter((l) => l.status !== 'ok')).toEqual([
      {
        status: 'warning',
        text: 'cannot list the cluster\'s nodes (Error from server (Forbidden): nodes is forbidden: User "dev" cannot list resource "nodes" in API group "" at the cluster scope) — their CPU and memory are not checked',
      },
    ]);
    expect(lines.map((l) => l.text)).toContain('minikube profile minikube is running');
  });

  it('reads Kubernetes quantities in every notation nodes report', () => {
    expect([quantity('2'), quantity('1500m'), quantity('8G'), quantity('4e9')]).toEqual([
      2, 1.5, 8e9, 4e9,
    ]);
    expect(quantity('3906Mi') / 2 ** 20).toBe(3906);
    expect(quantity('lots')).toBeNaN();
    expect(
      nodeAllocatable(
        '{"items":[{"metadata":{"name":"n"},"status":{"allocatable":{"cpu":"32","memory":"256Gi"}}}]}',
      ),
    ).toEqual({ cpu: 32, memoryMiB: 262144 });
  });

  it('accepts a kubeContext option equal to the current context', () => {
    const lines = doctorReport(
      { ...healthy, currentContext: ok('prod-eu') },
      normalizeDoctorOptions({ cluster: 'any', kubeContext: 'prod-eu' }, {}),
    );
    expect(lines.map((l) => l.text)).toContain('kube context prod-eu');
    expect(lines.filter((l) => l.status === 'problem')).toEqual([]);
  });

  it('refuses bad thresholds by name', () => {
    expect(() => normalizeDoctorOptions({ minCpus: 0 }, {})).toThrow(
      'Invalid option "minCpus": must be a whole number, 1 or more',
    );
  });
});

describe('doctor against the shims', () => {
  let world: ShimWorld;
  afterEach(() => world.leave());

  it('reports a healthy minikube setup and succeeds', async () => {
    world = new ShimWorld();
    world.enter();
    const lines: string[] = [];
    const result = await runDoctor({ ...options, minMemoryMiB: 256 }, execCommand, (l) =>
      lines.push(l),
    );
    expect(lines.join('\n')).toContain('✔ helm v3.17.2');
    expect(lines.join('\n')).toContain('✔ cluster node allocatable: 2 CPUs, 3906 MiB');
    expect(lines[lines.length - 1]).toMatch(/^✔ doctor: ready to deploy/);
    expect(result.success).toBe(true);
  });

  it('fails with one line per problem when minikube is missing and the engine is down', async () => {
    world = new ShimWorld({
      tools: ['helm', 'kubectl', 'docker'],
      state: { engineDown: ['docker'], kube: {} },
    });
    world.enter();
    const lines: string[] = [];
    const result = await runDoctor({ ...options, minMemoryMiB: 256 }, execCommand, (l) =>
      lines.push(l),
    );
    expect(result.success).toBe(false);
    expect(lines).toContain(
      '✖ minikube is not installed — install minikube: https://minikube.sigs.k8s.io/docs/start/',
    );
    expect(lines.some((l) => l.startsWith("✖ docker's daemon does not answer"))).toBe(true);
    expect(lines).toContain(
      '✖ no current kube context, expected "minikube" — run: kubectl config use-context minikube',
    );
  });

  it.each([3, 4] as const)(
    'probes the real Helm %i and kubectl 1.33 with flags both accept',
    async (major) => {
      world = new ShimWorld({ tools: ['minikube', 'docker'] });
      world.useRealHelm(major);
      rmSync(path.join(world.bin, 'kubectl'), { force: true });
      symlinkSync(realKubectl(), path.join(world.bin, 'kubectl'));
      world.env['KUBECONFIG'] = refusingKubeconfig(world.dir, ['minikube']);
      world.enter();
      const lines: string[] = [];
      await runDoctor({ ...options, minMemoryMiB: 256 }, execCommand, (l) => lines.push(l));
      expect(lines).toEqual(
        expect.arrayContaining([
          major === 4 ? '✔ helm v4.1.4' : '✔ helm v3.17.2',
          '✔ kubectl v1.33.9',
          '✔ kube context minikube',
          '✖ cluster does not answer (The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?) — check: kubectl cluster-info',
        ]),
      );
      expect(lines.join('\n')).not.toMatch(/unknown flag|TypeError/);
    },
  );
});
