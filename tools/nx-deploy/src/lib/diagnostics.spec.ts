import { recordedItems } from '../../test/harness';
import {
  claimSentence,
  deploymentSentence,
  diagnosePod,
  diagnoseRelease,
  eventLines,
  serviceSentence,
  type Pod,
} from './diagnostics';
import {
  itemsOfKind,
  snapshotFromItems,
  type Deployment,
  type EndpointSlice,
  type KubeEvent,
  type PersistentVolumeClaim,
  type ReleaseSnapshot,
  type Service,
  type StorageClass,
} from './kube';

function pod(status: Pod['status'], pullPolicy = 'IfNotPresent'): Pod {
  return {
    metadata: { name: 'todo-app-backend-5f7d-abcde' },
    spec: {
      containers: [{ name: 'backend', image: 'todo-backend:1', imagePullPolicy: pullPolicy }],
    },
    status,
  };
}

const notReady = [{ type: 'Ready', status: 'False' }];

describe('diagnosePod: one plain sentence per problem', () => {
  it.each([
    [
      'a crash loop with its last exit',
      {
        phase: 'Running',
        conditions: notReady,
        containerStatuses: [
          {
            name: 'backend',
            ready: false,
            restartCount: 5,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { reason: 'Error', exitCode: 1 } },
          },
        ],
      },
      'container backend keeps crashing and restarting (CrashLoopBackOff, 5 restarts; last exit: Error with code 1)',
    ],
    [
      'a local image with imagePullPolicy Always',
      {
        phase: 'Pending',
        conditions: notReady,
        containerStatuses: [
          {
            name: 'backend',
            image: 'todo-backend:1',
            ready: false,
            state: { waiting: { reason: 'ImagePullBackOff' } },
          },
        ],
      },
      "container backend: image todo-backend:1 can't be pulled (ImagePullBackOff) — a local image with imagePullPolicy Always: use IfNotPresent or Never, or push it to a registry",
    ],
    [
      'an image that was never loaded',
      {
        phase: 'Pending',
        conditions: notReady,
        containerStatuses: [
          {
            name: 'backend',
            image: 'todo-backend:1',
            ready: false,
            state: { waiting: { reason: 'ErrImageNeverPull' } },
          },
        ],
      },
      'container backend: image todo-backend:1 is not in the cluster and imagePullPolicy is Never — load it (minikube image load / kind load docker-image)',
    ],
    [
      'an out-of-memory kill in a crash loop',
      {
        phase: 'Running',
        conditions: notReady,
        containerStatuses: [
          {
            name: 'backend',
            ready: false,
            restartCount: 2,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { reason: 'OOMKilled', exitCode: 137 } },
          },
        ],
      },
      'container backend keeps being killed for using more memory than its limit (OOMKilled, 2 restarts) — raise resources.limits.memory or fix the leak',
    ],
    [
      'a failing readiness probe',
      {
        phase: 'Running',
        conditions: notReady,
        containerStatuses: [
          { name: 'backend', ready: false, restartCount: 0, state: { running: {} } },
        ],
      },
      'container backend is running but not ready — its readiness probe fails',
    ],
    [
      'a missing Secret',
      {
        phase: 'Pending',
        conditions: notReady,
        containerStatuses: [
          {
            name: 'backend',
            ready: false,
            state: {
              waiting: {
                reason: 'CreateContainerConfigError',
                message: 'secret "todo-app-backend" not found',
              },
            },
          },
        ],
      },
      'container backend can\'t be created: secret "todo-app-backend" not found',
    ],
    [
      'an exit code',
      {
        phase: 'Failed',
        conditions: notReady,
        containerStatuses: [
          {
            name: 'backend',
            ready: false,
            state: { terminated: { reason: 'Error', exitCode: 3 } },
          },
        ],
      },
      'container backend terminated with exit code 3 (Error)',
    ],
    [
      'no node with room',
      {
        phase: 'Pending',
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message: '0/1 nodes are available: 1 Insufficient memory.',
          },
        ],
      },
      "pod can't be scheduled: 0/1 nodes are available: 1 Insufficient memory.",
    ],
  ] as const)('%s', (_name, status, sentence) => {
    const diagnosis = diagnosePod(
      pod(status as unknown as Pod['status'], _name.includes('Always') ? 'Always' : 'IfNotPresent'),
    );
    expect(diagnosis.failing).toBe(true);
    expect(diagnosis.sentences).toEqual([sentence]);
  });

  it('a ready pod is not failing and says nothing', () => {
    const diagnosis = diagnosePod(
      pod({
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'backend', ready: true, state: { running: {} } }],
      }),
    );
    expect(diagnosis).toMatchObject({ failing: false, sentences: [] });
  });

  it('asks for the previous container’s logs after a crash', () => {
    const crashed = pod({
      phase: 'Running',
      conditions: notReady,
      containerStatuses: [
        {
          name: 'backend',
          restartCount: 1,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1 } },
        },
      ],
    });
    expect(diagnosePod(crashed).previousLogs).toBe(true);
  });
});

