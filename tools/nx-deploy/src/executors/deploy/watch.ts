import type { ExecutorContext } from '@nx/devkit';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { createContainerEngine } from '../../lib/container-engine';
import type { DeployOptions, WatchOptions } from '../../lib/deploy-options';
import { runDetached, shellQuote, startPortForward } from '../../lib/exec';
import { watchFiles } from '../../lib/file-watcher';
import { snapshotFromItems, type Service } from '../../lib/kube';
import { kubectlArgs } from '../../lib/kubectl';
import type { LogStreamStarter } from '../../lib/exec';
import { PodLogs } from '../../lib/pod-logs';
import type { ContentTag } from '../../lib/observe';
import { formatDuration, type StepRecord } from '../../lib/progress';
import { StableForward, type ForwardTarget } from '../../lib/stable-forward';
import { containerPortFor, podForReadyCheck, podsOfNewestReplicaSet } from '../../lib/status-check';
import { instanceSelector } from '../../lib/kube';
import { teardownCommands } from '../teardown/commands';
import { normalizeTeardownOptions } from '../teardown/options';
import { runDeploy, type DeployDependencies, type DeployResult } from './executor';

export interface WatchDependencies extends DeployDependencies {
  /** Files and folders to watch, relative to the workspace root. */
  inputs: string[];
  /** Settles when the loop must stop (Ctrl-C, SIGTERM). */
  stopped: Promise<string>;
  startLogStream?: LogStreamStarter;
}

const MAX_FILES_NAMED = 3;
const WATCH_POLL_MS = 250;

/** Workspace files every image's content depends on. */
const SHARED_INPUTS = ['package-lock.json', 'tsconfig.base.json', '.dockerignore'];

/**
 * What the loop watches, relative to the workspace root: the folders of the app and of every
 * workspace project it depends on (from Nx's project graph, so a library only another app uses
 * starts no cycle), the shared inputs and the configuration's values files. Whether a change
 * alters the image is the content tag's decision, in the cycle.
 */
export function watchInputs(context: ExecutorContext, options: DeployOptions): string[] {
  const graph = context.projectGraph;
  const roots = new Set<string>();
  const pending = [options.project];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (seen.has(name) || !graph?.nodes[name]) continue;
    seen.add(name);
    roots.add(graph.nodes[name].data.root);
    for (const dependency of graph.dependencies[name] ?? []) pending.push(dependency.target);
  }
  const valuesFiles = options.valuesFiles.map((file) => path.relative(options.workspaceRoot, file));
  return [...[...roots].sort(), ...SHARED_INPUTS, ...valuesFiles];
}

/** "apps/backend/src/main.ts, libs/config/src/index.ts +2 more" */
export function describeFiles(files: string[]): string {
  const named = files.slice(0, MAX_FILES_NAMED).join(', ');
  return files.length > MAX_FILES_NAMED
    ? `${named} +${files.length - MAX_FILES_NAMED} more`
    : named;
}

/** The cycle's one line: what triggered it, what it did, each step's time. */
export function cycleLine(
  project: string,
  files: string[] | undefined,
  result: DeployResult,
  steps: StepRecord[],
  ms: number,
): string {
  const trigger = files ? `${describeFiles(files)} changed` : 'first deploy';
  const timings = steps
    .filter((s) => s.title !== 'preflight')
    .map((s) => `${s.title} ${formatDuration(s.ms)}`)
    .join(' · ');
  const revision = steps.map((s) => /^revision (\d+)$/.exec(s.note ?? '')?.[1]).find(Boolean);
  const total = formatDuration(ms);
  if (result.outcome === 'up-to-date') {
    return `⟳ ${project}: ${trigger} → the image's content tag did not change: nothing built, nothing rolled (${total})`;
  }
  if (result.outcome === 'rolled') {
    return `⟳ ${project}: ${trigger} → revision ${revision ?? '?'} rolled out in ${total}${timings ? ` (${timings})` : ''}`;
  }
  return `✖ ${project}: ${trigger} → deploy failed in ${total} (see above: a failed rollout is rolled back, the last good revision keeps serving) — waiting for the next change`;
}

/**
 * The dev loop: a deploy, then one more through the same observe → plan → apply each time the
 * watched inputs settle. Saves during a cycle are gathered into the next one.
 */
