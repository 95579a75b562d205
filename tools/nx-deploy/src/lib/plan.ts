import type { DeployOptions } from './deploy-options';
import type { AppObservation, Observation, ReleaseObservation } from './observe';
import { helmRollbackArgs, helmUninstallArgs, helmUpgradeArgs } from './helm';
import { formatRef } from './image-ref';
import { helmMajorOf, toolProblem, type ToolName } from './tools';
import { getPath, isPlainObject, mergeValues, valuesEqual, type Values } from './values';

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

/**
 * How `helm --set` types a value (Helm's strvals): true, false and null in any letter case, and
 * integers that fit 64 bits and do not start with 0 — "007" and "1e5" stay text, "-007" is -7.
 */
export function helmSetValue(text: string): unknown {
  const word = text.toUpperCase();
  if (word === 'TRUE') return true;
  if (word === 'FALSE') return false;
  if (word === 'NULL') return null;
  if (text === '0') return 0;
  if (/^[+-]?\d+$/.test(text) && !text.startsWith('0')) {
    const n = BigInt(text);
    if (n >= -(2n ** 63n) && n < 2n ** 63n) return Number(n);
  }
  return text;
}

/** Helm refuses the argument and fails the whole command. */
class SetRefused extends Error {}

/** One `key=value` argument as Helm's strvals reads it: `\` takes the next character as text. */
class SetArgument {
  private at = 0;
  constructor(
    private readonly text: string,
    /** --set (typed) or --set-string (all text). */
    readonly typed: boolean,
  ) {}

  /** The text up to the first unescaped stop character, and that character (none at the end). */
  until(stops: string): [string, string | undefined] {
    let read = '';
    while (this.at < this.text.length) {
      const c = this.text[this.at++];
      if (stops.includes(c)) return [read, c];
      if (c !== '\\') read += c;
      else if (this.at < this.text.length) read += this.text[this.at++];
    }
    return [read, undefined];
  }

  skip(c: string): boolean {
    if (this.text[this.at] !== c) return false;
    this.at++;
    return true;
  }

  get ended(): boolean {
    return this.at >= this.text.length;
  }

  value(text: string): unknown {
    return this.typed ? helmSetValue(text) : text;
  }
}

const hasKey = (data: object, key: string) => Object.prototype.hasOwnProperty.call(data, key);

