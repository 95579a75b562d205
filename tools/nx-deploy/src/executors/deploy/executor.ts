import type { ExecutorContext } from '@nx/devkit';
import * as path from 'node:path';
import { applyBuilds, applyPlan, type ApplyContext } from '../../lib/apply';
import { createContainerEngine, imageSettings, isImageTarget } from '../../lib/container-engine';
import { normalizeDeployOptions, type DeployOptions } from '../../lib/deploy-options';
import {
  errorLines,
  execCommand,
  firstErrorLine,
  httpGet,
  startPortForward,
  type CommandRunner,
  type HttpGetter,
  type PortForwardStarter,
} from '../../lib/exec';
import { helmTemplateArgs } from '../../lib/helm';
import { createImageDelivery } from '../../lib/image-delivery';
import { acquireReleaseLock, lockPath } from '../../lib/lock';
import { isSecretKey, Masker } from '../../lib/mask';
import {
  observeCluster,
  observeContentTags,
  observeContext,
  observeImages,
  observeRelease,
  observeTools,
  type ContentTag,
  readChart,
  readManifests,
  readValuesFiles,
  type Observation,
} from '../../lib/observe';
import {
  appsNeedingImageChecks,
  appsWithoutDeployedTag,
  planDeploy,
  requiredTools,
  type Plan,
  type PlanContext,
} from '../../lib/plan';
import { formatDuration, Progress, type LogLine, type StepRecord } from '../../lib/progress';
import { summarizeManifests } from '../../lib/render-summary';
import { Shell } from '../../lib/shell';
import { kubectlArgs } from '../../lib/kubectl';
import { probeReadyz } from '../../lib/kube-context';
import { toolLabel } from '../../lib/tool-output';
import { helmMajorOf, type ToolName } from '../../lib/tools';
import { parseAllDocuments } from 'yaml';
import { withOptions } from '../../lib/options-error';
import type { DeployExecutorSchema } from './schema';
// watch.ts runs runDeploy of this module; each uses the other only when called.
import { runWatch, watchInputs } from './watch';

export interface DeployDependencies {
  runner: CommandRunner;
  buildImage: (project: string) => Promise<boolean>;
  /** Each app's current image without building; undefined: the image manifest is the tag. */
  contentTag?: ContentTag;
  write: LogLine;
  env: NodeJS.ProcessEnv;
  /** Long-running `kubectl port-forward` for the /ready check (default: lib/exec). */
  portForward?: PortForwardStarter;
  httpGet?: HttpGetter;
  /** The status check's poll interval (default 1 s). */
  pollIntervalMs?: number;
  /** Told of every finished step (the dev loop summarizes a cycle from them). */
  onStep?: (step: StepRecord) => void;
}

/** `rolled`: a helm upgrade went out and passed its checks; `up-to-date`: nothing to do. */
export interface DeployResult {
  success: boolean;
  outcome: 'rolled' | 'up-to-date' | 'failed';
}

/**
 * How the child `nx run` computes the project graph. Plugins load in its own process (Nx's
 * NX_ISOLATE_PLUGINS=false) unless the user chose otherwise: isolated, each of the workspace's
 * plugins starts a worker process of its own, about 1 s of every build here. The dev loop's
 * builds follow a save, after which a daemon with isolated plugins took ~1.7 s to answer with
 * the new graph and an in-process graph ~1.0 s (`npm run bench:watch`): they skip the daemon.
 */
export function childNxEnv(env: NodeJS.ProcessEnv, devLoop: boolean): NodeJS.ProcessEnv {
  return {
    NX_ISOLATE_PLUGINS: env['NX_ISOLATE_PLUGINS'] ?? 'false',
    ...(devLoop ? { NX_DAEMON: 'false' } : {}),
  };
}

/** Builds through the project's own target, so Nx's executor, options and outputs apply. */
function nxBuilder(context: ExecutorContext, target: string, env: NodeJS.ProcessEnv) {
  return async (project: string): Promise<boolean> => {
    if (!context.projectsConfigurations?.projects[project]?.targets?.[target]) {
      console.error(
        `${project} has no "${target}" target — add one (npx nx g @todo/nx-deploy:deploy-targets ${project})`,
      );
      return false;
    }
    // A child `nx run`, so the target's own dependsOn (the app's build) and Nx's cache apply; the
    // deploy target has no dependsOn, and a deploy with nothing to build starts no task at all.
    const nx = require.resolve('nx/bin/nx.js', { paths: [context.root] });
    const result = await execCommand(
      process.execPath,
      [nx, 'run', `${project}:${target}`, '--outputStyle=static'],
      { cwd: context.root, stream: true, env },
    );
    return result.exitCode === 0;
  };
}

