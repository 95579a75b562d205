import type { ExecutorContext } from '@nx/devkit';
import { execCommand, firstErrorLine, type CommandRunner } from '../../lib/exec';
import { helmScope } from '../../lib/helm';
import { acquireReleaseLock, lockPath } from '../../lib/lock';
import { Masker } from '../../lib/mask';
import {
  durationMs,
  OptionsError,
  requireDnsLabel,
  requireDuration,
} from '../../lib/options-error';
import { Progress, type LogLine } from '../../lib/progress';
import { Shell } from '../../lib/shell';
import { checkKubeContext } from '../../lib/kube-context';
import { kubectlErrorLine, parseKubeList, type KubeObject } from './kube-objects';
import type { TeardownExecutorSchema } from './schema';

export interface TeardownOptions {
  release: string;
  namespace: string;
  kubeContext: string;
  deleteNamespace: boolean;
  keepData: boolean;
  timeout: string;
  dryRun: boolean;
  verbose: boolean;
}

export interface Command {
  command: string;
  args: string[];
}

/** How the pod check tells time and waits between looks; tests replace it. */
export interface TeardownTiming {
  pollMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

const REAL_TIMING: TeardownTiming = {
  pollMs: 1000,
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export function normalizeTeardownOptions(options: TeardownExecutorSchema): TeardownOptions {
  const normalized = {
    release: requireDnsLabel('release', options.release ?? 'todo-app'),
    namespace: requireDnsLabel('namespace', options.namespace),
    kubeContext: options.kubeContext ?? 'minikube',
    deleteNamespace: options.deleteNamespace ?? false,
    keepData: options.keepData ?? false,
    timeout: requireDuration('timeout', options.timeout ?? '5m'),
    dryRun: options.dryRun ?? false,
    verbose: options.verbose ?? false,
  };
  if (normalized.keepData && normalized.deleteNamespace)
    throw new OptionsError(
      'keepData',
      'deleting the namespace deletes its PersistentVolumeClaims too — drop deleteNamespace to keep the data',
    );
  return normalized;
}

/** The label the chart puts on every object of a release, claims of volumeClaimTemplates included. */
export function releaseSelector(release: string): string {
  return `app.kubernetes.io/instance=${release}`;
}

function kubectl(options: TeardownOptions, ...args: string[]): Command {
  return {
    command: 'kubectl',
    args: ['--context', options.kubeContext, '--namespace', options.namespace, ...args],
  };
}

/** `kubectl get <kind> -l app.kubernetes.io/instance=<release> -o json`. Pure. */
export function listCommand(
  options: TeardownOptions,
  kind: 'pods' | 'persistentvolumeclaims',
): Command {
  return kubectl(
    options,
    'get',
    kind,
    '-l',
    releaseSelector(options.release),
    '-o',
    'json',
    '--request-timeout',
    '30s',
  );
}

/** Deletes one claim and waits (up to the timeout) until the API server has removed it. Pure. */
export function deleteClaimCommand(options: TeardownOptions, claim: string): Command {
  return kubectl(options, 'delete', 'persistentvolumeclaim', claim, `--timeout=${options.timeout}`);
}

/** What a user runs later to remove a claim teardown kept (keepData). Pure. */
export function keptClaimCommand(options: TeardownOptions, claim: string): Command {
  return kubectl(options, 'delete', 'persistentvolumeclaim', claim);
}

/** Starts the deletion of a pod no controller owns; the pod check then waits for it. Pure. */
export function deletePodCommand(options: TeardownOptions, pod: string): Command {
  return kubectl(options, 'delete', 'pod', pod, '--wait=false');
}

/** The helm uninstall, then (deleteNamespace) the namespace deletion. Pure. */
export function teardownCommands(options: TeardownOptions): Command[] {
  return [
    {
      command: 'helm',
      args: [
        'uninstall',
        options.release,
        '--wait',
        '--timeout',
        options.timeout,
        ...helmScope(options.namespace, options.kubeContext),
      ],
    },
    ...(options.deleteNamespace
      ? [
          {
            command: 'kubectl',
            args: [
              '--context',
              options.kubeContext,
              'delete',
              'namespace',
              options.namespace,
              `--timeout=${options.timeout}`,
            ],
          },
        ]
      : []),
  ];
}

const claimLabel = (claim: KubeObject) => `${claim.name} (${claim.storage ?? 'size unknown'})`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Why a pod outlives `helm uninstall`: Helm deletes its manifest, never its hooks' objects. */
function strayReason(pod: KubeObject): string {
  const hook = pod.annotations['helm.sh/hook'];
  return hook
    ? `a helm "${hook}" hook pod, which helm uninstall leaves behind`
    : 'labelled with the release and owned by no controller';
}

class Teardown {
  private readonly progress: Progress;
  private readonly shell: Shell;

  constructor(
    private readonly options: TeardownOptions,
    runner: CommandRunner,
    write: LogLine,
    private readonly timing: TeardownTiming,
  ) {
    this.progress = new Progress(write, new Masker(), options.verbose);
    this.shell = new Shell(runner, this.progress);
  }

  private fail(text: string): false {
    this.progress.line(`✖ ${text}`);
    return false;
  }

  /** The release's objects of one kind, or one sentence saying why they could not be read. */
  private async list(
    kind: 'pods' | 'persistentvolumeclaims',
  ): Promise<{ items: KubeObject[] } | { error: string }> {
    const { command, args } = listCommand(this.options, kind);
    const result = await this.shell.run(command, args, { timeoutMs: 60_000 });
    if (result.notFound)
      return {
        error:
          'kubectl is not installed — install kubectl: https://kubernetes.io/docs/tasks/tools/',
      };
    if (result.exitCode !== 0) return { error: kubectlErrorLine(result) };
    const parsed = parseKubeList(result.stdout);
    if ('problem' in parsed)
      return {
        error: `kubectl get ${kind} ${parsed.problem} — run it by hand: ${new Masker().command(command, args)}`,
      };
    return parsed;
  }

  async dryRun(): Promise<{ success: boolean }> {
    const { options, progress } = this;
    const [uninstall, deleteNamespace] = teardownCommands(options);
    // Read-only looks, so the dry run can name what would go; no cluster is no error here.
    const [pods, claims] = await Promise.all([
      this.list('pods'),
      this.list('persistentvolumeclaims'),
    ]);
    const strays = 'items' in pods ? pods.items.filter((p) => p.annotations['helm.sh/hook']) : [];
    const claimNames = 'items' in claims ? claims.items : [];
    const selector = releaseSelector(options.release);

    progress.line('teardown would run:');
    progress.commandLine(uninstall.command, uninstall.args);
    for (const pod of strays) {
      const { command, args } = deletePodCommand(options, pod.name);
      progress.commandLine(command, args);
    }
    if (!options.keepData) {
      if ('error' in claims) {
        const { command, args } = kubectl(
          options,
          'delete',
          'persistentvolumeclaim',
          '-l',
          selector,
          `--timeout=${options.timeout}`,
        );
        progress.commandLine(command, args);
      }
      for (const claim of claimNames) {
        const { command, args } = deleteClaimCommand(options, claim.name);
        progress.commandLine(command, args);
      }
    }
    if (deleteNamespace) progress.commandLine(deleteNamespace.command, deleteNamespace.args);

    progress.line('teardown would remove:');
    progress.line(
      `  release ${options.release} from ${options.namespace} (context ${options.kubeContext}), then wait up to ${options.timeout} until no pod labelled ${selector} is left`,
    );
    for (const pod of strays) progress.line(`  pod ${pod.name}: ${strayReason(pod)}`);
    const unlisted = 'error' in claims ? `  the claims labelled ${selector}` : undefined;
    const why = 'error' in claims ? ` — not listed: ${claims.error}` : '';
    if (!options.keepData) {
      for (const claim of claimNames) progress.line(`  claim ${claimLabel(claim)} and its data`);
      if (unlisted) progress.line(`${unlisted} and their data${why}`);
      else if (claimNames.length === 0)
        progress.line(`  no claims: ${options.release} has none in ${options.namespace}`);
    }
    if (deleteNamespace)
      progress.line(`  namespace ${options.namespace} and everything left in it`);
    if (options.keepData && (unlisted || claimNames.length)) {
      progress.line('teardown would keep (keepData):');
      if (unlisted) progress.line(`${unlisted}${why}`);
      for (const claim of claimNames) {
        const { command, args } = keptClaimCommand(options, claim.name);
        progress.line(
          `  claim ${claimLabel(claim)} — delete it later: ${new Masker().command(command, args)}`,
        );
      }
    }
    return { success: true };
  }

  private async uninstall(): Promise<boolean> {
    const { options, progress } = this;
    const [uninstall] = teardownCommands(options);
    const started = Date.now();
    const removed = await this.shell.run(uninstall.command, uninstall.args);
    if (removed.exitCode === 0) {
      progress.done(`helm uninstall ${options.release}`, started);
      return true;
    }
    if (removed.notFound)
      return this.fail(
        'helm is not installed — install Helm 3.8+ or 4: https://helm.sh/docs/intro/install/',
      );
    // Helm 3 and 4: `Error: uninstall: Release not loaded: <release>: release: not found`.
    if (/release: not found/.test(removed.stderr)) {
      progress.skipped(
        'helm uninstall',
        `release ${options.release} is not installed in ${options.namespace}`,
      );
      return true;
    }
    progress.failed(`helm uninstall ${options.release}`, started, firstErrorLine(removed));
    return false;
  }

  /**
   * Waits until no pod of the release is left. Pods of the release's controllers go with them
   * (garbage collection); a pod nothing owns — a failed `helm test` pod — would stay forever, so
   * it is deleted. Leftovers at the timeout are named.
   */
  private async pods(): Promise<boolean> {
    const { options, progress, timing } = this;
    const started = Date.now();
    const deadline = timing.now() + durationMs(options.timeout);
    const deleted = new Set<string>();
    for (;;) {
      const listed = await this.list('pods');
      if ('error' in listed)
        return this.fail(
          `could not check the pods of ${options.release} in ${options.namespace}: ${listed.error}`,
        );
      const pods = listed.items;
      if (pods.length === 0) {
        progress.done(`no pods of ${options.release} left in ${options.namespace}`, started);
        return true;
      }
      for (const pod of pods.filter((p) => !p.owned && !p.terminating && !deleted.has(p.name))) {
        deleted.add(pod.name);
        const phase = Date.now();
        const { command, args } = deletePodCommand(options, pod.name);
        const result = await this.shell.run(command, args);
        if (result.exitCode === 0) progress.done(`delete pod ${pod.name}`, phase, strayReason(pod));
        else if (!/\(NotFound\)/.test(result.stderr))
          return this.fail(`delete pod ${pod.name}: ${kubectlErrorLine(result)}`);
      }
      if (timing.now() >= deadline) {
        const { command, args } = kubectl(
          options,
          'get',
          'pods',
          '-l',
          releaseSelector(options.release),
        );
        return this.fail(
          `pods of ${options.release} still in ${options.namespace} after ${options.timeout}: ${pods
            .map(
              (p) => `${p.name} (${p.terminating ? 'terminating' : (p.phase ?? 'phase unknown')})`,
            )
            .join(', ')} — look: ${new Masker().command(command, args)}`,
        );
      }
      await timing.sleep(Math.min(timing.pollMs, Math.max(0, deadline - timing.now())));
    }
  }

  /**
   * The StatefulSet's claims (its volumeClaimTemplates) survive helm uninstall: delete them and
   * say which, or (keepData) say which stay and how to remove them later.
   */
  private async claims(): Promise<{ ok: boolean; kept: KubeObject[] }> {
    const { options, progress } = this;
    const listed = await this.list('persistentvolumeclaims');
    if ('error' in listed) {
      this.fail(
        `could not list the PersistentVolumeClaims of ${options.release} in ${options.namespace}: ${listed.error}`,
      );
      return { ok: false, kept: [] };
    }
    const claims = listed.items;
    if (claims.length === 0) {
      progress.skipped(
        'delete claims',
        `${options.release} has no PersistentVolumeClaims in ${options.namespace}`,
      );
      return { ok: true, kept: [] };
    }
    if (options.keepData) {
      for (const claim of claims) {
        const { command, args } = keptClaimCommand(options, claim.name);
        progress.line(
          `- keep claim ${claimLabel(claim)} (keepData) — delete it later: ${new Masker().command(command, args)}`,
        );
      }
      progress.line(
        `! a new install finds this data but generates a new database password — set postgresql.auth.password or postgresql.auth.existingSecret to reuse it (docs/deployment/lifecycle-management.md)`,
      );
      return { ok: true, kept: claims };
    }
    for (const claim of claims) {
      const started = Date.now();
      const { command, args } = deleteClaimCommand(options, claim.name);
      const result = await this.shell.run(command, args, {
        timeoutMs: durationMs(options.timeout) + 30_000,
      });
      if (result.exitCode === 0 || /\(NotFound\)/.test(result.stderr)) {
        progress.done(`delete claim ${claimLabel(claim)}`, started);
      } else {
        progress.failed(`delete claim ${claimLabel(claim)}`, started, kubectlErrorLine(result));
        return { ok: false, kept: [] };
      }
    }
    return { ok: true, kept: [] };
  }

  private async namespace(): Promise<boolean> {
    const { options, progress } = this;
    const [, deleteNamespace] = teardownCommands(options);
    if (!deleteNamespace) return true;
    const started = Date.now();
    const deleted = await this.shell.run(deleteNamespace.command, deleteNamespace.args);
    if (deleted.exitCode === 0) progress.done(`delete namespace ${options.namespace}`, started);
    else if (/NotFound/.test(deleted.stderr))
      progress.skipped('delete namespace', `${options.namespace} does not exist`);
    else {
      progress.failed(`delete namespace ${options.namespace}`, started, kubectlErrorLine(deleted));
      return false;
    }
    return true;
  }

  async run(): Promise<{ success: boolean }> {
    const { options, progress } = this;
    const started = Date.now();
    const wrongContext = await checkKubeContext(
      this.shell,
      options.kubeContext,
      'this teardown targets',
    );
    if (wrongContext) return { success: this.fail(wrongContext) };
    const lock = await acquireReleaseLock(
      lockPath(options.kubeContext, options.namespace, options.release),
      600_000,
      (pid) => progress.line(`… waiting for a deploy of ${options.release} (pid ${pid}) to finish`),
    );
    try {
      if (!(await this.uninstall()) || !(await this.pods())) return { success: false };
      const { ok, kept } = await this.claims();
      if (!ok || !(await this.namespace())) return { success: false };
      progress.done(
        'teardown finished',
        started,
        kept.length
          ? `kept ${plural(kept.length, 'claim')} of ${options.release} in ${options.namespace} (keepData)`
          : `nothing of ${options.release} is left in ${options.namespace}`,
      );
      return { success: true };
    } finally {
      lock.release();
    }
  }
}

export async function runTeardown(
  options: TeardownOptions,
  runner: CommandRunner,
  write: LogLine,
  timing: TeardownTiming = REAL_TIMING,
): Promise<{ success: boolean }> {
  const teardown = new Teardown(options, runner, write, timing);
  return options.dryRun ? teardown.dryRun() : teardown.run();
}

export default async function teardownExecutor(
  options: TeardownExecutorSchema,
  _context: ExecutorContext,
) {
  try {
    return await runTeardown(normalizeTeardownOptions(options), execCommand, (line) =>
      console.log(line),
    );
  } catch (error) {
    if (error instanceof OptionsError) {
      console.error(error.message);
      return { success: false };
    }
    throw error;
  }
}
