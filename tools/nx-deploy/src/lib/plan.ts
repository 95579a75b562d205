import type { DeployOptions } from './deploy-options';
import { helmRollbackArgs, helmUninstallArgs, helmUpgradeArgs } from './helm';
import { formatRef } from './image-ref';
import { toolProblem, type ToolName, type ToolStatus } from './tools';
import { getPath, mergeValues, setPath, valuesEqual, type Values } from './values';

/** What docker-build wrote: dist/images/<project>.json. */
export interface ImageManifest {
  image: string;
  tag: string;
  id?: string;
}

export interface AppObservation {
  chartKey: string;
  project: string;
  /** The app's current image: its content tag computed from sources, else the last manifest. */
  manifest?: ImageManifest;
  manifestError?: string;
  /** Where the tag came from: computed from the sources now, or the last docker-build's manifest. */
  tagSource?: 'content' | 'manifest';
  /** Left undefined when not asked (nothing depended on it). */
  inEngine?: boolean;
  inCluster?: boolean;
}

export interface ReleaseObservation {
  exists: boolean;
  revision?: number;
  status?: string;
  /** `<name>-<version>` as `helm list` prints it. */
  chart?: string;
  /** User-supplied values of the current revision (`helm get values -o json`). */
  values: Values;
  /**
   * The revision a failed deploy returns to: the current one when it is deployed, else the newest
   * deployed (or superseded) one in `helm history`. Undefined when there is none.
   */
  lastDeployedRevision?: number;
}

/** Everything the tools said; the plan is a pure function of this and the options. */
export interface Observation {
  tools: ToolStatus[];
  currentContext?: string;
  contextError?: string;
  /** Set when the cluster did not answer. */
  clusterError?: string;
  chart?: { name: string; version: string };
  chartError?: string;
  valuesFromFiles: Values;
  valuesFileErrors: string[];
  /** Undefined in a dry run, which never contacts the cluster. */
  release?: ReleaseObservation;
  apps: AppObservation[];
}

export type StepKind =
  | 'build'
  | 'deliver'
  | 'helm-upgrade'
  | 'status-check'
  | 'ready-check'
  | 'diagnose'
  | 'rollback-on-failure'
  | 'url';

export interface PlanStep {
  kind: StepKind;
  /** Short label for the status line, e.g. "build frontend". */
  title: string;
  /** Why the step runs (or, for skipped steps, why not). */
  reason: string;
  skip?: boolean;
  project?: string;
  chartKey?: string;
  localRef?: string;
  clusterRef?: string;
  /** Runs only when an earlier step (the upgrade, the status check, /ready) failed. */
  onFailure?: boolean;
  /** rollback-on-failure: what it does — return to `revision`, uninstall a failed first install, or nothing. */
  action?: 'rollback' | 'uninstall' | 'none';
  revision?: number;
  /** The exact helm argv of a rollback-on-failure step. */
  helmArgs?: string[];
}

export interface Plan {
  /** Preflight failures: one line each, what is wrong and how to fix it. */
  blockers: string[];
  steps: PlanStep[];
  upToDate: boolean;
  /** One line for a deploy with nothing to do. */
  upToDateLine?: string;
  /** True when an image manifest is missing: build, then observe and plan again. */
  needsManifest: boolean;
  helmArgs: string[];
  setStrings: Array<[string, string]>;
  /** The configuration's `set` values, passed with --set. */
  sets: Array<[string, string]>;
  helmMajor: number;
}

export interface PlanContext {
  /** Maps a local repository to the one pods pull (the registry's for pushes). */
  clusterRepository: (localRepository: string) => string;
  deliveryVerb: string;
  deliveryTool?: ToolName;
  /**
   * Set when images are pushed: the chart composes `global.imageRegistry/<repository>:<tag>`, so
   * the release gets the registry there and repositories without it.
   */
  registry?: string;
}

export function shortTag(tag: string): string {
  return /^[0-9a-f]{13,}$/i.test(tag) ? `${tag.slice(0, 12)}…` : tag;
}

