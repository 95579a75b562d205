/**
 * Every kubectl command line that asks a cluster, given to the real kubectl 1.33 against a
 * kubeconfig whose cluster refuses at once: a flag it does not know would fail here as for a user.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { realKubectl, refusingKubeconfig } from '../../test/harness';
import { kubectlArgs } from './kubectl';

const scope = { context: 'minikube', namespace: 'todo-dev' };
const commands: Record<string, string[]> = {
  readyz: kubectlArgs.readyz('minikube', '5s'),
  'release objects': kubectlArgs.releaseObjects(scope, 'todo-app'),
  events: kubectlArgs.events(scope),
  services: kubectlArgs.services(scope, 'todo-app'),
  endpointslices: kubectlArgs.endpointSlices(scope),
  storageclasses: kubectlArgs.storageClasses('minikube'),
  service: kubectlArgs.service(scope, 'todo-app-backend'),
  nodes: kubectlArgs.nodes('minikube'),
  'nodes with a request timeout': kubectlArgs.nodes('minikube', '10s'),
  namespace: kubectlArgs.namespace('minikube', 'todo-dev'),
  logs: kubectlArgs.logs(scope, 'todo-app-backend-1-a', 'backend', 50, true),
  'port-forward': kubectlArgs.portForward(scope, 'todo-app-backend-1-a', 8000),
  'apply --dry-run=server': kubectlArgs.applyDryRun(scope),
};

let dir: string;
let kubeconfig: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nx-deploy-kubectl-'));
  kubeconfig = refusingKubeconfig(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it.each(Object.entries(commands))('the real kubectl 1.33 accepts `%s`', (_name, args) => {
  const run = spawnSync(realKubectl(), args, {
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir },
    input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n',
    timeout: 30_000,
  });
  expect(run.stderr).not.toMatch(/unknown flag|unknown shorthand|unknown command|invalid argument/);
  expect(run.stderr).toMatch(/127\.0\.0\.1:1|connection refused/);
  expect(run.status).not.toBe(0);
});
