import * as path from 'node:path';
import type {
  ContainerEngineName,
  DeployExecutorSchema,
  ImageDelivery,
} from '../executors/deploy/schema';
import { imageManifestPath } from './container-engine';
import { OptionsError, requireDnsLabel, requireDuration, resolveEngine } from './options-error';

export interface ReleaseApp {
  chartKey: string;
  project: string;
}

/** Every option resolved: what the rest of the executor works from. */
export interface DeployOptions {
  workspaceRoot: string;
  project: string;
  chartKey: string;
  release: string;
  chartDir: string;
  namespace: string;
  kubeContext: string;
  imageDelivery: ImageDelivery;
  minikubeProfile: string;
  kindCluster: string;
  registry?: string;
  valuesFiles: string[];
  set: Record<string, string>;
  timeout: string;
  engine: ContainerEngineName;
  /** This app first, then the other apps of the release. */
  releaseApps: ReleaseApp[];
  buildTarget: string;
  /** Where the build target writes {image, tag, id}: the image tooling decides. */
  manifestPath: (project: string) => string;
  deployment: string;
  service: string;
  servicePort: string;
  readyPath: string;
  lockTimeoutMs: number;
  dryRun: boolean;
  verbose: boolean;
  /** The dev loop's settings; undefined without --watch. */
  watch?: WatchOptions;
}

export interface WatchOptions {
  /** 0: no forward. */
  forwardPort: number;
  logs: boolean;
  debounceMs: number;
  cleanup: boolean;
}

function integerIn(option: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new OptionsError(
      option,
      `must be a whole number from ${min} to ${max}, got ${String(value)}`,
    );
  }
  return value;
}

function watchOptions(options: DeployExecutorSchema): WatchOptions | undefined {
  if (!options.watch) {
    // The loop's other settings may sit in the project's configuration; a plain deploy ignores them.
    if (options.cleanup) throw new OptionsError('cleanup', 'applies only with --watch');
    return undefined;
  }
  if (options.dryRun) throw new OptionsError('watch', 'cannot be combined with --dryRun');
  return {
    forwardPort: integerIn('forwardPort', options.forwardPort ?? 0, 0, 65535),
    logs: options.logs ?? true,
    debounceMs: integerIn('watchDebounceMs', options.watchDebounceMs ?? 300, 10, 10_000),
    cleanup: options.cleanup ?? false,
  };
}

export function normalizeDeployOptions(
  options: DeployExecutorSchema,
  project: string,
  workspaceRoot: string,
  env: NodeJS.ProcessEnv = process.env,
): DeployOptions {
  const release = requireDnsLabel('release', options.release ?? 'todo-app');
  const namespace = requireDnsLabel('namespace', options.namespace);
  const imageDelivery = options.imageDelivery ?? 'minikube';
  if (!['minikube', 'kind', 'registry'].includes(imageDelivery)) {
    throw new OptionsError('imageDelivery', `must be one of minikube, kind, registry`);
  }
  const minikubeProfile = options.minikubeProfile ?? 'minikube';
  const kindCluster = options.kindCluster ?? 'kind';
  if (imageDelivery === 'registry' && !options.registry) {
    throw new OptionsError(
      'registry',
      'is required when imageDelivery is "registry" (for example ghcr.io/acme)',
    );
  }
  if (options.registry && /^[a-z]+:\/\//i.test(options.registry)) {
    throw new OptionsError(
      'registry',
      `"${options.registry}" must be a host/path without a scheme`,
    );
  }
  const kubeContext =
    options.kubeContext ??
    (imageDelivery === 'minikube'
      ? minikubeProfile
      : imageDelivery === 'kind'
        ? `kind-${kindCluster}`
        : undefined);
  if (!kubeContext) {
    throw new OptionsError(
      'kubeContext',
      'is required when imageDelivery is "registry": name the cluster this configuration deploys to',
    );
  }

  const appsByKey = options.releaseApps ?? { backend: 'backend', frontend: 'frontend' };
  const keyOfProject = Object.entries(appsByKey).find(([, p]) => p === project)?.[0];
  const chartKey = options.chartKey ?? keyOfProject ?? project;
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(chartKey)) {
    throw new OptionsError('chartKey', `"${chartKey}" must be a chart values key such as frontend`);
  }
  const others = Object.entries(appsByKey)
    .filter(([key]) => key !== chartKey)
    .map(([key, p]) => ({ chartKey: key, project: p }));

  const chartDir = path.resolve(workspaceRoot, options.chart ?? 'deploy/helm/todo-app');
  const valuesFiles = (options.valuesFiles ?? []).map((file) => path.resolve(workspaceRoot, file));
  const substitute = (template: string) =>
    template.replace(/\{release\}/g, release).replace(/\{chartKey\}/g, chartKey);
  const readyPath = options.readyPath ?? '/ready';
  if (!readyPath.startsWith('/')) throw new OptionsError('readyPath', 'must start with /');
  const lockTimeout = options.lockTimeout ?? 600;
  if (!Number.isInteger(lockTimeout) || lockTimeout < 0) {
    throw new OptionsError('lockTimeout', 'must be a whole number of seconds, 0 or more');
  }
  for (const [key, value] of Object.entries(options.set ?? {})) {
    if (typeof value !== 'string') throw new OptionsError(`set.${key}`, 'must be a string');
  }

  return {
    workspaceRoot,
    project,
    chartKey,
    release,
    chartDir,
    namespace,
    kubeContext,
    imageDelivery,
    minikubeProfile,
    kindCluster,
    registry: options.registry,
    valuesFiles,
    set: options.set ?? {},
    timeout: requireDuration('timeout', options.timeout ?? '5m'),
    engine: resolveEngine(options.engine, env),
    releaseApps: [{ chartKey, project }, ...others],
    buildTarget: options.buildTarget ?? 'docker-build',
    manifestPath: (p) => imageManifestPath(workspaceRoot, p),
    deployment: substitute(options.deployment ?? '{release}-{chartKey}'),
    service: substitute(options.service ?? '{release}-{chartKey}'),
    servicePort: String(options.servicePort ?? 'http'),
    readyPath,
    lockTimeoutMs: lockTimeout * 1000,
    dryRun: options.dryRun ?? false,
    verbose: options.verbose ?? false,
    watch: watchOptions(options),
  };
}
