import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CONTEXT, RELEASE, type CommandResult, type World } from './cluster';
import { startScene, type Scene } from './scene';

/**
 * The rest of a release's life on a real API server, on Helm 3 this time: a first install, the
 * `secrets` executor and the chart's `existingSecret`, `teardown` (claims included), a claim that
 * never binds, and the production values validated by the server.
 */

const NAMESPACE = 'todo-helm3';
const DEPLOY = ['--configuration=dev', `--kubeContext=${CONTEXT}`, `--namespace=${NAMESPACE}`];
const SECRET = 'todo-app-secrets';

let scene: Scene;
let world: World;

function expectSuccess(result: CommandResult): void {
  scene.expectSuccess(result);
}

/** Objects of the release left in a namespace, as `kind/name`. */
async function releaseObjects(namespace: string): Promise<string[]> {
  const list = await world.kubectlJson<{
    items: Array<{ kind: string; metadata: { name: string } }>;
  }>(
    'get',
    'deployments,statefulsets,replicasets,pods,services,configmaps,secrets,persistentvolumeclaims,serviceaccounts,networkpolicies,poddisruptionbudgets,horizontalpodautoscalers',
    '-n',
    namespace,
    '-l',
    `app.kubernetes.io/instance=${RELEASE}`,
  );
  return list.items.map((item) => `${item.kind}/${item.metadata.name}`);
}

function writeValues(name: string, yaml: string): string {
  const file = `deploy/helm/todo-app/${name}`;
  writeFileSync(path.join(world.root, file), yaml);
  return file;
}

beforeAll(async () => {
  scene = await startScene(3, NAMESPACE, ['todo-unbound', 'todo-prod-check']);
  world = scene.world;
});

afterAll(() => scene?.end());