/**
 * The tag the workspace's image executor would build, computed from the project graph; undefined
 * when this app is built some other way (its image manifest is then the tag).
 */
function contentTagOf(context: ExecutorContext, project: string, target: string) {
  const isImageBuild = (name: string) =>
    isImageTarget(context.projectGraph.nodes[name]?.data.targets?.[target]);
  if (!isImageBuild(project)) return undefined;
  return (name: string) => {
    if (!isImageBuild(name)) return undefined;
    const { image, tag } = imageSettings(context.projectGraph, name, context.root, target);
    return { image, tag };
  };
}

export default async function deployExecutor(
  options: DeployExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  return withOptions(
    () => normalizeDeployOptions(options, context.projectName as string, context.root),
    (normalized) => {
      const deps: DeployDependencies = {
        runner: execCommand,
        buildImage: nxBuilder(
          context,
          normalized.buildTarget,
          childNxEnv(process.env, Boolean(normalized.watch)),
        ),
        contentTag: contentTagOf(context, normalized.project, normalized.buildTarget),
        write: (line) => console.log(line),
        env: process.env,
      };
      if (!normalized.watch) return runDeploy(normalized, deps);
      return runWatch(normalized, normalized.watch, {
        ...deps,
        inputs: watchInputs(context, normalized),
        stopped: untilSignal(),
      });
    },
  );
}

/** Settles on the first Ctrl-C (SIGINT) or SIGTERM, with the signal's name. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal === 'SIGINT' ? 'Ctrl-C' : signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export async function runDeploy(
  options: DeployOptions,
  deps: DeployDependencies,
): Promise<DeployResult> {
  const started = Date.now();
  const { ctx, planContext } = applyContext(options, deps);
  const finish = (success: boolean, upToDate = false): DeployResult => {
    ctx.progress.line(
      `${success ? 'deploy finished' : 'deploy failed'} for ${options.project} in ${formatDuration(Date.now() - started)}`,
    );
    return { success, outcome: !success ? 'failed' : upToDate ? 'up-to-date' : 'rolled' };
  };
  try {
    const preflight = await runPreflight(ctx, planContext, deps.contentTag);
    if (!preflight) return finish(false);
    const { observation } = preflight;
    if (options.dryRun)
      return finish(await dryRun(observation, preflight.plan, ctx, planContext), true);
    return await withReleaseLock(
      ctx,
      async () => {
        const plan = await observeReleaseAndImages(observation, ctx, planContext, deps.contentTag);
        if (!plan) return finish(false);
        if (plan.upToDate) {
          ctx.progress.line(`✔ ${plan.upToDateLine}`);
          return finish(true, true);
        }
        for (const step of plan.steps.filter((s) => s.skip))
          ctx.progress.skipped(step.title, step.reason);
        return finish(await applyPlan(plan, observation, ctx));
      },
      () => finish(false),
    );
  } catch (error) {
    // Whatever a tool answered, the user gets one line, never a stack trace.
    ctx.progress.line(`✖ deploy stopped: ${(error as Error).message.split('\n')[0]}`);
    return finish(false);
  }
}

function applyContext(options: DeployOptions, deps: DeployDependencies) {
  const masker = new Masker();
  for (const [key, value] of Object.entries(options.set)) if (isSecretKey(key)) masker.add(value);
  const progress = new Progress(deps.write, masker, options.verbose, deps.onStep);
  const shell = new Shell(
    deps.runner,
    progress,
    deps.portForward ?? startPortForward,
    deps.httpGet ?? httpGet,
  );
  const engine = createContainerEngine(options.engine, deps.env);
  const delivery = createImageDelivery(options, engine);
  const planContext: PlanContext = {
    clusterRepository: (repo) => delivery.clusterRepository(repo),
    deliveryVerb: delivery.verb,
    deliveryTool: delivery.tool,
    registry: options.imageDelivery === 'registry' ? options.registry : undefined,
  };
  const ctx: ApplyContext = {
    options,
    shell,
    progress,
    engine,
    delivery,
    buildImage: deps.buildImage,
    tools: [],
    helmMajor: 3,
    pollIntervalMs: deps.pollIntervalMs,
  };
  return { ctx, planContext };
}

/** Tools, chart, values files, context, cluster — all asked at once; undefined when blocked. */
async function runPreflight(
  ctx: ApplyContext,
  planContext: PlanContext,
  contentTag: ContentTag | undefined,
): Promise<{ observation: Observation; plan: Plan } | undefined> {
  const { options, progress, shell } = ctx;
  const phase = Date.now();
  // A dry run needs only Helm; kubectl, when present, lets the server validate the rendering.
  const toolNames: ToolName[] = [
    ...requiredTools(options, planContext),
    options.engine,
    ...(options.dryRun ? (['kubectl'] as ToolName[]) : []),
  ];
  // The other apps' tags are only needed when the release lacks them (or in a dry run).
  const tagKeys = options.dryRun ? options.releaseApps.map((a) => a.chartKey) : [options.chartKey];
  const probes = Promise.all([
    observeTools(shell, toolNames, options.workspaceRoot),
    options.dryRun ? Promise.resolve({}) : observeContext(shell),
    options.dryRun ? Promise.resolve(undefined) : observeCluster(shell, options.kubeContext),
  ]);
  // Hashing the sources blocks this process, not the probes it has already started.
  const contentTags = observeContentTags(contentTag, readManifests(options), tagKeys);
  const [tools, contextInfo, clusterError] = await probes;
  for (const warning of contentTags.warnings) progress.line(`! ${warning}`);
  for (const tool of tools.filter((t) => t.workspaceScript && t.found))
    progress.line(
      `- ${tool.name} is not on PATH: using the workspace's ${tool.name} ${tool.version ?? ''} (${tool.workspaceScript})`,
    );
  const observation: Observation = {
    tools,
    ...contextInfo,
    clusterError,
    ...readChart(options.chartDir, options.workspaceRoot),
    ...readValuesFiles(options.valuesFiles, options.workspaceRoot),
    apps: contentTags.apps,
  };
  ctx.tools = tools;
  ctx.helmMajor = helmMajorOf(tools);
  const plan = planDeploy(observation, options, planContext);
  if (plan.blockers.length > 0) {
    for (const blocker of plan.blockers) progress.line(`✖ ${blocker}`);
    return undefined;
  }
  const versions = tools
    .filter((t) => t.found && t.version)
    .map((t) => `${t.name} ${t.version}`)
    .join(', ');
  progress.done(
    'preflight',
    phase,
    options.dryRun
      ? `${versions}; dry run, nothing changes in any cluster`
      : `${versions}; context ${options.kubeContext}; cluster answers`,
  );
  return { observation, plan };
}

