/**
 * doctor: unit tests of the report, and a run against the recorded shims (no cluster can run in
 * CI; minikube, kubectl, docker and podman are test/shims, helm is the real Helm).
 */
import { ShimWorld } from '../../../test/harness';
import { execCommand, type CommandResult } from '../../lib/exec';
import {
  doctorReport,
  normalizeDoctorOptions,
  runDoctor,
  type DoctorObservation,
} from './executor';

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
  node: { cpu: 2, memoryMiB: 3900 },
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
        'helm v4.1.4 (deploy uses --rollback-on-failure)',
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
        node: undefined,
      },
      options,
    );
    expect(lines.filter((l) => l.status !== 'ok').map((l) => l.text)).toEqual([
      "docker's daemon does not answer (Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?) — start it (systemctl start docker, or dockerd), or use CONTAINER_ENGINE=podman",
      'helm is not installed — install Helm 3.8+ or 4: https://helm.sh/docs/intro/install/',
      'minikube profile minikube is not running (host Stopped, API server Stopped) — start it: minikube start -p minikube --cpus=2 --memory=4096',
      'current kube context is "prod", expected "minikube" — run: kubectl config use-context minikube',
      'cluster does not answer (The connection to the server 192.168.49.2:8443 was refused) — check: kubectl cluster-info',
      '1 CPU(s) on this machine, a local cluster needs 2 — use a bigger machine or VM',
      '1000 MiB free memory, 4096 MiB recommended — close programs or start minikube with --memory=2200',
    ]);
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
    expect(lines.join('\n')).toContain('✔ helm v3.17.2 (deploy uses --atomic)');
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
    expect(lines).toContain('✖ no current kube context — run: kubectl config use-context minikube');
  });
});
