/** The deploy's decisions, as plans computed from observations — no process runs here. */
import { normalizeDeployOptions } from './deploy-options';
import {
  appsNeedingImageChecks,
  appsWithoutDeployedTag,
  desiredValues,
  planDeploy,
  type PlanContext,
} from './plan';
import type { AppObservation, Observation } from './observe';
import type { ToolStatus } from './tools';

const TOOLS: ToolStatus[] = [
  { name: 'helm', found: true, version: 'v3.17.2' },
  { name: 'kubectl', found: true, version: 'v1.32.4' },
  { name: 'minikube', found: true, version: 'v1.35.0' },
  { name: 'docker', found: true, version: '28.2.2' },
];
const MINIKUBE: PlanContext = {
  clusterRepository: (r) => r,
  deliveryVerb: 'load into minikube',
  deliveryTool: 'minikube',
};
const VALUES_DEV = { frontend: { service: { type: 'NodePort', nodePort: 30000 } } };

const options = (overrides = {}) =>
  normalizeDeployOptions(
    { namespace: 'todo-dev', valuesFiles: [], ...overrides },
    'frontend',
    '/ws',
    {},
  );

function app(
  chartKey: string,
  tag: string | undefined,
  extra: Partial<AppObservation> = {},
): AppObservation {
  return {
    chartKey,
    project: chartKey,
    ...(tag
      ? { manifest: { image: `localhost/todo/${chartKey}`, tag } }
      : { manifestError: `no image manifest at dist/images/${chartKey}.json` }),
    ...extra,
  };
}

function deployed(frontendTag: string, backendTag: string, extra: Record<string, unknown> = {}) {
  return {
    exists: true,
    revision: 4,
    status: 'deployed',
    chart: 'todo-app-0.1.0',
    values: {
      ...VALUES_DEV,
      frontend: {
        ...VALUES_DEV.frontend,
        image: { repository: 'localhost/todo/frontend', tag: frontendTag },
      },
      backend: { image: { repository: 'localhost/todo/backend', tag: backendTag } },
      ...extra,
    },
  };
}

function observation(overrides: Partial<Observation> = {}): Observation {
  return {
    tools: TOOLS,
    currentContext: 'minikube',
    chart: { name: 'todo-app', version: '0.1.0' },
    valuesFromFiles: VALUES_DEV,
    valuesFileErrors: [],
    apps: [
      app('frontend', 'f1', { inEngine: true, inCluster: false }),
      app('backend', 'b1', { inEngine: true, inCluster: false }),
    ],
    ...overrides,
  };
}

const kinds = (plan: ReturnType<typeof planDeploy>) =>
  plan.steps.map((s) => `${s.skip ? 'skip ' : ''}${s.kind}${s.project ? ` ${s.project}` : ''}`);

