/**
 * The steps of a real teardown, in the order the executor runs them. Each prints its own line
 * and answers whether the next may run.
 */
import { firstErrorLine } from '../../lib/exec';
import type { KubeObject } from '../../lib/kube-objects';
import { kubectlErrorLine } from '../../lib/kubectl';
import { durationMs } from '../../lib/options-error';
import {
  KEPT_DATA_NEEDS_PASSWORD,
  podsOutlivedTimeout,
  toolNotInstalled,
} from '../../lib/problems';
import type { Progress } from '../../lib/progress';
import type { Shell } from '../../lib/shell';
import {
  commandText,
  deleteClaimCommand,
  deleteNamespaceCommand,
  deletePodCommand,
  keptClaimCommand,
  podsLeftCommand,
  uninstallCommand,
} from './commands';
import { claimLabel, listReleaseObjects, strayReason } from './observe';
import type { TeardownOptions } from './options';

/** How the pod check tells time and waits between looks; tests replace it. */
export interface TeardownTiming {
  pollMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export interface TeardownRun {
  options: TeardownOptions;
  shell: Shell;
  progress: Progress;
  timing: TeardownTiming;
}

export function fail(progress: Progress, text: string): false {
  progress.line(`✖ ${text}`);
  return false;
}

export async function uninstallRelease({
  options,
  shell,
  progress,
}: TeardownRun): Promise<boolean> {
  const uninstall = uninstallCommand(options);
  const started = Date.now();
  const removed = await shell.run(uninstall.command, uninstall.args);
  if (removed.exitCode === 0) {
    progress.done(`helm uninstall ${options.release}`, started);
    return true;
  }
  if (removed.notFound) return fail(progress, toolNotInstalled('helm'));
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
 * Deletes the pods nothing owns (a failed `helm test` pod would stay forever), once each; the
 * garbage collector takes the others with their controllers.
 */
async function deleteStrayPods(
  { options, shell, progress }: TeardownRun,
  pods: KubeObject[],
  deleted: Set<string>,
): Promise<boolean> {
  for (const pod of pods.filter((p) => !p.owned && !p.terminating && !deleted.has(p.name))) {
    deleted.add(pod.name);
    const started = Date.now();
    const { command, args } = deletePodCommand(options, pod.name);
    const result = await shell.run(command, args);
    if (result.exitCode === 0) progress.done(`delete pod ${pod.name}`, started, strayReason(pod));
    else if (!/\(NotFound\)/.test(result.stderr))
      return fail(progress, `delete pod ${pod.name}: ${kubectlErrorLine(result)}`);
  }
  return true;
}

/** Waits until no pod of the release is left; leftovers at the timeout are named. */
export async function waitForPodsToGo(run: TeardownRun): Promise<boolean> {
  const { options, shell, progress, timing } = run;
  const started = Date.now();
  const deadline = timing.now() + durationMs(options.timeout);
  const deleted = new Set<string>();
  for (;;) {
    const listed = await listReleaseObjects(shell, options, 'pods');
    if ('error' in listed)
      return fail(
        progress,
        `could not check the pods of ${options.release} in ${options.namespace}: ${listed.error}`,
      );
    const pods = listed.items;
    if (pods.length === 0) {
      progress.done(`no pods of ${options.release} left in ${options.namespace}`, started);
      return true;
    }
    if (!(await deleteStrayPods(run, pods, deleted))) return false;
    if (timing.now() >= deadline) {
      const states = pods.map(
        (p) => `${p.name} (${p.terminating ? 'terminating' : (p.phase ?? 'phase unknown')})`,
      );
      return fail(
        progress,
        podsOutlivedTimeout(options, states, commandText(podsLeftCommand(options))),
      );
    }
    await timing.sleep(Math.min(timing.pollMs, Math.max(0, deadline - timing.now())));
  }
}

function keepClaims({ options, progress }: TeardownRun, claims: KubeObject[]): void {
  for (const claim of claims)
    progress.line(
      `- keep claim ${claimLabel(claim)} (keepData) — delete it later: ${commandText(keptClaimCommand(options, claim.name))}`,
    );
  progress.line(`! ${KEPT_DATA_NEEDS_PASSWORD}`);
}

async function deleteClaims(
  { options, shell, progress }: TeardownRun,
  claims: KubeObject[],
): Promise<boolean> {
  for (const claim of claims) {
    const started = Date.now();
    const { command, args } = deleteClaimCommand(options, claim.name);
    const result = await shell.run(command, args, {
      timeoutMs: durationMs(options.timeout) + 30_000,
    });
    if (result.exitCode !== 0 && !/\(NotFound\)/.test(result.stderr)) {
      progress.failed(`delete claim ${claimLabel(claim)}`, started, kubectlErrorLine(result));
      return false;
    }
    progress.done(`delete claim ${claimLabel(claim)}`, started);
  }
  return true;
}

/**
 * The StatefulSet's claims (its volumeClaimTemplates) survive helm uninstall: delete them and
 * say which, or (keepData) say which stay and how to remove them later.
 */
export async function removeClaims(run: TeardownRun): Promise<{ ok: boolean; kept: KubeObject[] }> {
  const { options, shell, progress } = run;
  const listed = await listReleaseObjects(shell, options, 'persistentvolumeclaims');
  if ('error' in listed) {
    fail(
      progress,
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
    keepClaims(run, claims);
    return { ok: true, kept: claims };
  }
  return { ok: await deleteClaims(run, claims), kept: [] };
}

export async function removeNamespace({ options, shell, progress }: TeardownRun): Promise<boolean> {
  const deleteNamespace = deleteNamespaceCommand(options);
  if (!deleteNamespace) return true;
  const started = Date.now();
  const deleted = await shell.run(deleteNamespace.command, deleteNamespace.args);
  if (deleted.exitCode === 0) progress.done(`delete namespace ${options.namespace}`, started);
  else if (/NotFound/.test(deleted.stderr))
    progress.skipped('delete namespace', `${options.namespace} does not exist`);
  else {
    progress.failed(`delete namespace ${options.namespace}`, started, kubectlErrorLine(deleted));
    return false;
  }
  return true;
}
