/**
 * kubectl command lines of the executors, in one place so that kubectl.spec.ts can give each to
 * the real kubectl 1.33 and see it parse, and the line that says why one failed. Pure.
 */
import type { CommandResult } from './exec';
import { instanceSelector, RELEASE_KINDS } from './kube';

export interface KubeScope {
  context: string;
  namespace: string;
}

const scoped = (scope: KubeScope, ...args: string[]) => [
  '--context',
  scope.context,
  '--namespace',
  scope.namespace,
  ...args,
];

export const kubectlArgs = {
  /** Reads only the kubeconfig: no cluster is asked. */
  currentContext: () => ['config', 'current-context'],
  readyz: (context: string, timeout = '10s') => [
    '--context',
    context,
    '--request-timeout',
    timeout,
    'get',
    '--raw',
    '/readyz',
  ],
  /** One poll of the status check: the release's workloads, their pods and claims. */
  releaseObjects: (scope: KubeScope, release: string) =>
    scoped(
      scope,
      'get',
      RELEASE_KINDS,
      '-l',
      instanceSelector(release),
      '-o',
      'json',
      '--request-timeout',
      '20s',
    ),
  events: (scope: KubeScope) => scoped(scope, 'get', 'events', '-o', 'json'),
  services: (scope: KubeScope, release: string) =>
    scoped(scope, 'get', 'services', '-l', instanceSelector(release), '-o', 'json'),
  endpointSlices: (scope: KubeScope) => scoped(scope, 'get', 'endpointslices', '-o', 'json'),
  storageClasses: (context: string) => [
    '--context',
    context,
    'get',
    'storageclasses',
    '-o',
    'json',
  ],
  service: (scope: KubeScope, name: string) => scoped(scope, 'get', 'service', name, '-o', 'json'),
  nodes: (context: string, requestTimeout?: string) => [
    '--context',
    context,
    ...(requestTimeout ? ['--request-timeout', requestTimeout] : []),
    'get',
    'nodes',
    '-o',
    'json',
  ],
  namespace: (context: string, namespace: string) => [
    '--context',
    context,
    'get',
    'namespace',
    namespace,
    '-o',
    'name',
  ],
  logs: (scope: KubeScope, pod: string, container: string, tail: number, previous: boolean) =>
    scoped(
      scope,
      'logs',
      pod,
      '-c',
      container,
      `--tail=${tail}`,
      ...(previous ? ['--previous'] : []),
    ),
  /** Long-running: follows the pod's containers, each line prefixed `[pod/NAME/CONTAINER]`. */
  followLogs: (scope: KubeScope, pod: string, tail: number) =>
    scoped(
      scope,
      'logs',
      '--follow',
      `pod/${pod}`,
      '--all-containers',
      '--prefix',
      `--tail=${tail}`,
    ),
  /** Long-running; kubectl picks the local port and prints it ("Forwarding from 127.0.0.1:N -> P"). */
  portForward: (scope: KubeScope, pod: string, port: number) =>
    scoped(scope, 'port-forward', `pod/${pod}`, `:${port}`, '--address', '127.0.0.1'),
  /** The rendered chart on stdin, validated by the server, nothing stored. */
  applyDryRun: (scope: KubeScope) =>
    scoped(scope, 'apply', '-f', '-', '--dry-run=server', '--validate=strict'),
};

/**
 * The line of a failed kubectl that says what went wrong. kubectl logs client-side noise first
 * (klog lines such as `E1202 17:20:59.191515 … "Failed to watch"`, `Warning: …`) and its own
 * verdict (`error: timed out waiting for the condition on persistentvolumeclaims/x`,
 * `Error from server (Forbidden): …`) after it.
 */
export function kubectlErrorLine(result: CommandResult): string {
  const lines = `${result.stderr}\n${result.stdout}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const noise = /^([EWI]\d{4} \d|Warning:)/;
  return (
    lines.find((l) => /^(error|Error)\b/.test(l)) ??
    lines.find((l) => !noise.test(l)) ??
    lines[0] ??
    `${result.command} exited with code ${result.exitCode} and printed nothing`
  );
}
