/** The status check's decisions, on what a real API server answered and on states it cannot make here. */
import { recordedItems } from '../../test/harness';
import {
  itemsOfKind,
  snapshotFromItems,
  type Pod,
  type ReleaseSnapshot,
  type Service,
} from './kube';
import {
  assessRollout,
  containerPortFor,
  podForReadyCheck,
  summarizeReadyBody,
} from './status-check';
import { durationMs } from './options-error';

const snapshotOf = (file: string) => snapshotFromItems(recordedItems(file));

/** A copy of the recorded rolled-out release, changed by `edit`. */
function edited(edit: (s: ReleaseSnapshot) => void): ReleaseSnapshot {
  const copy = JSON.parse(
    JSON.stringify(snapshotOf('kubectl-release-ready.json')),
  ) as ReleaseSnapshot;
  edit(copy);
  return copy;
}

const backendPod = (s: ReleaseSnapshot) =>
  s.pods.find((p) => p.metadata.name.startsWith('todo-app-backend-')) as Pod;

describe('assessRollout', () => {
  it('a rolled-out release is done, with one summary line', () => {
    expect(assessRollout(snapshotOf('kubectl-release-ready.json'))).toEqual({
      done: true,
      fatal: undefined,
      waiting: '',
      summary:
        'deployment/todo-app-backend 1/1, deployment/todo-app-frontend 1/1, statefulset/todo-app-postgresql 1/1',
    });
  });

  it('right after an upgrade, the Deployment with two ReplicaSets (the old one at 0) is rolled out', () => {
    // (That namespace's PostgreSQL claim was never bound: only it is still waited for.)
    const assessment = assessRollout(snapshotOf('kubectl-release-upgrade-first-poll.json'));
    expect(assessment.waiting).toBe(
      'statefulset/todo-app-postgresql 0/1 ready — pod todo-app-postgresql-0 is Pending: claim data-todo-app-postgresql-0 is not bound',
    );
    expect(assessment.summary).toBe(
      'deployment/todo-app-backend 1/1, deployment/todo-app-frontend 1/1',
    );
  });

  it('PostgreSQL Pending on its claim: waiting, and the line says on what', () => {
    const assessment = assessRollout(snapshotOf('kubectl-release-claim-pending.json'));
    expect(assessment.done).toBe(false);
    expect(assessment.fatal).toBeUndefined();
    expect(assessment.waiting).toBe(
      'statefulset/todo-app-postgresql 0/1 ready — pod todo-app-postgresql-0 is Pending: claim data-todo-app-postgresql-0 is not bound',
    );
  });

  it('a spec its controller has not seen yet is not done, and old pods are not judged', () => {
    const snapshot = edited((s) => {
      s.deployments[0].metadata.generation = 2;
      const status = backendPod(s).status ?? {};
      status.containerStatuses = [
        { name: 'backend', ready: false, state: { waiting: { reason: 'CrashLoopBackOff' } } },
      ];
    });
    const assessment = assessRollout(snapshot);
    expect(assessment).toMatchObject({ done: false, fatal: undefined });
    expect(assessment.waiting).toBe(
      'deployment/todo-app-backend new spec not yet seen by its controller',
    );
  });

  it.each([
    ['CrashLoopBackOff', 'keeps crashing and restarting'],
    ['ErrImageNeverPull', 'is not in the cluster and imagePullPolicy is Never'],
    ['ImagePullBackOff', "can't be pulled (ImagePullBackOff)"],
    ['ErrImagePull', "can't be pulled (ErrImagePull)"],
    ['InvalidImageName', 'is not valid (InvalidImageName)'],
    ['CreateContainerConfigError', "can't be created"],
    ['CreateContainerError', "can't be created"],
  ])('a new pod in %s stops the check at once', (reason, words) => {
    const snapshot = edited((s) => {
      const status = backendPod(s).status ?? {};
      status.conditions = [{ type: 'Ready', status: 'False' }];
      status.containerStatuses = [
        { name: 'backend', ready: false, restartCount: 3, state: { waiting: { reason } } },
      ];
      s.deployments[0].status = { ...s.deployments[0].status, availableReplicas: 0 };
    });
    const assessment = assessRollout(snapshot);
    expect(assessment.done).toBe(false);
    expect(assessment.fatal).toContain(
      `pod ${backendPod(snapshot).metadata.name}: container backend`,
    );
    expect(assessment.fatal).toContain(words);
  });

  it('a pod still being created or failing its probe is waited for, not fatal', () => {
    const snapshot = edited((s) => {
      const status = backendPod(s).status ?? {};
      status.conditions = [{ type: 'Ready', status: 'False' }];
      status.containerStatuses = [{ name: 'backend', ready: false, state: { running: {} } }];
      s.deployments[0].status = { ...s.deployments[0].status, availableReplicas: 0 };
      s.replicaSets[0].status = { ...s.replicaSets[0].status, availableReplicas: 0 };
    });
    const assessment = assessRollout(snapshot);
    expect(assessment).toMatchObject({ done: false, fatal: undefined });
    expect(assessment.waiting).toBe(
      `deployment/todo-app-backend 0/1 updated pods available — pod ${backendPod(snapshot).metadata.name}: container backend is running, not ready yet`,
    );
  });

  it('an old pod still running is not done yet ("no old pods left")', () => {
    const snapshot = edited((s) => {
      const old = JSON.parse(JSON.stringify(backendPod(s))) as Pod;
      old.metadata.name = 'todo-app-backend-0ld0ld0ld-aaaaa';
      old.metadata.ownerReferences = [{ kind: 'ReplicaSet', name: 'todo-app-backend-0ld0ld0ld' }];
      s.replicaSets.push({
        metadata: {
          name: 'todo-app-backend-0ld0ld0ld',
          annotations: { 'deployment.kubernetes.io/revision': '0' },
          ownerReferences: s.replicaSets[0].metadata.ownerReferences,
        },
      });
      s.pods.push(old);
    });
    const assessment = assessRollout(snapshot);
    expect(assessment.done).toBe(false);
    expect(assessment.waiting).toMatch(
      /^deployment\/todo-app-backend 1\/1 updated pods available, 1 old pod left/,
    );
  });

  it('a Deployment past its progress deadline is fatal', () => {
    const snapshot = edited((s) => {
      s.deployments[0].status = {
        ...s.deployments[0].status,
        availableReplicas: 0,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
      };
    });
    expect(assessRollout(snapshot).fatal).toBe(
      'deployment todo-app-backend exceeded its progress deadline: 1/1 updated pods available (ProgressDeadlineExceeded)',
    );
  });
});

