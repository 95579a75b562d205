import type { ExecutorContext } from '@nx/devkit';
import { execCommand, firstErrorLine, type CommandRunner } from '../../lib/exec';
import { helmScope } from '../../lib/helm';
import { acquireReleaseLock, lockPath } from '../../lib/lock';
import { Masker } from '../../lib/mask';
import { OptionsError, requireDnsLabel, requireDuration } from '../../lib/options-error';
import { Progress, type LogLine } from '../../lib/progress';
import { Shell } from '../../lib/shell';
import type { TeardownExecutorSchema } from './schema';

export interface TeardownOptions {
  release: string;
  namespace: string;
  kubeContext: string;
  deleteNamespace: boolean;
  timeout: string;
  dryRun: boolean;
  verbose: boolean;
}

export function normalizeTeardownOptions(options: TeardownExecutorSchema): TeardownOptions {
  return {
    release: requireDnsLabel('release', options.release ?? 'todo-app'),
    namespace: requireDnsLabel('namespace', options.namespace),
    kubeContext: options.kubeContext ?? 'minikube',
    deleteNamespace: options.deleteNamespace ?? false,
    timeout: requireDuration('timeout', options.timeout ?? '5m'),
    dryRun: options.dryRun ?? false,
    verbose: options.verbose ?? false,
  };
}

/** The commands a teardown runs, in order. Pure. */
export function teardownCommands(
  options: TeardownOptions,
): Array<{ command: string; args: string[] }> {
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

export async function runTeardown(
  options: TeardownOptions,
  runner: CommandRunner,
  write: LogLine,
): Promise<{ success: boolean }> {
  const started = Date.now();
  const progress = new Progress(write, new Masker(), options.verbose);
  const shell = new Shell(runner, progress);
  const [uninstall, deleteNamespace] = teardownCommands(options);
  if (options.dryRun) {
    progress.line('teardown would run:');
    for (const { command, args } of teardownCommands(options)) progress.commandLine(command, args);
    return { success: true };
  }
  const context = await shell.run('kubectl', ['config', 'current-context']);
  if (context.notFound) {
    progress.line(
      '✖ kubectl is not installed — install kubectl: https://kubernetes.io/docs/tasks/tools/',
    );
    return { success: false };
  }
  if (context.stdout.trim() !== options.kubeContext) {
    progress.line(
      `✖ current kube context is "${context.stdout.trim() || 'unset'}", this teardown targets "${options.kubeContext}" — run: kubectl config use-context ${options.kubeContext}`,
    );
    return { success: false };
  }
  const lock = await acquireReleaseLock(
    lockPath(options.kubeContext, options.namespace, options.release),
    600_000,
    (pid) => progress.line(`… waiting for a deploy of ${options.release} (pid ${pid}) to finish`),
  );
  try {
    let phase = Date.now();
    const removed = await shell.run(uninstall.command, uninstall.args);
    if (removed.exitCode === 0) {
      progress.done(`helm uninstall ${options.release}`, phase);
    } else if (/not found/.test(removed.stderr)) {
      progress.line(
        `- skip helm uninstall: release ${options.release} is not installed in ${options.namespace}`,
      );
    } else if (removed.notFound) {
      progress.line(
        '✖ helm is not installed — install Helm 3.8+ or 4: https://helm.sh/docs/intro/install/',
      );
      return { success: false };
    } else {
      progress.failed(`helm uninstall ${options.release}`, phase, firstErrorLine(removed));
      return { success: false };
    }
    if (deleteNamespace) {
      phase = Date.now();
      const deleted = await shell.run(deleteNamespace.command, deleteNamespace.args);
      if (deleted.exitCode === 0) progress.done(`delete namespace ${options.namespace}`, phase);
      else if (/NotFound/.test(deleted.stderr))
        progress.line(`- skip delete namespace: ${options.namespace} does not exist`);
      else {
        progress.failed(`delete namespace ${options.namespace}`, phase, firstErrorLine(deleted));
        return { success: false };
      }
    }
    progress.done('teardown finished', started);
    return { success: true };
  } finally {
    lock.release();
  }
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
