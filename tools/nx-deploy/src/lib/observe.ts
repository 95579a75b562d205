import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml, type Tags } from 'yaml';
import {
  createContainerEngine,
  type ContainerEngine,
  type EngineCommand,
} from './container-engine';
import type { DeployOptions } from './deploy-options';
import { firstErrorLine } from './exec';
import {
  helmGetValuesArgs,
  helmHistoryArgs,
  helmListArgs,
  lastGoodRevision,
  parseHelmHistory,
  parseHelmList,
  parseHelmValues,
  type HelmListEntry,
} from './helm';
import type { ImageDeliveryAdapter } from './image-delivery';
import { probeCurrentContext, probeReadyz } from './kube-context';
import type { Shell } from './shell';
import { commandFailure } from './tool-output';
import { parseToolVersion, VERSION_COMMANDS, type ToolName, type ToolStatus } from './tools';
import { isPlainObject, mergeValues, type Values } from './values';
import { useWorkspaceTool } from './workspace-tools';

// Observe: ask the tools what exists. Read-only — nothing here changes a cluster or an image.

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

/**
 * Each tool's version (Helm 3 and 4 alike). With `workspaceRoot`, a Helm or kubectl missing from
 * PATH is taken from the workspace (lib/workspace-tools) and its status names the script.
 */
export async function observeTools(
  shell: Shell,
  names: ToolName[],
  workspaceRoot?: string,
): Promise<ToolStatus[]> {
  const version = async (name: ToolName) => {
    // An engine's command carries the environment it needs (podman: the workspace's runtime).
    const { command, args, env }: EngineCommand =
      name === 'docker' || name === 'podman'
        ? createContainerEngine(name).version()
        : VERSION_COMMANDS[name];
    return parseToolVersion(name, await shell.run(command, args, { env, timeoutMs: 20_000 }));
  };
  return Promise.all(
    names.map(async (name) => {
      const status = await version(name);
      if (status.found || !workspaceRoot) return status;
      const script = await useWorkspaceTool(shell, name, workspaceRoot);
      return script ? { ...(await version(name)), workspaceScript: script } : status;
    }),
  );
}

export async function observeContext(shell: Shell) {
  const read = await probeCurrentContext(shell);
  return read.kubectlError === undefined
    ? { currentContext: read.current }
    : { contextError: read.kubectlError };
}

export async function observeCluster(shell: Shell, kubeContext: string) {
  const result = await probeReadyz(shell, kubeContext);
  return result.exitCode === 0 ? undefined : firstErrorLine(result);
}

export function readChart(chartDir: string, workspaceRoot: string) {
  const chartFile = path.join(chartDir, 'Chart.yaml');
  const shown = path.relative(workspaceRoot, chartDir) || chartDir;
  if (!existsSync(chartFile)) {
    return {
      chartError: `chart ${shown} has no Chart.yaml — set the "chart" option to the chart directory`,
    };
  }
  try {
    const chart = parseYaml(readFileSync(chartFile, 'utf8')) as { name?: string; version?: string };
    if (!chart?.name || !chart.version) {
      return { chartError: `${shown}/Chart.yaml has no name or version — fix the chart` };
    }
    return { chart: { name: String(chart.name), version: String(chart.version) } };
  } catch (error) {
    return {
      chartError: `${shown}/Chart.yaml is not valid YAML (${(error as Error).message.split('\n')[0]})`,
    };
  }
}

/**
 * Helm reads values files as YAML 1.1 (yes/no/on/off are booleans, 010 is octal, 1_000 is a
 * number) but leaves dates as text; read any other way, such a file looks changed on every deploy.
 */
const HELM_VALUES_YAML = {
  version: '1.1',
  customTags: (tags: Tags) =>
    tags.filter((tag) => typeof tag === 'string' || tag.tag !== 'tag:yaml.org,2002:timestamp'),
} as const;

export function readValuesFiles(files: string[], workspaceRoot: string) {
  const errors: string[] = [];
  const layers: Values[] = [];
  for (const file of files) {
    const shown = path.relative(workspaceRoot, file);
    if (!existsSync(file)) {
      errors.push(`values file ${shown} does not exist — fix "valuesFiles" in the deploy target`);
      continue;
    }
    try {
      const parsed = parseYaml(readFileSync(file, 'utf8'), HELM_VALUES_YAML) ?? {};
      if (!isPlainObject(parsed)) throw new Error('not a mapping');
      layers.push(parsed);
    } catch (error) {
      errors.push(
        `values file ${shown} is not valid YAML (${(error as Error).message.split('\n')[0]})`,
      );
    }
  }
  return { valuesFromFiles: mergeValues(...layers), valuesFileErrors: errors };
}

/** Reads dist/images/<project>.json as docker-build wrote it. */
export function readImageManifest(
  file: string,
  workspaceRoot: string,
): {
  manifest?: ImageManifest;
  manifestError?: string;
} {
  const shown = path.relative(workspaceRoot, file);
  if (!existsSync(file)) return { manifestError: `no image manifest at ${shown}` };
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<ImageManifest>;
    if (typeof raw.image !== 'string' || !raw.image) throw new Error('"image" is missing');
    let image = raw.image;
    let tag = raw.tag === undefined ? undefined : String(raw.tag);
    // Accept `image` written with its tag (`todo-frontend:3f2a…`) as well as a bare repository.
    const colon = image.lastIndexOf(':');
    if (colon > image.lastIndexOf('/')) {
      tag ??= image.slice(colon + 1);
      image = image.slice(0, colon);
    }
    if (!tag) throw new Error('"tag" is missing');
    return { manifest: { image, tag, id: raw.id } };
  } catch (error) {
    return { manifestError: `image manifest ${shown} is unreadable (${(error as Error).message})` };
  }
}

