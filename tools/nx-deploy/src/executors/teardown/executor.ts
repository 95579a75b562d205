import type { ExecutorContext } from '@nx/devkit';
import { execCommand, type CommandRunner } from '../../lib/exec';
import { count } from '../../lib/kube';
import { checkKubeContext } from '../../lib/kube-context';
import { acquireReleaseLock, lockPath } from '../../lib/lock';
import { Masker } from '../../lib/mask';
import { withOptions } from '../../lib/options-error';
import { Progress, type LogLine } from '../../lib/progress';
import { Shell } from '../../lib/shell';
import { printDryRun } from './dry-run';
import { normalizeTeardownOptions, type TeardownOptions } from './options';
import type { TeardownExecutorSchema } from './schema';
import {
  fail,
  removeClaims,
  removeNamespace,
  uninstallRelease,
  waitForPodsToGo,
  type TeardownRun,
  type TeardownTiming,
} from './steps';

const REAL_TIMING: TeardownTiming = {
  pollMs: 1000,
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Only on the configured context, and never during a deploy of the same release. */
async function teardown(run: TeardownRun): Promise<{ success: boolean }> {
  const { options, progress } = run;
  const started = Date.now();
  const wrongContext = await checkKubeContext(
    run.shell,
    options.kubeContext,
    'this teardown targets',
  );
  if (wrongContext) return { success: fail(progress, wrongContext) };
  const lock = await acquireReleaseLock(
    lockPath(options.kubeContext, options.namespace, options.release),
    600_000,
    (pid) => progress.line(`… waiting for a deploy of ${options.release} (pid ${pid}) to finish`),
  );
  try {
    if (!(await uninstallRelease(run)) || !(await waitForPodsToGo(run))) return { success: false };
    const { ok, kept } = await removeClaims(run);
    if (!ok || !(await removeNamespace(run))) return { success: false };
    progress.done(
      'teardown finished',
      started,
      kept.length
        ? `kept ${count(kept.length, 'claim')} of ${options.release} in ${options.namespace} (keepData)`
        : `nothing of ${options.release} is left in ${options.namespace}`,
    );
    return { success: true };
  } finally {
    lock.release();
  }
}

export async function runTeardown(
  options: TeardownOptions,
  runner: CommandRunner,
  write: LogLine,
  timing: TeardownTiming = REAL_TIMING,
): Promise<{ success: boolean }> {
  const progress = new Progress(write, new Masker(), options.verbose);
  const run: TeardownRun = { options, shell: new Shell(runner, progress), progress, timing };
  return options.dryRun ? printDryRun(run) : teardown(run);
}

export default async function teardownExecutor(
  options: TeardownExecutorSchema,
  _context: ExecutorContext,
) {
  return withOptions(
    () => normalizeTeardownOptions(options),
    (normalized) => runTeardown(normalized, execCommand, (line) => console.log(line)),
  );
}
