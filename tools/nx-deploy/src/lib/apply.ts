import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ContainerEngine } from './container-engine';
import type { DeployOptions } from './deploy-options';
import { diagnoseRelease, eventLines } from './diagnostics';
import { errorLines, firstErrorLine } from './exec';
import type { HelmListEntry } from './helm';
import type { ImageDeliveryAdapter } from './image-delivery';
import {
  instanceSelector,
  itemsOfKind,
  RELEASE_KINDS,
  snapshotFromItems,
  type EndpointSlice,
  type KubeEvent,
  type ReleaseSnapshot,
  type Service,
  type StorageClass,
} from './kube';
import { kubectlArgs, type KubeScope } from './kubectl';
import { observeReleaseEntry, readImageManifest, type Observation } from './observe';
import type { Plan, PlanStep } from './plan';
import { formatDuration, type Progress } from './progress';
import type { Shell } from './shell';
import {
  assessRollout,
  containerPortFor,
  podForReadyCheck,
  summarizeReadyBody,
} from './status-check';
import { durationMs } from './options-error';
import { commandFailure, excerpt, parseKubeList, parseToolJson, toolLabel } from './tool-output';
import type { ToolStatus } from './tools';

export interface ApplyContext {
  options: DeployOptions;
  shell: Shell;
  progress: Progress;
  engine: ContainerEngine;
  delivery: ImageDeliveryAdapter;
  /** Runs the project's image build target (through Nx); true when it succeeded. */
  buildImage: (project: string) => Promise<boolean>;
  /** What `helm version` and `kubectl version` said: flags and messages depend on them. */
  tools: ToolStatus[];
  helmMajor: number;
  /** How often the status check polls (1 s). */
  pollIntervalMs?: number;
}

const LOG_LINES = 50;
/** The status check after a rollback is brief: the previous revision's pods are usually still there. */
const ROLLBACK_CHECK_MS = 60_000;
const READY_TIMEOUT_MS = 10_000;

/** Runs the app's image build target unless the plan skips it; checks it built the planned ref. */
async function applyBuild(step: PlanStep, ctx: ApplyContext): Promise<boolean> {
  if (step.skip) {
    ctx.progress.detail(`skip ${step.title}: ${step.reason}`);
    return true;
  }
  const started = Date.now();
  ctx.progress.line(`… ${step.title}: ${step.reason}`);
  const ok = await ctx.buildImage(step.project as string);
  const built = readImageManifest(
    ctx.options.manifestPath(step.project as string),
    ctx.options.workspaceRoot,
  );
  if (
    ok &&
    step.localRef &&
    built.manifest &&
    `${built.manifest.image}:${built.manifest.tag}` !== step.localRef
  ) {
    ctx.progress.failed(
      step.title,
      started,
      `${ctx.options.buildTarget} built ${built.manifest.image}:${built.manifest.tag}, not the planned ${step.localRef} — the sources changed during the deploy; run it again`,
    );
    return false;
  }
  if (!ok) {
    ctx.progress.failed(
      step.title,
      started,
      `its ${ctx.options.buildTarget} target failed — run: npx nx run ${step.project}:${ctx.options.buildTarget}`,
    );
    return false;
  }
  ctx.progress.done(step.title, started, step.localRef);
  return true;
}

/** The build steps of a plan that lacks image manifests; stops at the first failure. */
export async function applyBuilds(steps: PlanStep[], ctx: ApplyContext): Promise<boolean> {
  for (const step of steps.filter((s) => s.kind === 'build')) {
    if (!(await applyBuild(step, ctx))) return false;
  }
  return true;
}