export function readManifests(options: DeployOptions): AppObservation[] {
  return options.releaseApps.map((app) => {
    const read = readImageManifest(options.manifestPath(app.project), options.workspaceRoot);
    return { ...app, ...read, ...(read.manifest ? { tagSource: 'manifest' as const } : {}) };
  });
}

/** An app's current image, computed from its sources without building anything. */
export type ContentTag = (project: string) => { image: string; tag: string } | undefined;

/** Replaces a manifest that an earlier build left behind with the app's current content tag. */
export function observeContentTags(
  contentTag: ContentTag | undefined,
  apps: AppObservation[],
  chartKeys: string[],
): { apps: AppObservation[]; warnings: string[] } {
  const warnings: string[] = [];
  if (!contentTag) return { apps, warnings };
  const updated = apps.map((app): AppObservation => {
    if (!chartKeys.includes(app.chartKey)) return app;
    try {
      const current = contentTag(app.project);
      if (!current) return app;
      const sameAsManifest =
        app.manifest?.tag === current.tag && app.manifest.image === current.image;
      return {
        ...app,
        manifest: {
          image: current.image,
          tag: current.tag,
          id: sameAsManifest ? app.manifest?.id : undefined,
        },
        manifestError: undefined,
        tagSource: 'content',
      };
    } catch (error) {
      warnings.push(
        `could not compute ${app.project}'s content tag (${(error as Error).message}); using ${app.manifest ? `the manifest's tag ${app.manifest.tag}` : 'a fresh build'}`,
      );
      return app;
    }
  });
  return { apps: updated, warnings };
}

/** The release's row in `helm list` (flags for the Helm major version); undefined when not installed. */
export async function observeReleaseEntry(
  shell: Shell,
  options: Pick<DeployOptions, 'release' | 'namespace' | 'kubeContext'>,
  helmMajor: number,
  helmLabel = 'Helm',
): Promise<HelmListEntry | undefined> {
  const { release, namespace, kubeContext } = options;
  const list = await shell.run('helm', helmListArgs(release, namespace, kubeContext, helmMajor));
  if (list.exitCode !== 0) throw new Error(commandFailure('helm list', helmLabel, list));
  return parseHelmList(list.stdout, release, helmLabel);
}

/**
 * The release as Helm knows it: its row in `helm list`, its
 * user-supplied values and, when its current revision is not deployed, the revision a failure
 * returns to. A failed command or an unusable answer throws one line naming the step and Helm's
 * version.
 */
export async function observeRelease(
  shell: Shell,
  options: DeployOptions,
  helmMajor: number,
  helmLabel = 'Helm',
): Promise<ReleaseObservation> {
  const { release, namespace, kubeContext } = options;
  const entry = await observeReleaseEntry(shell, options, helmMajor, helmLabel);
  if (!entry) return { exists: false, values: {} };
  const values = await shell.run('helm', helmGetValuesArgs(release, namespace, kubeContext));
  if (values.exitCode !== 0) throw new Error(commandFailure('helm get values', helmLabel, values));
  let lastDeployedRevision = entry.status === 'deployed' ? entry.revision : undefined;
  if (lastDeployedRevision === undefined) {
    const history = await shell.run('helm', helmHistoryArgs(release, namespace, kubeContext));
    if (history.exitCode !== 0) throw new Error(commandFailure('helm history', helmLabel, history));
    lastDeployedRevision = lastGoodRevision(
      parseHelmHistory(history.stdout, helmLabel),
      entry.revision,
    );
  }
  return {
    exists: true,
    revision: entry.revision,
    status: entry.status,
    chart: entry.chart,
    values: parseHelmValues(values.stdout, helmLabel),
    lastDeployedRevision,
  };
}

export async function observeImages(
  shell: Shell,
  apps: AppObservation[],
  chartKeys: string[],
  engine: ContainerEngine,
  delivery: ImageDeliveryAdapter | undefined,
): Promise<AppObservation[]> {
  // `minikube image ls` is slow (it asks the node), so one listing serves every app.
  const listingCache = new Map<string, Promise<Awaited<ReturnType<Shell['run']>>>>();
  return Promise.all(
    apps.map(async (app) => {
      if (!app.manifest || !chartKeys.includes(app.chartKey)) return app;
      const localRef = `${app.manifest.image}:${app.manifest.tag}`;
      const clusterRef = delivery
        ? `${delivery.clusterRepository(app.manifest.image)}:${app.manifest.tag}`
        : undefined;
      const inCluster = async () => {
        if (!delivery || !clusterRef) return undefined;
        const check = delivery.presenceCheck(clusterRef);
        const key = [check.command, ...check.args].join(' ');
        let listing = listingCache.get(key);
        if (!listing) {
          listing = shell.run(check.command, check.args, { env: check.env });
          listingCache.set(key, listing);
        }
        return delivery.isPresent(await listing, clusterRef);
      };
      const inEngine = async () => {
        const check = engine.imageId(localRef);
        const result = await shell.run(check.command, check.args, { env: check.env });
        return result.notFound ? undefined : result.exitCode === 0;
      };
      const [cluster, local] = await Promise.all([inCluster(), inEngine()]);
      return { ...app, inCluster: cluster, inEngine: local };
    }),
  );
}
