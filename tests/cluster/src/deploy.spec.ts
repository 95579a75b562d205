import {
  CONTEXT,
  RELEASE,
  type CommandResult,
  type HelmRevision,
  type ReplicaSet,
  type World,
} from './cluster';
import { startScene, type Scene } from './scene';

/**
 * `npx nx deploy` as a user runs it, against a real API server (tools/scripts/control-plane.sh)
 * with the workspace's real Helm and kubectl. KWOK plays the node; the kubelet stand-in starts the
 * app pods' real containers, so the executor's /ready check and its diagnosis logs go through the
 * API server to the real apps. Only `minikube image load` is a recorded stand-in.
 */

const NAMESPACE = 'todo-dev';
const DEPLOY = ['--configuration=dev', `--kubeContext=${CONTEXT}`];

let scene: Scene;
let world: World;

function expectSuccess(result: CommandResult): void {
  scene.expectSuccess(result);
}

function replicaSets(component: string): Promise<ReplicaSet[]> {
  return world.replicaSets(NAMESPACE, component);
}

/** The image of each component's ReplicaSets that have replicas: what runs. */
async function activeImages(component: string): Promise<string[]> {
  return (await replicaSets(component))
    .filter((rs) => rs.spec.replicas > 0)
    .map((rs) => rs.spec.template.spec.containers[0].image);
}

function revisions(namespace = NAMESPACE): Promise<HelmRevision[]> {
  return world.history(namespace);
}

beforeAll(async () => {
  scene = await startScene(4, NAMESPACE);
  world = scene.world;
});

afterAll(() => scene?.end());