/** One deploy of a release at a time on this machine; `busy` answers when the lock is not had. */
async function withReleaseLock<T>(
  ctx: ApplyContext,
  work: () => Promise<T>,
  busy: () => T,
): Promise<T> {
  const { options, progress } = ctx;
  let lock;
  try {
    lock = await acquireReleaseLock(
      lockPath(options.kubeContext, options.namespace, options.release),
      options.lockTimeoutMs,
      (pid) =>
        progress.line(`… waiting for another deploy of ${options.release} (pid ${pid}) to finish`),
    );
  } catch (error) {
    progress.line(`✖ ${(error as Error).message}`);
    return busy();
  }
  try {
    return await work();
  } finally {
    lock.release();
  }
}

/**
 * The release, then the images it lacks, then the plan; an app with no image manifest yet is
 * built once and observed again. Undefined when something blocks the deploy (already printed).
 */
async function observeReleaseAndImages(
  observation: Observation,
  ctx: ApplyContext,
  planContext: PlanContext,
  contentTag: ContentTag | undefined,
): Promise<Plan | undefined> {
  const { options, progress, shell } = ctx;
  for (let round = 0; ; round++) {
    const phase = Date.now();
    try {
      observation.release = await observeRelease(
        shell,
        options,
        ctx.helmMajor,
        toolLabel(ctx.tools, 'helm'),
      );
    } catch (error) {
      progress.line(`✖ ${(error as Error).message}`);
      return undefined;
    }
    const untagged = appsWithoutDeployedTag(observation, options).filter(
      (key) => observation.apps.find((a) => a.chartKey === key)?.tagSource !== 'content',
    );
    if (untagged.length > 0) {
      const computed = observeContentTags(contentTag, observation.apps, untagged);
      for (const warning of computed.warnings) progress.line(`! ${warning}`);
      observation.apps = computed.apps;
    }
    const checkKeys = appsNeedingImageChecks(observation, options, planContext);
    if (checkKeys.length > 0 && !ctx.tools.find((t) => t.name === options.engine)?.found) {
      progress.line(
        `✖ ${options.engine} is not installed and images must be checked — install it or set CONTAINER_ENGINE`,
      );
      return undefined;
    }
    observation.apps = await observeImages(
      shell,
      observation.apps,
      checkKeys,
      ctx.engine,
      ctx.delivery,
    );
    const plan = planDeploy(observation, options, planContext);
    progress.detail(`observed release and images in ${formatDuration(Date.now() - phase)}`);
    if (plan.blockers.length > 0) {
      for (const blocker of plan.blockers) progress.line(`✖ ${blocker}`);
      return undefined;
    }
    if (!plan.needsManifest) return plan;
    if (round > 0 || !(await applyBuilds(plan.steps, ctx))) {
      if (round > 0)
        progress.line(
          `✖ the build finished but wrote no image manifest at ${options.manifestPath(plan.steps[0].project ?? options.project)}`,
        );
      return undefined;
    }
    observation.apps = readManifests(options);
  }
}

