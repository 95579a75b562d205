import { diagnosePod, eventLines, type Pod } from './diagnostics';

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