describe('eventLines', () => {
  it('keeps the pod’s warnings, oldest first, with repeat counts', () => {
    const lines = eventLines(
      [
        {
          type: 'Warning',
          reason: 'Unhealthy',
          message: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
          count: 7,
          involvedObject: { kind: 'Pod', name: 'p' },
          lastTimestamp: '2026-01-01T00:00:05Z',
        },
        {
          type: 'Normal',
          reason: 'Pulled',
          message: 'already present',
          involvedObject: { kind: 'Pod', name: 'p' },
          lastTimestamp: '2026-01-01T00:00:01Z',
        },
        {
          type: 'Warning',
          reason: 'FailedMount',
          message: 'configmap missing',
          involvedObject: { kind: 'Pod', name: 'p' },
          lastTimestamp: '2026-01-01T00:00:02Z',
        },
        {
          type: 'Warning',
          reason: 'BackOff',
          message: 'other pod',
          involvedObject: { kind: 'Pod', name: 'q' },
        },
      ],
      'p',
    );
    expect(lines).toEqual([
      'FailedMount: configmap missing',
      'Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 503 (×7)',
    ]);
  });
});

describe('diagnoseRelease on what a real API server answered (test/fixtures/recorded)', () => {
  const context = (events: string) => ({
    events: recordedItems(events) as KubeEvent[],
    services: itemsOfKind<Service>(recordedItems('kubectl-services.json'), 'Service'),
    endpointSlices: itemsOfKind<EndpointSlice>(
      recordedItems('kubectl-endpointslices.json'),
      'EndpointSlice',
    ),
    storageClasses: itemsOfKind<StorageClass>(
      recordedItems('kubectl-storageclasses.json'),
      'StorageClass',
    ),
  });

  it('PostgreSQL Pending on a claim whose storage class does not exist: the workload, the claim and the pod say so', () => {
    const snapshot = snapshotFromItems(recordedItems('kubectl-release-claim-pending.json'));
    const diagnosis = diagnoseRelease(snapshot, context('kubectl-events-claim-pending.json'));
    expect(diagnosis.problems.slice(0, 2)).toEqual([
      'statefulset todo-app-postgresql is not ready: 0/1 ready — pod todo-app-postgresql-0 is Pending: claim data-todo-app-postgresql-0 is not bound',
      'claim data-todo-app-postgresql-0 is Pending: storage class rec-missing does not exist — set postgresql.persistence.storageClass to one that does (kubectl get storageclass) (last event: storageclass.storage.k8s.io "rec-missing" not found)',
    ]);
    expect(diagnosis.pods.map((p) => [p.pod, p.sentences, p.logContainers])).toEqual([
      [
        'todo-app-postgresql-0',
        [
          'pod is Pending: claim data-todo-app-postgresql-0 is not bound',
          "pod can't be scheduled: 0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. not found",
        ],
        [],
      ],
    ]);
  });

  it("a Service this server gives no endpoints (it refuses loopback pod IPs) is named with the controller's event", () => {
    const snapshot = snapshotFromItems(recordedItems('kubectl-release-claim-pending.json'));
    const diagnosis = diagnoseRelease(snapshot, context('kubectl-events-claim-pending.json'));
    expect(diagnosis.problems).toContainEqual(
      expect.stringMatching(
        /^service todo-app-backend has no endpoints although its selector matches 1 ready pod — no EndpointSlice lists them yet \(last event: FailedToUpdateEndpointSlices: endpoints\[0\]\.addresses\[0\]: Invalid value: "127\.0\.100\.4": may not be in the loopback range \(127\.0\.0\.0\/8, ::1\/128\)\)$/,
      ),
    );
    expect(diagnosis.problems).toContain(
      'service todo-app-postgresql has no endpoints: its selector matches 1 pod, none ready',
    );
  });

  it('a rolled-out release has no workload, claim or pod problem', () => {
    const snapshot = snapshotFromItems(recordedItems('kubectl-release-ready.json'));
    const diagnosis = diagnoseRelease(snapshot, {
      ...context('kubectl-events-install.json'),
      services: [],
    });
    expect(diagnosis).toEqual({ problems: [], pods: [] });
  });
});