async function dryRun(
  observation: Observation,
  plan: Plan,
  ctx: ApplyContext,
  planContext: PlanContext,
): Promise<boolean> {
  const { options, progress, shell, engine } = ctx;
  if (!plan.needsManifest) {
    observation.apps = await observeImages(
      shell,
      observation.apps,
      observation.apps.map((a) => a.chartKey),
      engine,
      undefined,
    );
    plan = planDeploy(observation, options, planContext);
  }
  progress.line(
    `plan for ${options.project} → release ${options.release} in ${options.namespace} (context ${options.kubeContext}):`,
  );
  for (const step of plan.steps) {
    const verb = step.skip ? 'skip' : step.onFailure ? 'on failure' : '  do';
    progress.line(`  ${verb} ${step.title}: ${step.reason}`);
  }
  if (plan.needsManifest) {
    const missing = plan.steps.map((s) => s.project).join(', ');
    progress.line(
      `the helm command is known once ${missing} has an image: run npx nx run-many -t ${options.buildTarget} -p ${missing}`,
    );
    return true;
  }
  progress.line('helm command:');
  progress.commandLine(
    'helm',
    plan.helmArgs.map((a) => relativeToRoot(a, options.workspaceRoot)),
  );
  const started = Date.now();
  const template = await shell.run(
    'helm',
    helmTemplateArgs({
      release: options.release,
      chartDir: options.chartDir,
      namespace: options.namespace,
      valuesFiles: options.valuesFiles,
      setStrings: plan.setStrings,
      sets: plan.sets,
    }),
  );
  if (template.exitCode !== 0) {
    const [headline, ...details] = errorLines(template);
    progress.failed('helm template', started, headline ?? firstErrorLine(template));
    for (const line of details) progress.line(`  ${line}`);
    return false;
  }
  progress.done('helm template', started);
  for (const line of summarizeManifests(template.stdout)) progress.line(`  ${line}`);
  return validateWithServer(template.stdout, options, ctx);
}

/**
 * The rendered objects `helm upgrade` applies (test hooks run only with `helm test`); with
 * `withoutNamespace`, their metadata.namespace is dropped so that kubectl's -n decides.
 */
export function objectsToApply(manifests: string, withoutNamespace = false): string {
  return parseAllDocuments(manifests)
    .filter((doc) => {
      const obj = doc.toJS() as {
        kind?: unknown;
        metadata?: { annotations?: Record<string, string> };
      } | null;
      if (!obj || typeof obj.kind !== 'string') return false;
      const hook = obj.metadata?.annotations?.['helm.sh/hook'] ?? '';
      return !hook.split(',').some((h) => h.trim().startsWith('test'));
    })
    .map((doc) => {
      if (withoutNamespace) doc.deleteIn(['metadata', 'namespace']);
      return doc.toString();
    })
    .join('---\n');
}

/** The namespace a server dry run can use when the release's own does not exist yet. */
const STAND_IN_NAMESPACE = 'default';

/**
 * When the kube context answers, the server validates the rendering: `kubectl apply
 * --dry-run=server --validate=strict` (schema, unknown fields, admission), one line per object;
 * nothing is stored. A namespace that does not exist yet (helm creates it) cannot take a server
 * dry run, and a client dry run validates no field, so the objects are dry-run in `default`
 * instead — the schema is the server's, that namespace's own policies and quotas are not.
 * No cluster: rendered only, and the output says so.
 */