export function requiredTools(options: DeployOptions, delivery: PlanContext): ToolName[] {
  if (options.dryRun) return ['helm'];
  return ['helm', 'kubectl', ...(delivery.deliveryTool ? [delivery.deliveryTool] : [])];
}

export function helmMajorOf(tools: ToolStatus[]): number {
  const version = tools.find((t) => t.name === 'helm')?.version ?? '';
  return Number(version.match(/^v?(\d+)/)?.[1] ?? 3);
}

/** Preflight: one line per problem, each with its fix. Pure. */
export function preflightProblems(
  observation: Observation,
  options: DeployOptions,
  delivery: PlanContext,
): string[] {
  const problems: string[] = [];
  for (const name of requiredTools(options, delivery)) {
    const status = observation.tools.find((t) => t.name === name) ?? { name, found: false };
    const problem = toolProblem(status);
    if (problem) problems.push(problem);
  }
  if (observation.chartError) problems.push(observation.chartError);
  problems.push(...observation.valuesFileErrors);
  if (options.dryRun) return problems;
  if (observation.contextError) {
    problems.push(
      `no current kube context (${observation.contextError}) — run: kubectl config use-context ${options.kubeContext}`,
    );
  } else if (observation.currentContext && observation.currentContext !== options.kubeContext) {
    // Deploying only to the current context is the guard against a dev deploy reaching another
    // cluster; both ways out are named: switch the context, or say which one to deploy to.
    const start =
      options.imageDelivery === 'minikube' && options.kubeContext === options.minikubeProfile
        ? ` (start it first: minikube start -p ${options.minikubeProfile})`
        : '';
    problems.push(
      `current kube context is "${observation.currentContext}", this configuration deploys to "${options.kubeContext}" — run: kubectl config use-context ${options.kubeContext}${start}, or deploy to the current context with --kubeContext=${observation.currentContext}`,
    );
  } else if (observation.clusterError) {
    problems.push(
      `cluster "${options.kubeContext}" does not answer (${observation.clusterError}) — ${startFix(options)}`,
    );
  }
  return problems;
}

function startFix(options: DeployOptions): string {
  const delivery =
    options.imageDelivery === 'minikube' && options.kubeContext !== options.minikubeProfile
      ? 'registry'
      : options.imageDelivery;
  switch (delivery) {
    case 'minikube':
      return `start it: minikube start -p ${options.minikubeProfile}`;
    case 'kind':
      return `create it: kind create cluster --name ${options.kindCluster}`;
    default:
      return `check it: kubectl --context ${options.kubeContext} cluster-info`;
  }
}

/** The deployed repository names the same image as the planned one (registry prefix aside). */
function sameRepository(
  deployed: string | undefined,
  planned: string,
  context: PlanContext,
): boolean {
  if (deployed === undefined) return true;
  const prefix = context.registry ? `${context.registry.replace(/\/+$/, '')}/` : '';
  return deployed === planned || (prefix !== '' && `${prefix}${deployed}` === planned);
}

interface AppTarget {
  app: AppObservation;
  repository: string;
  tag: string;
  /** The deployed tag is kept: the image needs no step. */
  keptFromRelease: boolean;
  reason: string;
}

function deployedImage(release: ReleaseObservation | undefined, chartKey: string) {
  const repository = getPath(release?.values, `${chartKey}.image.repository`);
  const tag = getPath(release?.values, `${chartKey}.image.tag`);
  return {
    repository: typeof repository === 'string' ? repository : undefined,
    tag: typeof tag === 'string' || typeof tag === 'number' ? String(tag) : undefined,
  };
}

/** Other apps of the release with no tag in the deployed release (first install, or a new app). Pure. */
export function appsWithoutDeployedTag(
  observation: Pick<Observation, 'release'>,
  options: DeployOptions,
): string[] {
  return options.releaseApps
    .filter((app) => app.chartKey !== options.chartKey)
    .filter((app) => !deployedImage(observation.release, app.chartKey).tag)
    .map((app) => app.chartKey);
}