export async function runWatch(
  options: DeployOptions,
  watch: WatchOptions,
  deps: WatchDependencies,
): Promise<{ success: boolean }> {
  const write = deps.write;
  const scope = { context: options.kubeContext, namespace: options.namespace };
  const kubectl = async (args: string[]) => {
    const result = await deps.runner('kubectl', args, { timeoutMs: 20_000, env: deps.env });
    if (result.exitCode !== 0)
      throw new Error(result.stderr.trim().split('\n')[0] || 'kubectl failed');
    return JSON.parse(result.stdout) as unknown;
  };
  const appPods = async () => {
    const list = (await kubectl(kubectlArgs.releaseObjects(scope, options.release))) as {
      items?: unknown[];
    };
    return snapshotFromItems(list.items ?? []);
  };

  const logs = watch.logs
    ? new PodLogs(
        (pod, tail) => kubectlArgs.followLogs(scope, pod, tail),
        write,
        deps.startLogStream,
      )
    : undefined;
  const forward =
    watch.forwardPort > 0
      ? new StableForward(
          watch.forwardPort,
          async (): Promise<ForwardTarget> => {
            const chosen = podForReadyCheck(await appPods(), options.deployment);
            if (!chosen.pod) return { problem: chosen.problem ?? 'no ready pod' };
            const service = (await kubectl(kubectlArgs.service(scope, options.service)).catch(
              () => undefined,
            )) as Service | undefined;
            const port = containerPortFor(service, options.servicePort, chosen.pod);
            return port.port
              ? { pod: chosen.pod.metadata.name, port: port.port }
              : { problem: port.problem ?? 'no container port' };
          },
          (pod, port) =>
            (deps.portForward ?? startPortForward)(
              'kubectl',
              kubectlArgs.portForward(scope, pod, port),
              { timeoutMs: 15_000 },
            ),
          write,
        )
      : undefined;
  if (forward) {
    try {
      await forward.listen();
    } catch (error) {
      write(`✖ ${(error as Error).message}`);
      return { success: false };
    }
  }

  let firstAttach = true;
  /** After a cycle: follow the new pods' logs and move the forward to the newest pod. */
  const attach = async () => {
    if (logs) {
      try {
        const { pods } = podsOfNewestReplicaSet(await appPods(), options.deployment);
        // The pods running when the loop starts show their last lines; new pods show everything.
        logs.follow(
          pods.map((p) => p.metadata.name),
          firstAttach ? 10 : -1,
        );
      } catch (error) {
        write(`! logs: cannot list the pods of ${options.deployment}: ${(error as Error).message}`);
      }
    }
    firstAttach = false;
    await forward?.refresh();
  };

  let stopping = false;
  const cycle = async (files: string[] | undefined) => {
    const steps: StepRecord[] = [];
    const cycleDeps = { ...deps, contentTag: deps.contentTag && tagsOnce(deps.contentTag) };
    // The user is waiting on the rollout: the status check looks four times a second.
    const deployOnce = (buildImage = deps.buildImage) =>
      runDeploy(options, {
        ...cycleDeps,
        buildImage,
        pollIntervalMs: deps.pollIntervalMs ?? WATCH_POLL_MS,
        onStep: (s) => steps.push(s),
      });
    const started = Date.now();
    let result: DeployResult;
    if (!deps.contentTag && files) {
      // Without a content tag the image manifest is the tag: build first (Nx's cache
      // makes an unchanged input a no-op), then deploy what the manifest names.
      const built = await deps.buildImage(options.project);
      result = built ? await deployOnce() : { success: false, outcome: 'failed' };
    } else {
      const ahead = files ? await buildAhead(options, cycleDeps) : undefined;
      try {
        result = await deployOnce(ahead?.buildImage);
      } finally {
        await ahead?.built;
      }
    }
    if (stopping) return;
    write(cycleLine(options.project, files, result, steps, Date.now() - started));
    if (result.outcome !== 'up-to-date' || firstAttach) await attach();
  };

  let running: Promise<void> | undefined;
  let queued: string[] = [];
  const drain = async () => {
    while (queued.length > 0 && !stopping) {
      const files = queued;
      queued = [];
      await cycle(files);
    }
    running = undefined;
    if (!stopping) write(idleLine);
  };

  const idleLine = `👀 watching ${describeFiles(deps.inputs)} for ${options.project} — save a file to redeploy, Ctrl-C to stop${forward ? `; the app answers at ${forward.url}` : ''}`;
  const watcher = watchFiles(options.workspaceRoot, deps.inputs, watch.debounceMs, (files) => {
    queued = [...new Set([...queued, ...files])].sort();
    running ??= drain();
  });

  running = cycle(undefined).then(() => {
    running = undefined;
    if (queued.length > 0) running = drain();
    else if (!stopping) write(idleLine);
  });

  const reason = await deps.stopped;
  stopping = true;
  const stopStarted = Date.now();
  // First, while nothing is being torn down: Nx ends the task's whole process tree within seconds
  // of a Ctrl-C, so the uninstall must not be one of its processes.
  const cleanupLog = watch.cleanup ? uninstallInBackground(options, deps.env) : undefined;
  watcher.close();
  await Promise.all([logs?.stop(), forward?.close()]);
  write(
    `■ ${reason}: stopped watching, log streams and port-forwards in ${formatDuration(Date.now() - stopStarted)}${cleanupLog ? `; uninstalling ${options.release} from ${options.namespace} (log: ${path.relative(options.workspaceRoot, cleanupLog)})` : ''}`,
  );
  return { success: true };
}