async function validateWithServer(
  manifests: string,
  options: DeployOptions,
  ctx: ApplyContext,
): Promise<boolean> {
  const { progress, shell } = ctx;
  const context = options.kubeContext;
  const kubectlTool = ctx.tools.find((t) => t.name === 'kubectl');
  const notValidated = (why: string) =>
    progress.line(`- no cluster answered: rendered only, not validated by a server (${why})`);
  if (!kubectlTool?.found) {
    notValidated('kubectl is not installed');
    return true;
  }
  const probe = await probeReadyz(shell, context, 5);
  if (probe.exitCode !== 0) {
    notValidated(`context ${context}: ${firstErrorLine(probe)}`);
    return true;
  }
  const started = Date.now();
  const found = await shell.run('kubectl', kubectlArgs.namespace(context, options.namespace), {
    timeoutMs: 20_000,
  });
  const missing = found.exitCode !== 0 && /NotFound|not found/.test(found.stderr);
  const namespace = missing ? STAND_IN_NAMESPACE : options.namespace;
  if (missing) {
    progress.line(
      `- namespace ${options.namespace} does not exist yet (helm upgrade --create-namespace creates it): the server validates the objects in namespace ${STAND_IN_NAMESPACE} instead — its schema and field checks, not ${options.namespace}'s own policies or quotas`,
    );
  }
  const title = `server dry run in ${namespace}`;
  const applied = await shell.run('kubectl', kubectlArgs.applyDryRun({ context, namespace }), {
    input: objectsToApply(manifests, missing),
    timeoutMs: 60_000,
  });
  const lines = applied.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  for (const line of lines) progress.line(`  server: ${line}`);
  const stderr = applied.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  // Helm-managed objects carry no kubectl last-applied annotation; that warning is expected.
  const warnings = stderr.filter(
    (l) => /^Warning:/.test(l) && !l.includes('last-applied-configuration'),
  );
  for (const warning of warnings) progress.line(`  ! ${clip(warning)}`);
  if (applied.exitCode !== 0) {
    const refusals = stderr.filter((l) => !/^Warning:/.test(l));
    // A refused object reads `The Deployment "x" is invalid: …` rather than `Error from server`.
    const parsed = serverErrors(refusals);
    const errors = parsed.length > 0 ? parsed : refusals.map((l) => clip(l));
    progress.failed(
      title,
      started,
      errors[0] ??
        `kubectl apply (${toolLabel(ctx.tools, 'kubectl')}) exited with code ${applied.exitCode} and printed nothing`,
    );
    for (const line of errors.slice(1, 12)) progress.line(`  ${line}`);
    return false;
  }
  progress.done(title, started, `${lines.length} objects accepted, nothing changed`);
  return true;
}

function clip(line: string, max = 300): string {
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/**
 * kubectl's rejections, one line each: an `Error from server` line with what follows it up to
 * the reason — for a patch, kubectl prints the whole patch; the reason ends the "for:" line.
 */
export function serverErrors(lines: string[]): string[] {
  const errors: string[] = [];
  let patch: { head: string; kind?: string; name?: string } | undefined;
  for (const line of lines) {
    if (/^(Error from server|error:)/.test(line)) {
      if (patch) errors.push(clip(patch.head));
      patch = undefined;
      const head = line.replace(/:$/, '');
      if (/ error when applying patch$/.test(head)) {
        patch = { head: head.replace(/ error when applying patch$/, '') };
      } else errors.push(clip(line));
      continue;
    }
    if (!patch) continue;
    const kind = line.match(/Kind=(\w+)/)?.[1];
    if (kind) patch.kind = kind.toLowerCase();
    const name = line.match(/^Name: "([^"]+)"/)?.[1];
    if (name) patch.name = name;
    if (line.startsWith('for: ')) {
      const strict = line.match(/strict decoding error: .*$/)?.[0];
      const reason = strict ?? line.slice(line.lastIndexOf('": ') + 3);
      errors.push(clip(`${patch.head} ${patch.kind ?? 'object'} ${patch.name ?? '?'}: ${reason}`));
      patch = undefined;
    }
  }
  if (patch) errors.push(clip(patch.head));
  return errors;
}

function relativeToRoot(arg: string, root: string): string {
  return path.isAbsolute(arg) && arg.startsWith(root) ? path.relative(root, arg) || '.' : arg;
}