/** The apps whose images need checking in the engine and the cluster. Pure. */
export function appsNeedingImageChecks(
  observation: Pick<Observation, 'apps' | 'release'>,
  options: DeployOptions,
  context: PlanContext,
): string[] {
  return resolveTargets(observation, options, context)
    .filter((target) => !target.keptFromRelease && target.app.manifest)
    .filter((target) => {
      const deployed = deployedImage(observation.release, target.app.chartKey);
      const releaseRunsIt =
        observation.release?.status === 'deployed' &&
        deployed.tag === target.tag &&
        sameRepository(deployed.repository, target.repository, context);
      return !releaseRunsIt;
    })
    .map((target) => target.app.chartKey);
}

function resolveTargets(
  observation: Pick<Observation, 'apps' | 'release'>,
  options: DeployOptions,
  context: PlanContext,
): AppTarget[] {
  // Apps the release runs that this target's releaseApps does not name (added later by the
  // generator) keep their deployed image too.
  const known = new Set(observation.apps.map((app) => app.chartKey));
  const unlisted: AppTarget[] = Object.keys(observation.release?.values ?? {})
    .filter((key) => !known.has(key) && deployedImage(observation.release, key).tag)
    .map((key) => {
      const deployed = deployedImage(observation.release, key);
      return {
        app: { chartKey: key, project: key },
        repository: deployed.repository ?? '',
        tag: deployed.tag as string,
        keptFromRelease: true,
        reason: `${key} stays at its deployed tag`,
      };
    });
  return observation.apps
    .map((app): AppTarget => {
      const isThisApp = app.chartKey === options.chartKey;
      const deployed = deployedImage(observation.release, app.chartKey);
      if (!isThisApp && deployed.tag) {
        return {
          app,
          repository: deployed.repository ?? '',
          tag: deployed.tag,
          keptFromRelease: true,
          reason: `${app.chartKey} stays at its deployed tag ${shortTag(deployed.tag)}`,
        };
      }
      const reason = isThisApp
        ? `${app.chartKey} content tag`
        : observation.release
          ? `the release has no ${app.chartKey} tag yet, so ${app.project}'s current image goes in too`
          : `dry run: ${app.chartKey} uses its local image; a real deploy keeps the deployed tag`;
      return {
        app,
        repository: app.manifest ? context.clusterRepository(app.manifest.image) : '',
        tag: app.manifest?.tag ?? '',
        keptFromRelease: false,
        reason,
      };
    })
    .concat(unlisted);
}

/** How `helm --set` types a value: true, false, null and integers; anything else stays text. */
export function helmSetValue(text: string): unknown {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null') return null;
  if (/^-?(0|[1-9]\d{0,17})$/.test(text)) return Number(text);
  return text;
}

/** The values Helm will store for the release: values files, then image tags, then `set`. */
export function desiredValues(
  valuesFromFiles: Values,
  setStrings: Array<[string, string]>,
  sets: Array<[string, string]> = [],
): Values {
  const withStrings = setStrings.reduce(
    (values, [key, value]) => setPath(values, key, value),
    mergeValues(valuesFromFiles),
  );
  return sets.reduce(
    (values, [key, value]) => setPath(values, key, helmSetValue(value)),
    withStrings,
  );
}