/**
 * The content tags of one cycle, each hashed once: the build-ahead and the deploy's plan ask for
 * the same ones. A save during the cycle is the next cycle's (a build of newer sources is caught
 * by the build step's check of the tag it made).
 */
export function tagsOnce(contentTag: ContentTag): ContentTag {
  const known = new Map<string, ReturnType<ContentTag>>();
  return (project) => {
    if (!known.has(project)) known.set(project, contentTag(project));
    return known.get(project);
  };
}

/**
 * After a save, an app whose new content tag the engine lacks is built at once, while the deploy
 * asks the cluster about the release (preflight, helm list, image presence: ~0.4 s here); the
 * plan's build step then waits for that build rather than starting one. A save that leaves the
 * tag alone builds nothing, as before.
 */
export async function buildAhead(
  options: DeployOptions,
  deps: WatchDependencies,
): Promise<{ built: Promise<boolean>; buildImage: WatchDependencies['buildImage'] } | undefined> {
  let wanted: ReturnType<NonNullable<WatchDependencies['contentTag']>>;
  try {
    wanted = deps.contentTag?.(options.project);
  } catch {
    return undefined; // the deploy computes it again and reports why it cannot
  }
  if (!wanted) return undefined;
  const probe = createContainerEngine(options.engine, deps.env).imageId(
    `${wanted.image}:${wanted.tag}`,
  );
  const present = await deps.runner(probe.command, probe.args, {
    env: probe.env,
    timeoutMs: 20_000,
  });
  if (present.exitCode === 0) return undefined;
  const built = deps.buildImage(options.project).catch(() => false);
  return {
    built,
    buildImage: (project) => (project === options.project ? built : deps.buildImage(project)),
  };
}

/**
 * `--cleanup`: the teardown's helm uninstall and the deletion of the release's claims, run by a
 * shell that has left this process's tree and terminal session (`sh -c '… &'` exits at once),
 * so it completes after Nx has stopped the task. Returns its log file.
 */
function uninstallInBackground(options: DeployOptions, env: NodeJS.ProcessEnv): string {
  const teardown = normalizeTeardownOptions({
    release: options.release,
    namespace: options.namespace,
    kubeContext: options.kubeContext,
  });
  const commands = [
    ...teardownCommands(teardown),
    {
      command: 'kubectl',
      args: [
        '--context',
        teardown.kubeContext,
        '--namespace',
        teardown.namespace,
        'delete',
        'persistentvolumeclaims',
        '-l',
        instanceSelector(teardown.release),
        '--ignore-not-found',
      ],
    },
  ];
  const script = commands.map((c) => [c.command, ...c.args].map(shellQuote).join(' ')).join(' && ');
  const logDir = path.join(options.workspaceRoot, 'tmp', 'nx-deploy');
  mkdirSync(logDir, { recursive: true });
  const log = path.join(logDir, `cleanup-${options.namespace}-${options.release}.log`);
  runDetached(script, log, env);
  return log;
}
