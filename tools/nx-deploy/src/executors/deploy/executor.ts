import type { ExecutorContext } from '@nx/devkit';
import { runExecutor } from '@nx/devkit';
import * as path from 'node:path';
import { applyBuilds, applyPlan, type ApplyContext } from '../../lib/apply';
import { createContainerEngine } from '../../lib/container-engine';
import { normalizeDeployOptions, type DeployOptions } from '../../lib/deploy-options';
import { errorLines, execCommand, firstErrorLine, type CommandRunner } from '../../lib/exec';
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
  readChart,
  readManifests,
  readValuesFiles,
} from '../../lib/observe';
import {
  appsNeedingImageChecks,
  appsWithoutDeployedTag,
  planDeploy,
  requiredTools,
  type Observation,
  type Plan,
  type PlanContext,
} from '../../lib/plan';
import { formatDuration, Progress, type LogLine } from '../../lib/progress';
import { summarizeManifests } from '../../lib/render-summary';
import { Shell } from '../../lib/shell';
import type { ToolName } from '../../lib/tools';
import { OptionsError } from '../../lib/options-error';
import type { DeployExecutorSchema } from './schema';

export interface DeployDependencies {
  runner: CommandRunner;
  buildImage: (project: string) => Promise<boolean>;
  write: LogLine;
  env: NodeJS.ProcessEnv;
}

/** Builds through the project's own target, so Nx's executor, options and outputs apply. */
function nxBuilder(context: ExecutorContext, target: string) {
  return async (project: string): Promise<boolean> => {
    if (!context.projectsConfigurations?.projects[project]?.targets?.[target]) {
      console.error(
        `${project} has no "${target}" target — add one (npx nx g @todo/nx-deploy:deploy-targets ${project})`,
      );
      return false;
    }
    let success = true;
    for await (const result of await runExecutor({ project, target }, {}, context)) {
      success = success && result.success;
    }
    return success;
  };
}

export default async function deployExecutor(
  options: DeployExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  let normalized: DeployOptions;
  try {
    normalized = normalizeDeployOptions(options, context.projectName as string, context.root);
  } catch (error) {
    if (error instanceof OptionsError) {
      console.error(error.message);
      return { success: false };
    }
    throw error;
  }
  return runDeploy(normalized, {
    runner: execCommand,
    buildImage: nxBuilder(context, normalized.buildTarget),
    write: (line) => console.log(line),
    env: process.env,
  });
}