describe('planDeploy', () => {
  it('first install: loads both images (the release has no backend yet) and installs with both tags', () => {
    const plan = planDeploy(
      observation({ release: { exists: false, values: {} } }),
      options(),
      MINIKUBE,
    );
    expect(plan.blockers).toEqual([]);
    expect(kinds(plan)).toEqual([
      'skip build frontend',
      'deliver frontend',
      'skip build backend',
      'deliver backend',
      'helm-upgrade',
      'status-check',
      'ready-check',
      'diagnose',
      'rollback-on-failure',
      'url',
    ]);
    expect(plan.steps.find((s) => s.kind === 'helm-upgrade')?.reason).toBe(
      'first install of the release',
    );
    expect(plan.setStrings).toEqual([
      ['frontend.image.repository', 'localhost/todo/frontend'],
      ['frontend.image.tag', 'f1'],
      ['backend.image.repository', 'localhost/todo/backend'],
      ['backend.image.tag', 'b1'],
    ]);
    expect(plan.helmArgs).toEqual(
      expect.arrayContaining(['--create-namespace', '--timeout', '5m']),
    );
    // Helm neither waits nor rolls back: the status check and the plan's own steps do.
    for (const flag of ['--wait', '--atomic', '--rollback-on-failure'])
      expect(plan.helmArgs).not.toContain(flag);
    const rollback = plan.steps.find((s) => s.kind === 'rollback-on-failure');
    expect(rollback).toMatchObject({
      onFailure: true,
      action: 'uninstall',
      title: 'uninstall todo-app on failure',
      helmArgs: [
        'uninstall',
        'todo-app',
        '--timeout',
        '5m',
        '--namespace',
        'todo-dev',
        '--kube-context',
        'minikube',
      ],
    });
    expect(plan.steps.find((s) => s.kind === 'diagnose')?.onFailure).toBe(true);
  });

  it('nothing changed: up to date, no steps, one line', () => {
    const plan = planDeploy(observation({ release: deployed('f1', 'b1') }), options(), MINIKUBE);
    expect(plan.upToDate).toBe(true);
    expect(plan.steps).toEqual([]);
    expect(plan.upToDateLine).toBe(
      'frontend is up to date: localhost/todo/frontend:f1 with the same values and chart is release todo-app revision 4 in todo-dev — nothing built, loaded or rolled out',
    );
  });

  it('a changed values file alone is an upgrade, with no image work', () => {
    const plan = planDeploy(
      observation({
        release: deployed('f1', 'b1'),
        valuesFromFiles: { ...VALUES_DEV, frontend: { replicaCount: 2 } },
      }),
      options(),
      MINIKUBE,
    );
    expect(plan.upToDate).toBe(false);
    expect(kinds(plan)).toEqual([
      'skip build frontend',
      'skip deliver frontend',
      'helm-upgrade',
      'status-check',
      'ready-check',
      'diagnose',
      'rollback-on-failure',
      'url',
    ]);
    expect(plan.steps.find((s) => s.kind === 'helm-upgrade')?.reason).toBe('values changed');
  });

  it('a new chart version is an upgrade', () => {
    const plan = planDeploy(
      observation({ release: deployed('f1', 'b1'), chart: { name: 'todo-app', version: '0.2.0' } }),
      options(),
      MINIKUBE,
    );
    expect(plan.steps.find((s) => s.kind === 'helm-upgrade')?.reason).toBe(
      'chart todo-app-0.1.0 → todo-app-0.2.0',
    );
  });

  it('one app changed: only it is built and loaded; the other keeps its deployed tag even if its working copy moved on', () => {
    const plan = planDeploy(
      observation({
        release: deployed('f1', 'b1'),
        apps: [
          app('frontend', 'f2', { inEngine: false, inCluster: false }),
          app('backend', 'b9', { inEngine: true }),
        ],
      }),
      options(),
      MINIKUBE,
    );
    expect(kinds(plan)).toEqual([
      'build frontend',
      'deliver frontend',
      'helm-upgrade',
      'status-check',
      'ready-check',
      'diagnose',
      'rollback-on-failure',
      'url',
    ]);
    expect(plan.steps[0].reason).toBe('image localhost/todo/frontend:f2 is not in docker');
    expect(plan.setStrings).toContainEqual(['backend.image.tag', 'b1']);
    expect(plan.setStrings).toContainEqual(['frontend.image.tag', 'f2']);
    expect(plan.steps.find((s) => s.kind === 'helm-upgrade')?.reason).toBe(
      'new image: frontend f1 → f2',
    );
  });

  it('skips build and load when the cluster already has the tag', () => {
    const plan = planDeploy(
      observation({
        release: deployed('f1', 'b1'),
        apps: [app('frontend', 'f2', { inEngine: false, inCluster: true }), app('backend', 'b1')],
      }),
      options(),
      MINIKUBE,
    );
    expect(kinds(plan).slice(0, 2)).toEqual(['skip build frontend', 'skip deliver frontend']);
    expect(plan.steps[1].reason).toBe('the cluster already has localhost/todo/frontend:f2');
  });

  it('a missing manifest and no computed tag: build first, then plan again', () => {
    const plan = planDeploy(
      observation({
        release: { exists: false, values: {} },
        apps: [app('frontend', undefined), app('backend', 'b1')],
      }),
      options(),
      MINIKUBE,
    );
    expect(plan.needsManifest).toBe(true);
    expect(kinds(plan)).toEqual(['build frontend']);
    expect(plan.helmArgs).toEqual([]);
  });

  it('an upgrade of a deployed release rolls back to its revision on failure; the status check uses the timeout', () => {
    const plan = planDeploy(
      observation({
        release: { ...deployed('f1', 'b1'), lastDeployedRevision: 4 },
        apps: [app('frontend', 'f2', { inEngine: true, inCluster: true }), app('backend', 'b1')],
      }),
      options({ timeout: '90s' }),
      MINIKUBE,
    );
    expect(plan.steps.find((s) => s.kind === 'rollback-on-failure')).toMatchObject({
      action: 'rollback',
      revision: 4,
      title: 'rollback to revision 4 on failure',
      helmArgs: [
        'rollback',
        'todo-app',
        '4',
        '--timeout',
        '90s',
        '--namespace',
        'todo-dev',
        '--kube-context',
        'minikube',
      ],
    });
    expect(plan.steps.find((s) => s.kind === 'status-check')?.reason).toContain('for up to 90s');
  });

  it('a release with no deployed revision to return to is left as it is on failure, and the plan says so', () => {
    const release = { ...deployed('f1', 'b1'), status: 'failed', lastDeployedRevision: undefined };
    const plan = planDeploy(observation({ release }), options(), MINIKUBE);
    expect(plan.steps.find((s) => s.kind === 'rollback-on-failure')).toMatchObject({
      action: 'none',
      reason:
        'release todo-app has no deployed revision to return to: a failure leaves it as it is',
    });
  });

  it('Helm 3 and Helm 4 get the same upgrade: no flag that only one of them knows', () => {
    const helm4 = TOOLS.map((t) => (t.name === 'helm' ? { ...t, version: 'v4.1.4' } : t));
    const first = { release: { exists: false, values: {} } };
    const plan3 = planDeploy(observation(first), options(), MINIKUBE);
    const plan4 = planDeploy(observation({ ...first, tools: helm4 }), options(), MINIKUBE);
    expect(plan4.helmMajor).toBe(4);
    expect(plan4.helmArgs).toEqual(plan3.helmArgs);
  });

  it('a failed release is upgraded even when its values match', () => {
    const release = { ...deployed('f1', 'b1'), status: 'failed' };
    const plan = planDeploy(observation({ release }), options(), MINIKUBE);
    expect(plan.upToDate).toBe(false);
    expect(plan.steps.find((s) => s.kind === 'helm-upgrade')?.reason).toBe('the release is failed');
  });

  it('a release in the middle of another operation blocks the deploy with the way out', () => {
    const release = { ...deployed('f1', 'b1'), status: 'pending-upgrade' };
    const plan = planDeploy(observation({ release }), options(), MINIKUBE);
    expect(plan.blockers).toEqual([
      'release todo-app is pending-upgrade: another Helm operation is running or was interrupted — wait for it, or run: helm rollback todo-app -n todo-dev',
    ]);
  });

  it('preflight: each missing tool, the wrong context and an unreachable cluster is one line with its fix', () => {
    const tools = TOOLS.filter((t) => t.name !== 'helm').concat({ name: 'helm', found: false });
    expect(planDeploy(observation({ tools }), options(), MINIKUBE).blockers).toEqual([
      'helm is not installed — install Helm 3.8+ or 4: https://helm.sh/docs/intro/install/',
    ]);
    expect(
      planDeploy(observation({ currentContext: 'kind-kind' }), options(), MINIKUBE).blockers,
    ).toEqual([
      'current kube context is "kind-kind", this configuration deploys to "minikube" — run: kubectl config use-context minikube (start it first: minikube start -p minikube), or deploy to the current context with --kubeContext=kind-kind',
    ]);
    expect(
      planDeploy(observation({ clusterError: 'connection refused' }), options(), MINIKUBE).blockers,
    ).toEqual([
      'cluster "minikube" does not answer (connection refused) — start it: minikube start -p minikube',
    ]);
    expect(
      planDeploy(
        observation({
          tools: [
            ...TOOLS.filter((t) => t.name !== 'helm'),
            { name: 'helm', found: true, version: 'v2.17.0' },
          ],
        }),
        options(),
        MINIKUBE,
      ).blockers,
    ).toEqual([
      'helm v2.17.0 is not supported — install Helm 3.8+ or 4: https://helm.sh/docs/intro/install/',
    ]);
  });

  it('a context that is not the minikube profile gets no minikube start hint', () => {
    expect(
      planDeploy(
        observation({ currentContext: 'kind-kind' }),
        options({ kubeContext: 'todo-control-plane' }),
        MINIKUBE,
      ).blockers,
    ).toEqual([
      'current kube context is "kind-kind", this configuration deploys to "todo-control-plane" — run: kubectl config use-context todo-control-plane, or deploy to the current context with --kubeContext=kind-kind',
    ]);
    expect(
      planDeploy(
        observation({ currentContext: 'todo-control-plane', clusterError: 'connection refused' }),
        options({ kubeContext: 'todo-control-plane' }),
        MINIKUBE,
      ).blockers,
    ).toEqual([
      'cluster "todo-control-plane" does not answer (connection refused) — check it: kubectl --context todo-control-plane cluster-info',
    ]);
  });

  it('a dry run needs only helm and never looks at the context', () => {
    const tools: ToolStatus[] = [{ name: 'helm', found: true, version: 'v3.17.2' }];
    const plan = planDeploy(
      observation({ tools, currentContext: 'elsewhere' }),
      options({ dryRun: true }),
      MINIKUBE,
    );
    expect(plan.blockers).toEqual([]);
    expect(plan.steps.find((s) => s.kind === 'helm-upgrade')?.reason).toBe(
      'dry run: the cluster is not contacted',
    );
  });

  it('registry delivery puts the registry repository in the release', () => {
    const registry: PlanContext = {
      clusterRepository: (r) => `ghcr.io/acme/${r.replace(/^localhost\//, '')}`,
      deliveryVerb: 'push to ghcr.io/acme',
      registry: 'ghcr.io/acme',
    };
    const plan = planDeploy(
      observation({ release: { exists: false, values: {} } }),
      options({ imageDelivery: 'registry', registry: 'ghcr.io/acme', kubeContext: 'minikube' }),
      registry,
    );
    // The chart composes global.imageRegistry/<repository>:<tag>: the pushed reference.
    expect(plan.setStrings).toContainEqual(['global.imageRegistry', 'ghcr.io/acme']);
    expect(plan.setStrings).toContainEqual(['frontend.image.repository', 'todo/frontend']);
    expect(plan.steps.find((s) => s.kind === 'deliver')?.clusterRef).toBe(
      'ghcr.io/acme/todo/frontend:f1',
    );
  });
});