describe('nx deploy on a real API server (Helm 4)', () => {
  let backendTag: string;
  let frontendTag: string;

  test('a first deploy installs the release: deployed, every workload available, content tags', async () => {
    [backendTag, frontendTag] = await Promise.all([
      world.contentTag('backend'),
      world.contentTag('frontend'),
    ]);
    const result = await world.nx('deploy', 'backend', ...DEPLOY);
    expectSuccess(result);

    const status = JSON.parse(await world.helm('status', RELEASE, '-n', NAMESPACE, '-o', 'json'));
    expect(status.info.status).toBe('deployed');
    const workloads = await world.kubectlJson<{
      items: Array<{ kind: string; metadata: { name: string }; status: Record<string, number> }>;
    }>('get', 'deployments,statefulsets', '-n', NAMESPACE);
    expect(workloads.items.map((w) => `${w.kind}/${w.metadata.name}`).sort()).toEqual([
      'Deployment/todo-app-backend',
      'Deployment/todo-app-frontend',
      'StatefulSet/todo-app-postgresql',
    ]);
    for (const workload of workloads.items) {
      const ready = workload.kind === 'Deployment' ? 'availableReplicas' : 'readyReplicas';
      expect(`${workload.metadata.name} ${workload.status[ready]}`).toBe(
        `${workload.metadata.name} 1`,
      );
    }
    expect(await activeImages('backend')).toEqual([`localhost/todo/backend:${backendTag}`]);
    expect(await activeImages('frontend')).toEqual([`localhost/todo/frontend:${frontendTag}`]);
    // The /ready check reached the real backend container through the API server.
    expect(result.output).toMatch(/\/ready.*status ok/);
  });

  test('the other app deploys with nothing to do: no helm upgrade, no rollout', async () => {
    const before = await revisions();
    const replicaSetsBefore = (await replicaSets('frontend')).map((rs) => rs.metadata.name);
    const result = await world.nx('deploy', 'frontend', ...DEPLOY);
    expectSuccess(result);
    expect(result.output).toContain('is up to date');
    expect(await revisions()).toEqual(before);
    expect((await replicaSets('frontend')).map((rs) => rs.metadata.name)).toEqual(
      replicaSetsBefore,
    );
  });

  test('a second deploy of an unchanged app runs no helm upgrade and rolls nothing', async () => {
    const before = await revisions();
    const replicaSetsBefore = {
      backend: (await replicaSets('backend')).map((rs) => rs.metadata.name),
      frontend: (await replicaSets('frontend')).map((rs) => rs.metadata.name),
    };
    const result = await world.nx('deploy', 'backend', ...DEPLOY);
    expectSuccess(result);
    expect(result.output).toContain('is up to date');
    expect(await revisions()).toEqual(before);
    expect((await replicaSets('backend')).map((rs) => rs.metadata.name)).toEqual(
      replicaSetsBefore.backend,
    );
    expect((await replicaSets('frontend')).map((rs) => rs.metadata.name)).toEqual(
      replicaSetsBefore.frontend,
    );
  });

  test('a change to the backend rolls only the backend Deployment, and its new pod answers /ready', async () => {
    const frontendBefore = (await replicaSets('frontend')).map((rs) => rs.metadata.name);
    world.edit('apps/backend/src/main.ts', (text) => `${text}\n// a change that ships\n`);
    const newTag = await world.contentTag('backend');
    expect(newTag).not.toBe(backendTag);

    const result = await world.nx('deploy', 'backend', ...DEPLOY);
    expectSuccess(result);
    expect(await activeImages('backend')).toEqual([`localhost/todo/backend:${newTag}`]);
    expect((await replicaSets('backend')).length).toBe(2);
    expect((await replicaSets('frontend')).map((rs) => rs.metadata.name)).toEqual(frontendBefore);
    expect((await revisions()).at(-1)).toMatchObject({ status: 'deployed' });
    backendTag = newTag;
  });

  test('a lock file change that only the frontend image depends on rolls only the frontend', async () => {
    const backendReplicaSets = (await replicaSets('backend')).map((rs) => rs.metadata.name);
    // A new integrity of a package only the frontend uses: the content tags decide, and only the
    // frontend's depends on that entry (whatever `nx affected` would mark for a lock change).
    world.edit('package-lock.json', (text) => {
      const entry =
        /("node_modules\/@testing-library\/user-event": \{[^}]*?"integrity": ")([^"]+)"/;
      if (!entry.test(text))
        throw new Error('no @testing-library/user-event entry in the lock file');
      return text.replace(entry, (_, head: string) => `${head}sha512-${'A'.repeat(86)}=="`);
    });
    // image-state.cjs reads the project graph of the last Nx run, as it does inside `nx deploy`.
    expectSuccess(await world.nx('show', 'projects'));
    expect(await world.contentTag('backend')).toBe(backendTag);
    const newFrontendTag = await world.contentTag('frontend');
    expect(newFrontendTag).not.toBe(frontendTag);

    const frontend = await world.nx('deploy', 'frontend', ...DEPLOY);
    expectSuccess(frontend);
    expect(await activeImages('frontend')).toEqual([`localhost/todo/frontend:${newFrontendTag}`]);
    expect((await replicaSets('backend')).map((rs) => rs.metadata.name)).toEqual(
      backendReplicaSets,
    );
    const backend = await world.nx('deploy', 'backend', ...DEPLOY);
    expectSuccess(backend);
    expect(backend.output).toContain('is up to date');
    frontendTag = newFrontendTag;
  });

  test('a rollout that never becomes ready is rolled back to the previous revision, with a diagnosis', async () => {
    const before = await revisions();
    // The new backend listens (liveness answers) but never opens its database: /ready stays 503.
    world.edit('apps/backend/src/main.ts', (text) =>
      text.replace(
        'openDatabase(config, logger, shutdown),',
        'new Promise<never>(() => undefined),',
      ),
    );
    const brokenTag = await world.contentTag('backend');
    expect(brokenTag).not.toBe(backendTag);

    const deploy = await world.nx('deploy', 'backend', ...DEPLOY, '--timeout=40s');
    expect(deploy.exitCode).toBe(1);
    expect(deploy.output).toMatch(/container backend is running but not ready/);
    // The diagnosis shows the new pod's real log lines, read through the API server.
    expect(deploy.output).toMatch(/listening; opening the database/);
    const history = await revisions();
    expect(history.length).toBe(before.length + 2);
    expect(history.at(-1)).toMatchObject({ status: 'deployed' });
    expect(history.at(-1)?.description).toMatch(/Rollback to/);
    expect(await activeImages('backend')).toEqual([`localhost/todo/backend:${backendTag}`]);
  });

  test('once the code is fixed, the next deploy rolls forward', async () => {
    world.edit('apps/backend/src/main.ts', (text) =>
      text.replace(
        'new Promise<never>(() => undefined),',
        'openDatabase(config, logger, shutdown),',
      ),
    );
    expect(await world.contentTag('backend')).toBe(backendTag);
    const result = await world.nx('deploy', 'backend', ...DEPLOY);
    expectSuccess(result);
    expect(await activeImages('backend')).toEqual([`localhost/todo/backend:${backendTag}`]);
  });

  test('a docker-build that cannot pull its base exits 1, names BASE_IMAGE and changes no revision', async () => {
    const before = await revisions();
    const base = world.env.BASE_IMAGE;
    // A registry on a loopback port where nothing listens, as on a machine that reaches none.
    world.env.BASE_IMAGE = '127.0.0.1:9/todo/no-such-base:1';
    try {
      const deploy = await world.nx('deploy', 'backend', ...DEPLOY);
      expect(deploy.exitCode).toBe(1);
      expect(deploy.output).toContain(
        'export BASE_IMAGE=$(tools/scripts/make-base-image.sh | tail -1)',
      );
      expect(deploy.output).toMatch(/✖ build backend: its docker-build target failed/);
    } finally {
      if (base === undefined) delete world.env.BASE_IMAGE;
      else world.env.BASE_IMAGE = base;
    }
    expect(await revisions()).toEqual(before);
    expect(await activeImages('backend')).toEqual([`localhost/todo/backend:${backendTag}`]);
  });
});