/** Observe → **plan** → apply: turns what exists into the steps that are needed, with reasons. Pure. */
export function planDeploy(
  observation: Observation,
  options: DeployOptions,
  context: PlanContext,
): Plan {
  const helmMajor = helmMajorOf(observation.tools);
  const pending = pendingReleaseProblem(observation.release, options);
  const blockers = [
    ...preflightProblems(observation, options, context),
    ...(pending ? [pending] : []),
  ];
  const empty: Plan = {
    blockers,
    steps: [],
    upToDate: false,
    needsManifest: false,
    helmArgs: [],
    setStrings: [],
    sets: [],
    helmMajor,
  };
  if (blockers.length > 0) return empty;

  const targets = resolveTargets(observation, options, context);
  const missing = targets.filter((t) => !t.keptFromRelease && !t.app.manifest);
  if (missing.length > 0) {
    return {
      ...empty,
      needsManifest: true,
      steps: missing.map((t) => ({
        kind: 'build',
        title: `build ${t.app.project}`,
        reason: t.app.manifestError ?? `no image manifest for ${t.app.project} yet`,
        project: t.app.project,
        chartKey: t.app.chartKey,
      })),
    };
  }

  const setStrings: Array<[string, string]> = [];
  const registryPrefix = context.registry ? `${context.registry.replace(/\/+$/, '')}/` : undefined;
  if (registryPrefix) setStrings.push(['global.imageRegistry', registryPrefix.slice(0, -1)]);
  for (const target of targets) {
    const repository =
      registryPrefix && !target.keptFromRelease && target.repository.startsWith(registryPrefix)
        ? target.repository.slice(registryPrefix.length)
        : target.repository;
    if (repository) setStrings.push([`${target.app.chartKey}.image.repository`, repository]);
    setStrings.push([`${target.app.chartKey}.image.tag`, target.tag]);
  }
  const sets = Object.entries(options.set);
  const helmArgs = helmUpgradeArgs({
    release: options.release,
    chartDir: options.chartDir,
    namespace: options.namespace,
    kubeContext: options.kubeContext,
    valuesFiles: options.valuesFiles,
    setStrings,
    sets,
    timeout: options.timeout,
    helmMajor,
  });

  const release = observation.release;
  const thisTarget = targets[0];
  const expectedChart = observation.chart
    ? `${observation.chart.name}-${observation.chart.version}`
    : undefined;
  const upToDate =
    !!release?.exists &&
    release.status === 'deployed' &&
    release.chart === expectedChart &&
    valuesEqual(desiredValues(observation.valuesFromFiles, setStrings, sets), release.values);
  if (upToDate) {
    return {
      ...empty,
      upToDate: true,
      helmArgs,
      setStrings,
      sets,
      upToDateLine: `${options.project} is up to date: ${formatRef(thisTarget)} with the same values and chart is release ${options.release} revision ${release.revision} in ${options.namespace} — nothing built, loaded or rolled out`,
    };
  }

  const steps: PlanStep[] = [];
  for (const target of targets) {
    if (target.keptFromRelease || !target.app.manifest) continue;
    const localRef = `${target.app.manifest.image}:${target.tag}`;
    const clusterRef = `${target.repository}:${target.tag}`;
    const deployed = deployedImage(release, target.app.chartKey);
    const running =
      release?.status === 'deployed' &&
      deployed.tag === target.tag &&
      sameRepository(deployed.repository, target.repository, context);
    const base = {
      project: target.app.project,
      chartKey: target.app.chartKey,
      localRef,
      clusterRef,
    };
    if (running || target.app.inCluster) {
      const why = running
        ? `the release already runs ${shortTag(target.tag)}`
        : `the cluster already has ${clusterRef}`;
      steps.push({
        ...base,
        kind: 'build',
        title: `build ${target.app.project}`,
        reason: why,
        skip: true,
      });
      steps.push({
        ...base,
        kind: 'deliver',
        title: `${context.deliveryVerb} ${target.app.project}`,
        reason: why,
        skip: true,
      });
      continue;
    }
    if (target.app.inEngine === false) {
      steps.push({
        ...base,
        kind: 'build',
        title: `build ${target.app.project}`,
        reason: `image ${localRef} is not in ${options.engine}`,
      });
    } else {
      steps.push({
        ...base,
        kind: 'build',
        title: `build ${target.app.project}`,
        reason:
          target.app.inEngine === undefined
            ? `${options.engine} was not asked; a real deploy builds only if ${localRef} is missing`
            : `${options.engine} has ${localRef}`,
        skip: true,
      });
    }
    steps.push({
      ...base,
      kind: 'deliver',
      title: `${context.deliveryVerb} ${target.app.project}`,
      reason:
        target.app.inCluster === undefined
          ? release
            ? `the cluster was not asked for ${clusterRef}`
            : `dry run: a real deploy skips this when the cluster has ${clusterRef}`
          : `the cluster does not have ${clusterRef}`,
    });
  }

  const changed = describeChange(release, targets, expectedChart, observation.chart);
  steps.push({ kind: 'helm-upgrade', title: `helm upgrade ${options.release}`, reason: changed });
  steps.push(...verifySteps(release, options));
  return { ...empty, steps, helmArgs, setStrings, sets };
}