async function applyDeliver(step: PlanStep, ctx: ApplyContext): Promise<boolean> {
  if (step.skip) {
    ctx.progress.detail(`skip ${step.title}: ${step.reason}`);
    return true;
  }
  const started = Date.now();
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'nx-deploy-'));
  try {
    for (const command of ctx.delivery.deliver(
      step.localRef ?? '',
      step.clusterRef ?? '',
      scratch,
    )) {
      const result = await ctx.shell.run(command.command, command.args, { env: command.env });
      if (result.exitCode !== 0) {
        ctx.progress.failed(step.title, started, firstErrorLine(result));
        return false;
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  ctx.progress.done(step.title, started, step.clusterRef);
  return true;
}

const scope = (ctx: ApplyContext): KubeScope => ({
  context: ctx.options.kubeContext,
  namespace: ctx.options.namespace,
});

const kubectlLabel = (ctx: ApplyContext) => toolLabel(ctx.tools, 'kubectl');
const helmLabel = (ctx: ApplyContext) => toolLabel(ctx.tools, 'helm');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One poll of the release's workloads, pods and claims; a problem is one line naming the step. */
async function pollRelease(
  ctx: ApplyContext,
): Promise<{ snapshot?: ReleaseSnapshot; error?: string; fatalError?: string }> {
  const step = `kubectl get ${RELEASE_KINDS}`;
  const result = await ctx.shell.run(
    'kubectl',
    kubectlArgs.releaseObjects(scope(ctx), ctx.options.release),
    { timeoutMs: 30_000 },
  );
  if (result.exitCode !== 0) return { error: commandFailure(step, kubectlLabel(ctx), result) };
  try {
    return { snapshot: snapshotFromItems(parseKubeList(step, kubectlLabel(ctx), result.stdout)) };
  } catch (error) {
    return { fatalError: (error as Error).message };
  }
}

export interface StatusCheckResult {
  ok: boolean;
  snapshot?: ReleaseSnapshot;
}

/**
 * The status check that replaces `helm --wait`: polls about once a second until every
 * Deployment and StatefulSet of the release has rolled out, an unrecoverable state shows, or the
 * timeout passes; prints one `… waiting:` line each time what it waits for changes.
 */
export async function statusCheck(
  ctx: ApplyContext,
  title: string,
  timeoutMs: number,
): Promise<StatusCheckResult> {
  const { progress } = ctx;
  const started = Date.now();
  const deadline = started + timeoutMs;
  const interval = ctx.pollIntervalMs ?? 1000;
  let lastWaiting = '';
  let lastError: string | undefined;
  let snapshot: ReleaseSnapshot | undefined;
  for (;;) {
    const poll = await pollRelease(ctx);
    if (poll.fatalError) {
      progress.failed(title, started, poll.fatalError);
      return { ok: false, snapshot };
    }
    lastError = poll.error;
    if (poll.snapshot) {
      snapshot = poll.snapshot;
      const assessment = assessRollout(snapshot);
      if (assessment.fatal) {
        progress.failed(title, started, assessment.fatal);
        return { ok: false, snapshot };
      }
      if (assessment.done) {
        progress.done(title, started, assessment.summary);
        return { ok: true, snapshot };
      }
      if (assessment.waiting !== lastWaiting) {
        lastWaiting = assessment.waiting;
        progress.line(`… waiting: ${lastWaiting}`);
      }
    } else if (lastError) {
      progress.detail(`status check poll failed: ${lastError}`);
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      const why = lastError ?? lastWaiting;
      progress.failed(
        title,
        started,
        `not ready after ${formatDuration(timeoutMs)}${why ? ` — ${why}` : ''}`,
      );
      return { ok: false, snapshot };
    }
    await sleep(Math.min(interval, left));
  }
}

async function listOf<T>(ctx: ApplyContext, args: string[], kind?: string): Promise<T[]> {
  const shown = args.filter(
    (a, i) => !['--context', '--namespace'].includes(args[i - 1] ?? '') && !a.startsWith('--'),
  );
  const step = `kubectl ${shown.slice(0, 2).join(' ')}`;
  const result = await ctx.shell.run('kubectl', args, { timeoutMs: 30_000 });
  if (result.exitCode !== 0) throw new Error(commandFailure(step, kubectlLabel(ctx), result));
  const items = parseKubeList(step, kubectlLabel(ctx), result.stdout);
  return kind ? itemsOfKind<T>(items, kind) : (items as T[]);
}

/**
 * The diagnosis, printed before any rollback while the failed pods still exist: one sentence per
 * problem of the release's workloads, claims, Services and pods, then each failing pod's warning
 * events and its failing containers' last log lines.
 */
export async function printDiagnostics(ctx: ApplyContext): Promise<{ claims: number }> {
  const { shell, progress, options } = ctx;
  const optional = <T>(promise: Promise<T[]>) =>
    promise.catch((error: Error) => {
      progress.detail(`diagnosis: ${error.message}`);
      return [] as T[];
    });
  let snapshot: ReleaseSnapshot;
  let events: KubeEvent[];
  let services: Service[];
  let endpointSlices: EndpointSlice[];
  try {
    const poll = await pollRelease(ctx);
    if (!poll.snapshot) throw new Error(poll.error ?? poll.fatalError);
    snapshot = poll.snapshot;
    [events, services, endpointSlices] = await Promise.all([
      // Events are read whole: their names and kinds are not needed, only what they say about whom.
      optional(listOf<KubeEvent>(ctx, kubectlArgs.events(scope(ctx)))),
      optional(listOf<Service>(ctx, kubectlArgs.services(scope(ctx), options.release), 'Service')),
      optional(listOf<EndpointSlice>(ctx, kubectlArgs.endpointSlices(scope(ctx)), 'EndpointSlice')),
    ]);
  } catch (error) {
    progress.line(`  diagnosis unavailable: ${(error as Error).message}`);
    return { claims: 0 };
  }
  const storageClasses = snapshot.claims.some((c) => c.status?.phase !== 'Bound')
    ? await listOf<StorageClass>(
        ctx,
        kubectlArgs.storageClasses(options.kubeContext),
        'StorageClass',
      ).catch(() => undefined)
    : [];
  const diagnosis = diagnoseRelease(snapshot, {
    events,
    services,
    endpointSlices,
    storageClasses,
  });
  if (diagnosis.problems.length === 0 && diagnosis.pods.length === 0) {
    progress.line(
      '  diagnosis: every workload, pod and claim of the release is ready; the failure is elsewhere (see the error above)',
    );
    return { claims: snapshot.claims.length };
  }
  progress.line(`diagnosis of release ${options.release} in ${options.namespace}:`);
  for (const problem of diagnosis.problems) progress.line(`  • ${problem}`);
  for (const pod of diagnosis.pods) {
    progress.line(`  pod ${pod.pod}:`);
    for (const sentence of pod.sentences) progress.line(`    • ${sentence}`);
    for (const event of eventLines(events, pod.pod)) progress.line(`    event ${event}`);
    for (const container of pod.logContainers) {
      const logs = await shell.run(
        'kubectl',
        kubectlArgs.logs(scope(ctx), pod.pod, container.name, LOG_LINES, container.previous),
        { timeoutMs: 30_000 },
      );
      const who = `${container.previous ? 'the crashed ' : ''}container ${container.name}`;
      const lines = (logs.exitCode === 0 ? logs.stdout : '').split('\n').filter((l) => l.length);
      if (lines.length === 0) {
        progress.line(
          `    (no logs of ${who}${logs.exitCode !== 0 ? `: ${firstErrorLine(logs)}` : ''})`,
        );
        continue;
      }
      progress.line(`    last ${Math.min(lines.length, LOG_LINES)} log lines of ${who}:`);
      for (const line of lines.slice(-LOG_LINES)) progress.line(`    | ${line}`);
    }
  }
  return { claims: snapshot.claims.length };
}

/** The release's row in `helm list`, or why it could not be read. */
async function releaseEntry(ctx: ApplyContext): Promise<{ entry?: HelmListEntry; error?: string }> {
  try {
    return {
      entry: await observeReleaseEntry(ctx.shell, ctx.options, ctx.helmMajor, helmLabel(ctx)),
    };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function stateLine(ctx: ApplyContext, state: { entry?: HelmListEntry; error?: string }): string {
  if (state.error) return `release state unknown (${state.error})`;
  return state.entry
    ? `release ${ctx.options.release} is at revision ${state.entry.revision} (${state.entry.status})`
    : `release ${ctx.options.release} is not installed`;
}

/** The plan's rollback-on-failure step: back to the last deployed revision, or uninstall a failed first install. */
async function rollbackOnFailure(
  step: PlanStep,
  ctx: ApplyContext,
  claimsLeft: number,
): Promise<void> {
  const { options, progress, shell } = ctx;
  if (step.action === 'none' || !step.helmArgs) {
    progress.line(
      `rollback: no earlier deployed revision of ${options.release} to return to — ${stateLine(ctx, await releaseEntry(ctx))}; fix the cause and deploy again, or run: helm uninstall ${options.release} -n ${options.namespace}`,
    );
    return;
  }
  const started = Date.now();
  if (step.action === 'uninstall') {
    const title = `uninstall ${options.release}`;
    progress.line(`… ${title}: the first install failed`);
    const result = await shell.run('helm', step.helmArgs);
    if (result.exitCode !== 0) {
      progress.failed(title, started, commandFailure('helm uninstall', helmLabel(ctx), result));
      return;
    }
    progress.done(
      title,
      started,
      `the first install failed, so it was removed (what --atomic did); ${stateLine(ctx, await releaseEntry(ctx))}`,
    );
    if (claimsLeft > 0) {
      progress.line(
        `  its StatefulSet claims stay (Helm never deletes them): kubectl --context ${options.kubeContext} -n ${options.namespace} delete pvc -l ${instanceSelector(options.release)}`,
      );
    }
    return;
  }
  const title = `rollback to revision ${step.revision}`;
  progress.line(`… ${title}: helm rollback ${options.release} ${step.revision}`);
  const result = await shell.run('helm', step.helmArgs);
  if (result.exitCode !== 0) {
    progress.failed(title, started, commandFailure('helm rollback', helmLabel(ctx), result));
    return;
  }
  progress.done(title, started, stateLine(ctx, await releaseEntry(ctx)));
  await statusCheck(
    ctx,
    `status check after rollback`,
    Math.min(ROLLBACK_CHECK_MS, durationMs(options.timeout)),
  );
}

function serviceFrom(ctx: ApplyContext, stdout: string, step: string): Service {
  const parsed = parseToolJson(step, kubectlLabel(ctx), stdout) as Service | null;
  if (typeof parsed !== 'object' || parsed === null || typeof parsed.metadata?.name !== 'string') {
    throw new Error(
      `${step} (${kubectlLabel(ctx)}) answered JSON that is not a Service: ${excerpt(stdout)}`,
    );
  }
  return parsed;
}

/**
 * GET readyPath from a Ready pod of the Deployment's newest ReplicaSet through
 * `kubectl port-forward` (through the kubelet: Minikube, kind and managed clusters alike), so the
 * check reaches the new code and needs no Service endpoint.
 */
async function readyCheck(ctx: ApplyContext, snapshot: ReleaseSnapshot | undefined) {
  const { options, progress, shell } = ctx;
  const title = `${options.service} ${options.readyPath}`;
  const started = Date.now();
  const fail = (reason: string) => {
    progress.failed(title, started, reason);
    return false;
  };
  const chosen = snapshot
    ? podForReadyCheck(snapshot, options.deployment)
    : { problem: 'no status of the release to choose a pod from' };
  if (!chosen.pod) return fail(chosen.problem ?? 'no ready pod');
  const pod = chosen.pod;
  const step = `kubectl get service ${options.service}`;
  const found = await shell.run('kubectl', kubectlArgs.service(scope(ctx), options.service));
  let service: Service | undefined;
  if (found.exitCode === 0) {
    try {
      service = serviceFrom(ctx, found.stdout, step);
    } catch (error) {
      return fail((error as Error).message);
    }
  } else if (!/NotFound|not found/.test(found.stderr)) {
    return fail(commandFailure(step, kubectlLabel(ctx), found));
  }
  const resolved = containerPortFor(service, options.servicePort, pod);
  if (!resolved.port) return fail(resolved.problem ?? 'no container port');
  const forward = await shell.portForward(
    'kubectl',
    kubectlArgs.portForward(scope(ctx), pod.metadata.name, resolved.port),
    15_000,
  );
  if (!forward.ok) {
    return fail(`port-forward to pod ${pod.metadata.name} failed: ${forward.error}`);
  }
  let answer;
  try {
    answer = await shell.get(
      `http://127.0.0.1:${forward.localPort}${options.readyPath}`,
      READY_TIMEOUT_MS,
    );
  } finally {
    await forward.stop();
  }
  if (!answer.ok) {
    return fail(
      `not ready: GET ${options.readyPath} through pod ${pod.metadata.name} failed: ${answer.error}`,
    );
  }
  if (answer.status < 200 || answer.status > 299) {
    return fail(
      `not ready: HTTP ${answer.status} from pod ${pod.metadata.name}: ${summarizeReadyBody(answer.body)}`,
    );
  }
  progress.done(
    title,
    started,
    `${summarizeReadyBody(answer.body)}, from pod ${pod.metadata.name}`,
  );
  return true;
}

/** Informational: where the app answers. Whatever goes wrong here prints `url: unknown (…)` and never fails the deploy. */
export async function printUrl(ctx: ApplyContext): Promise<void> {
  const { options, progress, shell } = ctx;
  const started = Date.now();
  try {
    const step = `kubectl get service ${options.service}`;
    const found = await shell.run('kubectl', kubectlArgs.service(scope(ctx), options.service));
    if (found.exitCode !== 0) throw new Error(commandFailure(step, kubectlLabel(ctx), found));
    const service = serviceFrom(ctx, found.stdout, step);
    const ports = Array.isArray(service.spec?.ports) ? service.spec.ports : [];
    const port =
      ports.find((p) => p.name === options.servicePort || String(p.port) === options.servicePort) ??
      ports[0];
    if (!port?.port) throw new Error(`service ${options.service} has no port`);
    const type = service.spec?.type ?? 'ClusterIP';
    let url: string | undefined;
    if (
      type === 'NodePort' &&
      options.imageDelivery === 'minikube' &&
      options.kubeContext === options.minikubeProfile
    ) {
      const args = [
        '-p',
        options.minikubeProfile,
        'service',
        options.service,
        '-n',
        options.namespace,
        '--url',
      ];
      const result = await shell.run('minikube', args, { timeoutMs: 30_000 });
      if (result.exitCode !== 0)
        throw new Error(commandFailure('minikube service --url', 'minikube', result));
      url = result.stdout.split('\n').find((l) => l.startsWith('http'));
      if (!url) throw new Error(`minikube service --url printed no URL: ${excerpt(result.stdout)}`);
    } else if (type === 'NodePort' && port.nodePort) {
      const nodes = await shell.run('kubectl', kubectlArgs.nodes(options.kubeContext));
      if (nodes.exitCode !== 0)
        throw new Error(commandFailure('kubectl get nodes', kubectlLabel(ctx), nodes));
      const items = parseKubeList('kubectl get nodes', kubectlLabel(ctx), nodes.stdout) as Array<{
        status?: { addresses?: Array<{ type?: string; address?: string }> };
      }>;
      const address = items
        .flatMap((n) => n.status?.addresses ?? [])
        .find((a) => a.type === 'InternalIP')?.address;
      if (!address) throw new Error('no node has an InternalIP address');
      url = `http://${address}:${port.nodePort}`;
    } else if (type === 'LoadBalancer') {
      const ingress = service.status?.loadBalancer?.ingress?.[0];
      const host = ingress?.ip ?? ingress?.hostname;
      url = host ? `http://${host}:${port.port}` : undefined;
    }
    if (url) {
      progress.done(`${options.project} answers at ${url}`, started);
    } else {
      progress.done(
        `${options.project} is reachable inside the cluster at ${options.service}.${options.namespace}:${port.port}`,
        started,
        `from this machine: kubectl port-forward -n ${options.namespace} svc/${options.service} ${port.port}:${port.port}`,
      );
    }
  } catch (error) {
    progress.line(`url: unknown (${(error as Error).message})`);
  }
}

/** `ok`: go on; `failed`: run the on-failure steps; `stopped`: nothing changed, nothing to undo. */
type Outcome = 'ok' | 'failed' | 'stopped';

/**
 * helm upgrade without --wait (the status check follows). A rejected upgrade (flags, values
 * schema, a busy release) records no revision, so there is nothing to diagnose or undo.
 */
async function applyUpgrade(
  step: PlanStep,
  plan: Plan,
  observation: Observation,
  ctx: ApplyContext,
): Promise<Outcome> {
  const { options, progress, shell } = ctx;
  const started = Date.now();
  progress.line(
    `… ${step.title} (${step.reason}; Helm ${plan.helmMajor}, no --wait: the status check follows; timeout ${options.timeout})`,
  );
  const upgrade = await shell.run('helm', plan.helmArgs);
  if (upgrade.exitCode === 0) {
    const revision = upgrade.stdout.match(/^REVISION:\s*(\d+)/m)?.[1];
    progress.done(step.title, started, revision ? `revision ${revision}` : undefined);
    return 'ok';
  }
  const [headline, ...details] = errorLines(upgrade);
  progress.failed(
    step.title,
    started,
    headline ??
      `helm upgrade (${helmLabel(ctx)}) exited with code ${upgrade.exitCode} and printed nothing`,
  );
  for (const line of details) progress.line(`  ${line}`);
  const state = await releaseEntry(ctx);
  const before = observation.release;
  const recorded =
    !state.error &&
    !!state.entry &&
    (!before?.exists || state.entry.revision > (before.revision ?? 0));
  if (recorded) return 'failed';
  progress.line(
    state.error
      ? `rollback: not attempted — ${stateLine(ctx, state)}`
      : `rollback: not needed, Helm changed nothing — ${stateLine(ctx, state)}`,
  );
  return 'stopped';
}

/**
 * Apply: carries out the plan's steps in order. A failed build or load stops the deploy; after a
 * failed upgrade, status check or /ready only the on-failure steps run (diagnose while the failed
 * pods still exist, then roll back).
 */
export async function applyPlan(
  plan: Plan,
  observation: Observation,
  ctx: ApplyContext,
): Promise<boolean> {
  const { options, progress } = ctx;
  let outcome: Outcome = 'ok';
  let snapshot: ReleaseSnapshot | undefined;
  let claims = 0;
  const orDiagnose = (ok: boolean): Outcome => (ok ? 'ok' : 'failed');
  for (const step of plan.steps) {
    if (outcome === 'stopped') break;
    if (Boolean(step.onFailure) !== (outcome === 'failed')) continue;
    switch (step.kind) {
      case 'build':
        if (!(await applyBuild(step, ctx))) outcome = 'stopped';
        break;
      case 'deliver':
        if (!(await applyDeliver(step, ctx))) outcome = 'stopped';
        break;
      case 'helm-upgrade':
        outcome = await applyUpgrade(step, plan, observation, ctx);
        break;
      case 'status-check': {
        const check = await statusCheck(ctx, step.title, durationMs(options.timeout));
        snapshot = check.snapshot;
        outcome = orDiagnose(check.ok);
        break;
      }
      case 'ready-check':
        outcome = orDiagnose(await readyCheck(ctx, snapshot));
        break;
      case 'diagnose':
        try {
          claims = (await printDiagnostics(ctx)).claims;
        } catch (error) {
          progress.line(`  diagnosis unavailable: ${(error as Error).message}`);
        }
        break;
      case 'rollback-on-failure':
        try {
          await rollbackOnFailure(step, ctx, claims);
        } catch (error) {
          progress.line(`rollback: failed (${(error as Error).message})`);
        }
        break;
      case 'url':
        await printUrl(ctx);
        break;
    }
  }
  return outcome === 'ok';
}