describe('the /ready check: a ready pod of the newest ReplicaSet, and its container port', () => {
  const services = itemsOfKind<Service>(recordedItems('kubectl-services.json'), 'Service');
  const backendService = services.find((s) => s.metadata.name === 'todo-app-backend');

  it('picks the pod of the ReplicaSet with the Deployment’s revision', () => {
    expect(
      podForReadyCheck(snapshotOf('kubectl-release-ready.json'), 'todo-app-backend').pod?.metadata
        .name,
    ).toBe('todo-app-backend-68b8bd7b69-fhzbh');
    expect(
      podForReadyCheck(snapshotOf('kubectl-release-upgrade-first-poll.json'), 'todo-app-backend')
        .pod?.metadata.name,
    ).toBe('todo-app-backend-6594c97ddc-dl56f');
  });

  it('no ready pod, or no such Deployment, is a problem naming it', () => {
    const snapshot = edited((s) => {
      (backendPod(s).status ?? {}).conditions = [{ type: 'Ready', status: 'False' }];
    });
    expect(podForReadyCheck(snapshot, 'todo-app-backend').problem).toBe(
      "no ready pod of deployment/todo-app-backend's newest ReplicaSet todo-app-backend-68b8bd7b69",
    );
    expect(podForReadyCheck(snapshot, 'todo-app-admin').problem).toBe(
      'deployment/todo-app-admin is not part of the release',
    );
  });

  it('resolves the service port (name or number) through targetPort to the container port', () => {
    const pod = backendPod(snapshotOf('kubectl-release-ready.json'));
    expect(containerPortFor(backendService, 'http', pod)).toEqual({ port: 8000 });
    expect(containerPortFor(backendService, '8000', pod)).toEqual({ port: 8000 });
    expect(containerPortFor(undefined, 'http', pod)).toEqual({ port: 8000 });
    expect(containerPortFor(backendService, 'metrics', pod).problem).toBe(
      'service todo-app-backend has no port "metrics" (its ports: http) — fix the servicePort option',
    );
    const numeric: Service = {
      metadata: { name: 'x' },
      spec: { ports: [{ name: 'web', port: 80, targetPort: 3000 }] },
    };
    expect(containerPortFor(numeric, '80', pod)).toEqual({ port: 3000 });
  });

  it('reports the body: status and each check', () => {
    expect(
      summarizeReadyBody('{"status":"ok","checks":{"database":{"status":"ok","duration_ms":2}}}'),
    ).toBe('status ok (database ok)');
    expect(
      summarizeReadyBody(
        '{"status":"fail","checks":{"database":{"status":"fail","error":"timeout after 2000ms"}}}',
      ),
    ).toBe('status fail (database fail: timeout after 2000ms)');
    expect(summarizeReadyBody('<html>Bad gateway</html>')).toBe(
      'answered "<html>Bad gateway</html>"',
    );
    expect(summarizeReadyBody('')).toBe('answered with an empty body');
  });
});

it('reads the timeout option as Go durations', () => {
  expect(durationMs('2m')).toBe(120_000);
  expect(durationMs('1m30s')).toBe(90_000);
  expect(durationMs('500ms')).toBe(500);
  expect(durationMs('1h')).toBe(3_600_000);
});