/** After the upgrade: the status check and /ready, then — only on a failure — diagnose and roll back. */
function verifySteps(release: ReleaseObservation | undefined, options: DeployOptions): PlanStep[] {
  const statusCheck: PlanStep = {
    kind: 'status-check',
    title: `status check ${options.release}`,
    reason: `every Deployment and StatefulSet of the release rolled out and ready, polled each second for up to ${options.timeout}; stops at once on image pull, crash loop and container config errors`,
  };
  const ready: PlanStep = {
    kind: 'ready-check',
    title: `${options.service} ${options.readyPath}`,
    reason: `GET ${options.readyPath} through a port-forward to a ready pod of deployment/${options.deployment}'s newest ReplicaSet`,
  };
  const diagnose: PlanStep = {
    kind: 'diagnose',
    title: 'diagnose',
    reason:
      'one sentence per problem of the release’s workloads, pods, claims and Services, their warning events and the failing containers’ last log lines — before anything is rolled back',
    onFailure: true,
  };
  const rollback = rollbackStep(release, options);
  const url: PlanStep = { kind: 'url', title: 'url', reason: `where ${options.project} answers` };
  return [statusCheck, ready, diagnose, rollback, url];
}

function rollbackStep(release: ReleaseObservation | undefined, options: DeployOptions): PlanStep {
  const base = { kind: 'rollback-on-failure' as const, onFailure: true };
  if (!release) {
    return {
      ...base,
      title: 'rollback on failure',
      action: 'rollback',
      reason:
        'dry run: a failed deploy returns to the release’s last deployed revision (helm rollback), or removes a failed first install (helm uninstall)',
    };
  }
  if (!release.exists) {
    return {
      ...base,
      title: `uninstall ${options.release} on failure`,
      action: 'uninstall',
      reason: `a failed first install is removed, as --atomic did: helm uninstall ${options.release}`,
      helmArgs: helmUninstallArgs(
        options.release,
        options.namespace,
        options.kubeContext,
        options.timeout,
      ),
    };
  }
  const revision = release.lastDeployedRevision;
  if (!revision) {
    return {
      ...base,
      title: 'rollback on failure',
      action: 'none',
      reason: `release ${options.release} has no deployed revision to return to: a failure leaves it as it is`,
    };
  }
  return {
    ...base,
    title: `rollback to revision ${revision} on failure`,
    action: 'rollback',
    revision,
    reason: `a failure returns the release to revision ${revision} (helm rollback ${options.release} ${revision}), then checks its status`,
    helmArgs: helmRollbackArgs(
      options.release,
      revision,
      options.namespace,
      options.kubeContext,
      options.timeout,
    ),
  };
}

function describeChange(
  release: ReleaseObservation | undefined,
  targets: AppTarget[],
  expectedChart: string | undefined,
  chart: Observation['chart'],
): string {
  if (!release) return 'dry run: the cluster is not contacted';
  if (!release.exists) return 'first install of the release';
  if (release.status !== 'deployed') return `the release is ${release.status}`;
  const tags = targets
    .filter((t) => !t.keptFromRelease)
    .filter((t) => deployedImage(release, t.app.chartKey).tag !== t.tag)
    .map((t) => {
      const from = deployedImage(release, t.app.chartKey).tag;
      return `${t.app.chartKey} ${from ? shortTag(from) : '(none)'} → ${shortTag(t.tag)}`;
    });
  if (tags.length) return `new image: ${tags.join(', ')}`;
  if (release.chart !== expectedChart)
    return `chart ${release.chart} → ${chart?.name}-${chart?.version}`;
  return 'values changed';
}

/** Planned step with a release that is mid-operation: refuse instead of queueing behind it. */
export function pendingReleaseProblem(
  release: ReleaseObservation | undefined,
  options: DeployOptions,
) {
  if (!release?.status?.startsWith('pending-')) return undefined;
  return `release ${options.release} is ${release.status}: another Helm operation is running or was interrupted — wait for it, or run: helm rollback ${options.release} -n ${options.namespace}`;
}