describe('a release on Helm 3 and a real API server', () => {
  const jwtKey = randomBytes(24).toString('hex');

  test('the secrets executor creates a real Secret and prints no value', async () => {
    await world.kubectl('create', 'namespace', NAMESPACE);
    writeFileSync(
      path.join(world.root, 'apps/backend/.env.deploy-dev'),
      `JWT_SECRET_KEY=${jwtKey}\n`,
    );
    const result = await world.nx(
      'secrets',
      'backend',
      '--configuration=dev',
      `--kubeContext=${CONTEXT}`,
      `--namespace=${NAMESPACE}`,
      `--name=${SECRET}`,
    );
    expectSuccess(result);
    expect(result.output).not.toContain(jwtKey);
    const secret = await world.kubectlJson<{ data: Record<string, string> }>(
      'get',
      'secret',
      SECRET,
      '-n',
      NAMESPACE,
    );
    expect(Object.keys(secret.data)).toEqual(['JWT_SECRET_KEY']);
    expect(Buffer.from(secret.data.JWT_SECRET_KEY, 'base64').toString()).toBe(jwtKey);
  });

  test('a first deploy on Helm 3 installs the release and honours existingSecret', async () => {
    const values = writeValues(
      'values-test-existing-secret.yaml',
      `backend:\n  secret:\n    existingSecret: ${SECRET}\n`,
    );
    const result = await world.nx(
      'deploy',
      'backend',
      ...DEPLOY,
      '--valuesFiles=deploy/helm/todo-app/values-dev.yaml',
      `--valuesFiles=${values}`,
    );
    expectSuccess(result);
    expect(result.output).toMatch(/helm v3\./);
    const status = JSON.parse(await world.helm('status', RELEASE, '-n', NAMESPACE, '-o', 'json'));
    expect(status.info.status).toBe('deployed');
    // The chart renders no backend Secret of its own; the pods read the user's.
    const objects = await releaseObjects(NAMESPACE);
    expect(objects).not.toContain('Secret/todo-app-backend');
    const deployment = await world.kubectlJson<{
      spec: {
        template: {
          spec: {
            containers: Array<{
              env: Array<{ name: string; valueFrom?: { secretKeyRef?: { name: string } } }>;
            }>;
          };
        };
      };
    }>('get', 'deployment', 'todo-app-backend', '-n', NAMESPACE);
    const jwt = deployment.spec.template.spec.containers[0].env.find(
      (e) => e.name === 'JWT_SECRET_KEY',
    );
    expect(jwt?.valueFrom?.secretKeyRef?.name).toBe(SECRET);
    // The real backend started with that key and answered /ready through the API server.
    expect(result.output).toMatch(/\/ready.*status ok/);
  });

  test('teardown leaves none of the release objects behind, its data claim included', async () => {
    expect(await releaseObjects(NAMESPACE)).toContain(
      'PersistentVolumeClaim/data-todo-app-postgresql-0',
    );
    const result = await world.nx(
      'teardown',
      'backend',
      '--configuration=dev',
      `--kubeContext=${CONTEXT}`,
      `--namespace=${NAMESPACE}`,
    );
    expectSuccess(result);
    expect(result.output).toContain('data-todo-app-postgresql-0');
    expect(await releaseObjects(NAMESPACE)).toEqual([]);
    // A Secret the user made is theirs: teardown keeps it.
    await world.kubectl('get', 'secret', SECRET, '-n', NAMESPACE);
  });

  test('a claim that never binds fails within the executor timeout, with the claim named', async () => {
    const values = writeValues(
      'values-test-unbound.yaml',
      'postgresql:\n  persistence:\n    storageClass: no-such-class\n',
    );
    const started = Date.now();
    const result = await world.nx(
      'deploy',
      'backend',
      '--configuration=dev',
      `--kubeContext=${CONTEXT}`,
      '--namespace=todo-unbound',
      '--valuesFiles=deploy/helm/todo-app/values-dev.yaml',
      `--valuesFiles=${values}`,
      '--timeout=20s',
    );
    expect(result.exitCode).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(150_000);
    expect(result.output).toMatch(/claim data-todo-app-postgresql-0 is Pending/);
    expect(result.output).not.toContain('every pod of the release is ready');
  });

  test('the production values pass the API server validation, every object', async () => {
    await world.kubectl('create', 'namespace', 'todo-prod-check');
    const rendered = await world.helm(
      'template',
      RELEASE,
      'deploy/helm/todo-app',
      '-n',
      'todo-prod-check',
      '-f',
      'deploy/helm/todo-app/values-prod.yaml',
      '--set-string',
      'backend.image.tag=0123456789abcdef',
      '--set-string',
      'frontend.image.tag=fedcba9876543210',
    );
    expect(rendered).toContain('kind: Deployment');
    const applied = spawnSync(
      'kubectl',
      ['--context', CONTEXT, 'apply', '--dry-run=server', '-n', 'todo-prod-check', '-f', '-'],
      { input: rendered, env: world.env, encoding: 'utf8', cwd: world.root },
    );
    expect(applied.stderr).toBe('');
    expect(applied.status).toBe(0);
    const lines = applied.stdout.trim().split('\n');
    const kinds = rendered.match(/^kind: .*/gm) ?? [];
    expect(lines.length).toBe(kinds.length);
    for (const line of lines) expect(line).toMatch(/ created \(server dry run\)$/);
  });

  test('a dry run of the production deploy is validated by the server when a cluster answers', async () => {
    const prodDryRun = [
      'deploy',
      'backend',
      '--configuration=prod',
      '--registry=registry.example.com/todo',
      `--kubeContext=${CONTEXT}`,
      '--namespace=todo-prod-check',
      '--dry-run',
    ];
    const result = await world.nx(...prodDryRun);
    expectSuccess(result);
    expect(result.output).toMatch(/server dry run in \S+ — \d+ objects accepted, nothing changed/);
    expect(await releaseObjects('todo-prod-check')).toEqual([]);

    // A value the API server refuses fails the dry run with the server's own words.
    const values = writeValues(
      'values-test-invalid.yaml',
      'backend:\n  podLabels:\n    bad label: x\n',
    );
    const invalid = await world.nx(
      ...prodDryRun,
      '--valuesFiles=deploy/helm/todo-app/values-prod.yaml',
      `--valuesFiles=${values}`,
    );
    expect(invalid.exitCode).not.toBe(0);
    expect(invalid.output).toMatch(/bad label/);
  });
});