// Helm skips empty keys; defineProperty keeps a key like `__proto__` an ordinary value.
function assign(data: Values, key: string, value: unknown): void {
  if (key !== '')
    Object.defineProperty(data, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
}

/**
 * The value after `=`: a `{a,b}` list or one value. Only an empty value at the very end counts as
 * the argument's end (Helm's own quirk: a `name[i].key=` that ends there is dropped).
 */
function readValue(arg: SetArgument): [unknown, boolean] {
  if (arg.ended) return ['', true];
  if (!arg.skip('{')) return [arg.value(arg.until(',')[0]), false];
  const list: unknown[] = [];
  for (;;) {
    const [item, stop] = arg.until(',}');
    if (stop === undefined) throw new SetRefused("list must terminate with '}'");
    list.push(arg.value(item));
    if (stop === '}') {
      arg.skip(',');
      return [list, false];
    }
  }
}

// An unclosed `[i` is refused as Helm 3 does; Helm 4 ends the argument there instead. Either way
// the plan never calls such a release up to date, so the upgrade runs and Helm has the last word.
function readIndex(arg: SetArgument): number {
  const [text, stop] = arg.until(']');
  const index = Number(text);
  if (stop === undefined || !/^[+-]?\d+$/.test(text)) throw new SetRefused('error parsing index');
  if (index < 0 || index > 65536) throw new SetRefused(`index ${index} out of range`);
  return index;
}

// Like Go's slices: an index inside the list changes it in place, one past its end makes a new one.
function setIndex(list: unknown[], index: number, value: unknown): unknown[] {
  const target =
    index < list.length ? list : [...list, ...Array<null>(index + 1 - list.length).fill(null)];
  target[index] = value;
  return target;
}

/** Reads one `path=value` of the argument into `data`; true when the argument has ended. */
function readAssignment(arg: SetArgument, data: Values, depth = 0): boolean {
  const [key, stop] = arg.until('=[,.');
  const exists = hasKey(data, key);
  if (stop === undefined) {
    if (key === '') return true;
    throw new SetRefused(`key "${key}" has no value`);
  }
  if (stop === ',') throw new SetRefused(`key "${key}" has no value (cannot end with ,)`);
  if (stop === '[') {
    const index = readIndex(arg);
    if (exists && !Array.isArray(data[key])) throw new SetRefused(`${key} is not a list`);
    const [list, ended] = readListItem(arg, exists ? (data[key] as unknown[]) : [], index, depth);
    assign(data, key, list);
    return ended;
  }
  if (stop === '=') {
    const [value, ended] = readValue(arg);
    assign(data, key, value);
    return ended;
  }
  if (depth >= 30) throw new SetRefused('more than 30 levels of nested names');
  if (exists && !isPlainObject(data[key])) throw new SetRefused(`${key} is not a map`);
  const inner = exists ? (data[key] as Values) : {};
  const ended = readAssignment(arg, inner, depth + 1);
  if (Object.keys(inner).length > 0) assign(data, key, inner);
  else if (!ended) throw new SetRefused(`key map "${key}" has no value`);
  return ended;
}

/** What follows `name[index]`: `=value`, another `[index]` or `.path`. */
function readListItem(
  arg: SetArgument,
  list: unknown[],
  index: number,
  depth: number,
): [unknown[], boolean] {
  const [rest, stop] = arg.until('[.=');
  if (rest !== '') throw new SetRefused(`unexpected data at end of array index: ${rest}`);
  if (stop === undefined) return [list, true];
  if (stop === '=') return [setIndex(list, index, readValue(arg)[0]), false];
  if (stop === '[') {
    const next = readIndex(arg);
    const current = index < list.length ? list[index] : null;
    if (current != null && !Array.isArray(current)) throw new SetRefused('not a list');
    const [inner, ended] = readListItem(arg, (current as unknown[] | null) ?? [], next, depth);
    return ended ? [list, true] : [setIndex(list, index, inner), false];
  }
  if (index < list.length && !isPlainObject(list[index])) list[index] = {};
  const inner = index < list.length ? (list[index] as Values) : {};
  const ended = readAssignment(arg, inner, depth);
  return ended ? [list, true] : [setIndex(list, index, inner), false];
}

/**
 * The values Helm stores for the release (what `helm get values` answers): the values files
 * merged in order, then every `--set`, then every `--set-string` — Helm's order whatever the
 * command line's — each argument read as Helm reads `key=value` (commas, escapes, lists, [i]).
 * Undefined when Helm refuses an argument: the upgrade runs and fails with Helm's message.
 */
export function desiredValues(
  valuesFromFiles: Values,
  setStrings: Array<[string, string]>,
  sets: Array<[string, string]> = [],
): Values | undefined {
  const values = structuredClone(mergeValues(valuesFromFiles));
  const apply = ([key, value]: [string, string], typed: boolean) => {
    const arg = new SetArgument(`${key}=${value}`, typed);
    while (!readAssignment(arg, values));
  };
  try {
    for (const pair of sets) apply(pair, true);
    for (const pair of setStrings) apply(pair, false);
  } catch (error) {
    if (error instanceof SetRefused) return undefined;
    throw error;
  }
  return values;
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

  const setStrings = imageSetStrings(targets, context);
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

  const steps = imageSteps(targets, release, options, context);
  const changed = describeChange(release, targets, expectedChart, observation.chart);
  steps.push({ kind: 'helm-upgrade', title: `helm upgrade ${options.release}`, reason: changed });
  steps.push(...verifySteps(release, options));
  return { ...empty, steps, helmArgs, setStrings, sets };
}

/** `--set-string` pairs: each app's repository and tag, and the registry when images are pushed. */
function imageSetStrings(targets: AppTarget[], context: PlanContext): Array<[string, string]> {
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
  return setStrings;
}

/** Per app that changes: build (unless the engine has it) and deliver (unless the cluster has it). */
function imageSteps(
  targets: AppTarget[],
  release: ReleaseObservation | undefined,
  options: DeployOptions,
  context: PlanContext,
): PlanStep[] {
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

  return steps;
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