describe('desiredValues', () => {
  it('types --set values the way Helm does and keeps --set-string values as text', () => {
    expect(
      desiredValues(
        { a: { b: 1 } },
        [['frontend.image.tag', '1234']],
        [
          ['externalDatabase.enabled', 'true'],
          ['backend.replicaCount', '3'],
          ['x', 'abc'],
        ],
      ),
    ).toEqual({
      a: { b: 1 },
      frontend: { image: { tag: '1234' } },
      externalDatabase: { enabled: true },
      backend: { replicaCount: 3 },
      x: 'abc',
    });
  });

  it('a repeated deploy with the same --set values is up to date', () => {
    const release = deployed('f1', 'b1', { externalDatabase: { enabled: true } });
    const plan = planDeploy(
      observation({ release }),
      options({ set: { 'externalDatabase.enabled': 'true' } }),
      MINIKUBE,
    );
    expect(plan.upToDate).toBe(true);
  });
});

describe('apps the target does not list', () => {
  it('keeps the deployed image of an app added to the release later', () => {
    const plan = planDeploy(
      observation({
        release: deployed('f1', 'b1', {
          admin: { image: { repository: 'localhost/todo/admin', tag: 'a7' } },
        }),
        apps: [app('frontend', 'f2', { inEngine: true, inCluster: true }), app('backend', 'b1')],
      }),
      options(),
      MINIKUBE,
    );
    expect(plan.setStrings).toContainEqual(['admin.image.tag', 'a7']);
    expect(plan.setStrings).toContainEqual(['admin.image.repository', 'localhost/todo/admin']);
  });
});

describe('what the deploy asks about', () => {
  it('checks images only for apps whose tag the release does not run yet', () => {
    const obs = {
      apps: [app('frontend', 'f2'), app('backend', 'b1')],
      release: deployed('f1', 'b1'),
    };
    expect(appsNeedingImageChecks(obs, options(), MINIKUBE)).toEqual(['frontend']);
    expect(
      appsNeedingImageChecks(
        { ...obs, apps: [app('frontend', 'f1'), app('backend', 'b1')] },
        options(),
        MINIKUBE,
      ),
    ).toEqual([]);
  });

  it('computes the other apps’ tags only when the release lacks them', () => {
    expect(appsWithoutDeployedTag({ release: deployed('f1', 'b1') }, options())).toEqual([]);
    expect(appsWithoutDeployedTag({ release: { exists: false, values: {} } }, options())).toEqual([
      'backend',
    ]);
  });
});