export async function runDeploy(
  options: DeployOptions,
  deps: DeployDependencies,
): Promise<{ success: boolean }> {
  const started = Date.now();
  const masker = new Masker();
  for (const [key, value] of Object.entries(options.set)) if (isSecretKey(key)) masker.add(value);
  const progress = new Progress(deps.write, masker, options.verbose);
  const shell = new Shell(deps.runner, progress);
  const engine = createContainerEngine(options.engine);
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
  };
  const finish = (success: boolean) => {
    progress.line(
      `${success ? 'deploy finished' : 'deploy failed'} for ${options.project} in ${formatDuration(Date.now() - started)}`,
    );
    return { success };
  };

  // Preflight: tools, chart, values files, context, cluster — all asked at once.
  let phase = Date.now();
  const toolNames: ToolName[] = [...requiredTools(options, planContext), options.engine];
  // The other apps' tags are only needed when the release lacks them (or in a dry run).
  const tagKeys = options.dryRun ? options.releaseApps.map((a) => a.chartKey) : [options.chartKey];
  const [tools, contextInfo, clusterError, contentTags] = await Promise.all([
    observeTools(shell, toolNames),
    options.dryRun ? Promise.resolve({}) : observeContext(shell),
    options.dryRun ? Promise.resolve(undefined) : observeCluster(shell, options.kubeContext),
    observeContentTags(shell, options, readManifests(options), tagKeys),
  ]);
  for (const warning of contentTags.warnings) progress.line(`! ${warning}`);
  const observation: Observation = {
    tools,
    ...contextInfo,
    clusterError,
    ...readChart(options.chartDir, options.workspaceRoot),
    ...readValuesFiles(options.valuesFiles, options.workspaceRoot),
    apps: contentTags.apps,
  };
  let plan = planDeploy(observation, options, planContext);
  if (plan.blockers.length > 0) {
    for (const blocker of plan.blockers) progress.line(`✖ ${blocker}`);
    return finish(false);
  }
  const versions = tools
    .filter((t) => t.found && t.version)
    .map((t) => `${t.name} ${t.version}`)
    .join(', ');
  progress.done(
    'preflight',
    phase,
    options.dryRun
      ? `${versions}; dry run, no cluster contacted`
      : `${versions}; context ${options.kubeContext}; cluster answers`,
  );

  if (options.dryRun) return finish(await dryRun(observation, plan, options, ctx));

  const lockFile = lockPath(options.kubeContext, options.namespace, options.release);
  let lock;
  try {
    lock = await acquireReleaseLock(lockFile, options.lockTimeoutMs, (pid) =>
      progress.line(`… waiting for another deploy of ${options.release} (pid ${pid}) to finish`),
    );
  } catch (error) {
    progress.line(`✖ ${(error as Error).message}`);
    return finish(false);
  }
  try {
    for (let round = 0; ; round++) {
      phase = Date.now();
      try {
        observation.release = await observeRelease(shell, options);
      } catch (error) {
        progress.line(`✖ ${(error as Error).message}`);
        return finish(false);
      }
      const untagged = appsWithoutDeployedTag(observation, options).filter(
        (key) => observation.apps.find((a) => a.chartKey === key)?.tagSource !== 'content',
      );
      if (untagged.length > 0) {
        const computed = await observeContentTags(shell, options, observation.apps, untagged);
        for (const warning of computed.warnings) progress.line(`! ${warning}`);
        observation.apps = computed.apps;
      }
      const checkKeys = appsNeedingImageChecks(observation, options, planContext);
      const imageTool = tools.find((t) => t.name === options.engine);
      if (checkKeys.length > 0 && !imageTool?.found) {
        progress.line(
          `✖ ${options.engine} is not installed and images must be checked — install it or set CONTAINER_ENGINE`,
        );
        return finish(false);
      }
      observation.apps = await observeImages(shell, observation.apps, checkKeys, engine, delivery);
      plan = planDeploy(observation, options, planContext);
      progress.detail(`observed release and images in ${formatDuration(Date.now() - phase)}`);
      if (plan.blockers.length > 0) {
        for (const blocker of plan.blockers) progress.line(`✖ ${blocker}`);
        return finish(false);
      }
      if (!plan.needsManifest) break;
      if (round > 0 || !(await applyBuilds(plan.steps, ctx))) {
        if (round > 0)
          progress.line(
            `✖ the build finished but wrote no image manifest at ${options.manifestPath(plan.steps[0].project ?? options.project)}`,
          );
        return finish(false);
      }
      observation.apps = readManifests(options);
    }
    if (plan.upToDate) {
      progress.line(`✔ ${plan.upToDateLine}`);
      return finish(true);
    }
    for (const step of plan.steps.filter((s) => s.skip)) progress.skipped(step.title, step.reason);
    return finish(await applyPlan(plan, observation, ctx));
  } finally {
    lock.release();
  }
}

async function dryRun(
  observation: Observation,
  plan: Plan,
  options: DeployOptions,
  ctx: ApplyContext,
): Promise<boolean> {
  const { progress, shell, engine, delivery } = ctx;
  if (!plan.needsManifest) {
    observation.apps = await observeImages(
      shell,
      observation.apps,
      observation.apps.map((a) => a.chartKey),
      engine,
      undefined,
    );
    plan = planDeploy(observation, options, {
      clusterRepository: (repo) => delivery.clusterRepository(repo),
      deliveryVerb: delivery.verb,
      deliveryTool: delivery.tool,
      registry: options.imageDelivery === 'registry' ? options.registry : undefined,
    });
  }
  progress.line(
    `plan for ${options.project} → release ${options.release} in ${options.namespace} (context ${options.kubeContext}):`,
  );
  for (const step of plan.steps) {
    progress.line(`  ${step.skip ? 'skip' : '  do'} ${step.title}: ${step.reason}`);
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
  return true;
}

function relativeToRoot(arg: string, root: string): string {
  return path.isAbsolute(arg) && arg.startsWith(root) ? path.relative(root, arg) || '.' : arg;
}
