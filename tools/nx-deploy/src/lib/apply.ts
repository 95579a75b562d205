import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ContainerEngine } from './container-engine';
import type { DeployOptions } from './deploy-options';
import { diagnosePod, eventLines, type KubeEvent, type Pod } from './diagnostics';
import { errorLines, firstErrorLine } from './exec';
import { failureOutcome, helmScope, parseHelmList, rollbackOnFailureFlag } from './helm';
import type { ImageDeliveryAdapter } from './image-delivery';
import { readImageManifest } from './observe';
import type { Observation, Plan, PlanStep } from './plan';
import type { Progress } from './progress';
import type { Shell } from './shell';

export interface ApplyContext {
  options: DeployOptions;
  shell: Shell;
  progress: Progress;
  engine: ContainerEngine;
  delivery: ImageDeliveryAdapter;
  /** Runs the project's image build target (through Nx); true when it succeeded. */
  buildImage: (project: string) => Promise<boolean>;
}

const LOG_LINES = 50;

/** Apply: the thin layer that carries out a plan's steps, in order, stopping at the first failure. */
export async function applyBuilds(steps: PlanStep[], ctx: ApplyContext): Promise<boolean> {
  for (const step of steps.filter((s) => s.kind === 'build')) {
    if (step.skip) {
      ctx.progress.detail(`skip ${step.title}: ${step.reason}`);
      continue;
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
      const result = await ctx.shell.run(command.command, command.args);
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

function kubectl(ctx: ApplyContext, ...args: string[]): string[] {
  return ['--context', ctx.options.kubeContext, '--namespace', ctx.options.namespace, ...args];
}

/** Failing pods of the release: one sentence per problem, their warning events, their last logs. */
export async function printDiagnostics(ctx: ApplyContext): Promise<void> {
  const { shell, progress, options } = ctx;
  const selector = `app.kubernetes.io/instance=${options.release}`;
  const [podsResult, eventsResult] = await Promise.all([
    shell.run('kubectl', kubectl(ctx, 'get', 'pods', '-l', selector, '-o', 'json')),
    shell.run('kubectl', kubectl(ctx, 'get', 'events', '-o', 'json')),
  ]);
  if (podsResult.exitCode !== 0) {
    progress.line(`  diagnostics unavailable: ${firstErrorLine(podsResult)}`);
    return;
  }
  const pods = (JSON.parse(podsResult.stdout || '{"items":[]}') as { items: Pod[] }).items;
  const events =
    eventsResult.exitCode === 0
      ? (JSON.parse(eventsResult.stdout || '{"items":[]}') as { items: KubeEvent[] }).items
      : [];
  const failing = pods.map(diagnosePod).filter((d) => d.failing);
  if (failing.length === 0) {
    progress.line(
      '  diagnostics: every pod of the release is ready; the failure is elsewhere (see the error above)',
    );
    return;
  }
  for (const diagnosis of failing) {
    progress.line(`  pod ${diagnosis.pod}:`);
    for (const sentence of diagnosis.sentences) progress.line(`    • ${sentence}`);
    for (const event of eventLines(events, diagnosis.pod)) progress.line(`    event ${event}`);
    const logArgs = ['logs', diagnosis.pod, '--all-containers', `--tail=${LOG_LINES}`];
    if (diagnosis.previousLogs) logArgs.push('--previous');
    const logs = await shell.run('kubectl', kubectl(ctx, ...logArgs));
    const lines = (logs.exitCode === 0 ? logs.stdout : '').split('\n').filter((l) => l.length > 0);
    if (lines.length === 0) {
      progress.line(`    (no logs${logs.exitCode !== 0 ? `: ${firstErrorLine(logs)}` : ''})`);
      continue;
    }
    progress.line(
      `    last ${Math.min(lines.length, LOG_LINES)} log lines${diagnosis.previousLogs ? ' of the crashed container' : ''}:`,
    );
    for (const line of lines.slice(-LOG_LINES)) progress.line(`    | ${line}`);
  }
}

async function releaseStatusLine(ctx: ApplyContext): Promise<string> {
  const { options } = ctx;
  const list = await ctx.shell.run('helm', [
    'list',
    '--all',
    '--filter',
    `^${options.release}$`,
    '-o',
    'json',
    ...helmScope(options.namespace, options.kubeContext),
  ]);
  if (list.exitCode !== 0) return `release state unknown (${firstErrorLine(list)})`;
  const entry = parseHelmList(list.stdout, options.release);
  return entry
    ? `release ${options.release} is at revision ${entry.revision} (${entry.status})`
    : `release ${options.release} is not installed`;
}

async function rollBack(ctx: ApplyContext, previousRevision: number | undefined): Promise<void> {
  const { options, progress } = ctx;
  if (!previousRevision) {
    progress.line(`rollback: no earlier revision of ${options.release} to return to`);
    return;
  }
  const started = Date.now();
  const result = await ctx.shell.run('helm', [
    'rollback',
    options.release,
    String(previousRevision),
    '--wait',
    '--timeout',
    options.timeout,
    ...helmScope(options.namespace, options.kubeContext),
  ]);
  if (result.exitCode === 0) {
    progress.done(
      `rollback to revision ${previousRevision}`,
      started,
      await releaseStatusLine(ctx),
    );
  } else {
    progress.failed(`rollback to revision ${previousRevision}`, started, firstErrorLine(result));
  }
}

async function printUrl(ctx: ApplyContext): Promise<void> {
  const { options, progress, shell } = ctx;
  const started = Date.now();
  const service = await shell.run(
    'kubectl',
    kubectl(ctx, 'get', 'service', options.service, '-o', 'json'),
  );
  if (service.exitCode !== 0) {
    progress.line(`url: unknown (${firstErrorLine(service)})`);
    return;
  }
  const spec = JSON.parse(service.stdout) as {
    spec: { type?: string; ports?: Array<{ port: number; nodePort?: number; name?: string }> };
    status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } };
  };
  const port =
    spec.spec.ports?.find(
      (p) => p.name === options.servicePort || String(p.port) === options.servicePort,
    ) ?? spec.spec.ports?.[0];
  let url: string | undefined;
  if (spec.spec.type === 'NodePort' && options.imageDelivery === 'minikube') {
    const result = await shell.run('minikube', [
      '-p',
      options.minikubeProfile,
      'service',
      options.service,
      '-n',
      options.namespace,
      '--url',
    ]);
    url =
      result.exitCode === 0
        ? result.stdout.split('\n').find((l) => l.startsWith('http'))
        : undefined;
  } else if (spec.spec.type === 'NodePort' && port?.nodePort) {
    const nodes = await shell.run('kubectl', [
      '--context',
      options.kubeContext,
      'get',
      'nodes',
      '-o',
      'json',
    ]);
    const address =
      nodes.exitCode === 0
        ? (
            JSON.parse(nodes.stdout) as {
              items: Array<{ status: { addresses: Array<{ type: string; address: string }> } }>;
            }
          ).items[0]?.status.addresses.find((a) => a.type === 'InternalIP')?.address
        : undefined;
    url = address ? `http://${address}:${port.nodePort}` : undefined;
  } else if (spec.spec.type === 'LoadBalancer') {
    const ingress = spec.status?.loadBalancer?.ingress?.[0];
    const host = ingress?.ip ?? ingress?.hostname;
    url = host ? `http://${host}:${port?.port}` : undefined;
  }
  if (url) {
    progress.done(`${options.project} answers at ${url}`, started);
  } else {
    progress.done(
      `${options.project} is reachable inside the cluster at ${options.service}.${options.namespace}:${port?.port}`,
      started,
      `from this machine: kubectl port-forward -n ${options.namespace} svc/${options.service} ${port?.port}:${port?.port}`,
    );
  }
}

export async function applyPlan(
  plan: Plan,
  observation: Observation,
  ctx: ApplyContext,
): Promise<boolean> {
  const { options, progress, shell } = ctx;
  if (!(await applyBuilds(plan.steps, ctx))) return false;
  for (const step of plan.steps.filter((s) => s.kind === 'deliver')) {
    if (!(await applyDeliver(step, ctx))) return false;
  }

  const previousRevision =
    observation.release?.exists && observation.release.status === 'deployed'
      ? observation.release.revision
      : undefined;
  const helmStep = plan.steps.find((s) => s.kind === 'helm-upgrade');
  if (!helmStep) return true;
  let started = Date.now();
  progress.line(
    `… ${helmStep.title} (${helmStep.reason}; Helm ${plan.helmMajor}, ${rollbackOnFailureFlag(plan.helmMajor)}, timeout ${options.timeout})`,
  );
  const upgrade = await shell.run('helm', plan.helmArgs);
  if (upgrade.exitCode !== 0) {
    const [headline, ...details] = errorLines(upgrade);
    progress.failed(helmStep.title, started, headline ?? `exit code ${upgrade.exitCode}`);
    for (const line of details) progress.line(`  ${line}`);
    await printDiagnostics(ctx);
    const outcome = failureOutcome(upgrade.stderr);
    const state = await releaseStatusLine(ctx);
    if (outcome === 'rolled-back')
      progress.line(`rollback: Helm rolled the release back — ${state}`);
    else if (outcome === 'uninstalled')
      progress.line(`rollback: the first install failed and Helm removed it — ${state}`);
    else progress.line(`rollback: not needed, Helm changed nothing — ${state}`);
    return false;
  }
  const revision = upgrade.stdout.match(/^REVISION:\s*(\d+)/m)?.[1];
  progress.done(helmStep.title, started, revision ? `revision ${revision}` : undefined);

  started = Date.now();
  const rollout = await shell.run(
    'kubectl',
    kubectl(
      ctx,
      'rollout',
      'status',
      `deployment/${options.deployment}`,
      `--timeout=${options.timeout}`,
    ),
  );
  if (rollout.exitCode !== 0) {
    progress.failed(`rollout deployment/${options.deployment}`, started, firstErrorLine(rollout));
    await printDiagnostics(ctx);
    await rollBack(ctx, previousRevision);
    return false;
  }
  progress.done(`rollout deployment/${options.deployment}`, started);

  started = Date.now();
  const proxyPath = `/api/v1/namespaces/${options.namespace}/services/${options.service}:${options.servicePort}/proxy${options.readyPath}`;
  const ready = await shell.run('kubectl', [
    '--context',
    options.kubeContext,
    'get',
    '--raw',
    proxyPath,
  ]);
  if (ready.exitCode !== 0) {
    progress.failed(
      `${options.service} ${options.readyPath}`,
      started,
      `not ready: ${firstErrorLine(ready)}`,
    );
    await printDiagnostics(ctx);
    await rollBack(ctx, previousRevision);
    return false;
  }
  progress.done(`${options.service} ${options.readyPath}`, started, summarizeReady(ready.stdout));
  await printUrl(ctx);
  return true;
}

function summarizeReady(body: string): string {
  try {
    const parsed = JSON.parse(body) as { status?: string };
    return parsed.status ? `status ${parsed.status}` : 'answered';
  } catch {
    return 'answered';
  }
}
