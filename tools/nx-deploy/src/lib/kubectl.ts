/**
 * kubectl command lines of the deploy path, in one place so that kubectl.spec.ts can give each
 * to the real kubectl 1.33 and see it parse. Pure.
 */
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
  nodes: (context: string) => ['--context', context, 'get', 'nodes', '-o', 'json'],
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