describe('claimSentence', () => {
  const claim = (spec: Record<string, unknown>): PersistentVolumeClaim => ({
    metadata: {
      name: 'data-todo-app-postgresql-0',
      labels: { 'app.kubernetes.io/component': 'postgresql' },
    },
    spec,
    status: { phase: 'Pending' },
  });
  const noClass: KubeEvent = {
    type: 'Normal',
    reason: 'FailedBinding',
    message: 'no persistent volumes available for this claim and no storage class is set',
    involvedObject: { kind: 'PersistentVolumeClaim', name: 'data-todo-app-postgresql-0' },
    lastTimestamp: '2026-01-01T00:00:00Z',
  };

  it('no storage class and no default one: the fix names the provisioner and the chart value', () => {
    expect(claimSentence(claim({}), [], [noClass])).toBe(
      'claim data-todo-app-postgresql-0 is Pending: no storage class binds it (no default StorageClass) — install a provisioner or set postgresql.persistence.storageClass (last event: no persistent volumes available for this claim and no storage class is set)',
    );
  });

  it('a class that binds only once its pod is scheduled points at the pod', () => {
    const sc: StorageClass = {
      metadata: { name: 'local' },
      provisioner: 'rancher.io/local-path',
      volumeBindingMode: 'WaitForFirstConsumer',
    };
    expect(claimSentence(claim({ storageClassName: 'local' }), [sc], [])).toBe(
      'claim data-todo-app-postgresql-0 is Pending: storage class local binds it only once a pod using it is scheduled (WaitForFirstConsumer) — see why that pod is not',
    );
  });

  it('a class whose provisioner does not answer, and storage classes that could not be read', () => {
    const sc: StorageClass = { metadata: { name: 'fast' }, provisioner: 'ebs.csi.aws.com' };
    expect(claimSentence(claim({ storageClassName: 'fast' }), [sc], [])).toBe(
      'claim data-todo-app-postgresql-0 is Pending: storage class fast (provisioner ebs.csi.aws.com) has not provided a volume — check that provisioner',
    );
    expect(claimSentence(claim({}), undefined, [])).toBe(
      'claim data-todo-app-postgresql-0 is Pending: it names no storage class and no PersistentVolume matches it — install a provisioner with a default StorageClass or set postgresql.persistence.storageClass',
    );
  });

  it('a bound claim says nothing', () => {
    expect(claimSentence({ ...claim({}), status: { phase: 'Bound' } }, [], [])).toBeUndefined();
  });
});

describe('workloads and Services', () => {
  const snapshot = (deployments: Deployment[]): ReleaseSnapshot => ({
    deployments,
    replicaSets: [],
    statefulSets: [],
    pods: [],
    claims: [],
  });

  it('a Deployment past its progress deadline, or one that cannot create pods, says why', () => {
    const stuck: Deployment = {
      metadata: { name: 'todo-app-backend', generation: 2 },
      spec: { replicas: 1 },
      status: {
        observedGeneration: 2,
        conditions: [
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: 'ReplicaSet "todo-app-backend-5d8f" has timed out progressing.',
          },
        ],
      },
    };
    expect(deploymentSentence(stuck, snapshot([stuck]), [])).toBe(
      'deployment todo-app-backend exceeded its progress deadline: 0/1 updated pods available (ProgressDeadlineExceeded: ReplicaSet "todo-app-backend-5d8f" has timed out progressing.)',
    );
    const forbidden: Deployment = {
      ...stuck,
      status: {
        conditions: [
          {
            type: 'ReplicaFailure',
            status: 'True',
            reason: 'FailedCreate',
            message: 'pods "todo-app-backend-5d8f-" is forbidden: exceeded quota: compute',
          },
        ],
      },
    };
    expect(deploymentSentence(forbidden, snapshot([forbidden]), [])).toBe(
      'deployment todo-app-backend can\'t create its pods (FailedCreate: pods "todo-app-backend-5d8f-" is forbidden: exceeded quota: compute)',
    );
  });

  it('a Service whose selector matches no pod, or only pods that are not ready', () => {
    const service: Service = {
      metadata: { name: 'todo-app-backend' },
      spec: { selector: { app: 'backend' } },
    };
    expect(serviceSentence(service, [], [])).toBe(
      'service todo-app-backend has no endpoints: its selector matches no pod',
    );
    const unready: Pod = {
      metadata: { name: 'p', labels: { app: 'backend' } },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] },
    };
    expect(
      serviceSentence(
        service,
        [unready, { ...unready, metadata: { ...unready.metadata, name: 'q' } }],
        [],
      ),
    ).toBe('service todo-app-backend has no endpoints: its selector matches 2 pods, none ready');
    const slice: EndpointSlice = {
      metadata: { name: 's', labels: { 'kubernetes.io/service-name': 'todo-app-backend' } },
      endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true } }],
    };
    expect(serviceSentence(service, [unready], [slice])).toBeUndefined();
  });

  it('an invalid image name and an eviction are sentences too', () => {
    const bad = diagnosePod(
      pod({
        phase: 'Pending',
        conditions: notReady,
        containerStatuses: [
          { name: 'backend', ready: false, state: { waiting: { reason: 'InvalidImageName' } } },
        ],
      }),
    );
    expect(bad.sentences).toEqual([
      'container backend: image name todo-backend:1 is not valid (InvalidImageName) — fix the repository or tag in the values',
    ]);
    const evicted = diagnosePod(
      pod({
        phase: 'Failed',
        reason: 'Evicted',
        message: 'The node was low on resource: memory.',
        conditions: notReady,
      }),
    );
    expect(evicted.sentences).toEqual(['pod was evicted: The node was low on resource: memory.']);
  });
});
