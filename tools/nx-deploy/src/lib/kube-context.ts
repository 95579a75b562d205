/**
 * The kube context an executor acts on, asked the same way by all of them: which context is
 * current, and whether it answers. Teardown and secrets refuse to touch a cluster other than the
 * one their `kubeContext` option names, the doctor reports the same check, and deploy's preflight
 * reads the same probes.
 */
import { firstErrorLine, type CommandResult } from './exec';
import { kubectlArgs } from './kubectl';
import {
  kubeconfigUnreadable,
  noCurrentKubeContext,
  toolNotInstalled,
  wrongKubeContext,
} from './problems';
import type { Shell } from './shell';

/** What `kubectl config current-context` said. */
export interface CurrentContext {
  /** Undefined when none is set, or when kubectl could not tell. */
  current?: string;
  /** kubectl's own error line whenever it failed, "current-context is not set" included. */
  kubectlError?: string;
  /** Why kubectl could not tell, as a problem — fix line; unset when simply no context is set. */
  problem?: string;
}

/** Only the kubeconfig is read: no cluster is asked. The doctor keeps the answer as it is. */
export function askCurrentContext(shell: Shell): Promise<CommandResult> {
  return shell.run('kubectl', kubectlArgs.currentContext());
}

export function readCurrentContext(result: CommandResult): CurrentContext {
  if (result.notFound)
    return { kubectlError: firstErrorLine(result), problem: toolNotInstalled('kubectl') };
  if (result.exitCode === 0) return { current: result.stdout.trim() || undefined };
  const kubectlError = firstErrorLine(result);
  // kubectl's words when the kubeconfig has no current-context (or there is no kubeconfig).
  if (/current-context is not set/.test(result.stderr)) return { kubectlError };
  return { kubectlError, problem: kubeconfigUnreadable(kubectlError) };
}

export async function probeCurrentContext(shell: Shell): Promise<CurrentContext> {
  return readCurrentContext(await askCurrentContext(shell));
}

/**
 * undefined when a context is current and, with a `target`, it is that one; else the line to
 * print. `wants` reads after a comma: `this teardown targets`, `expected`.
 */
export function kubeContextProblem(
  read: CurrentContext,
  target?: { context: string; wants: string },
): string | undefined {
  if (read.problem) return read.problem;
  if (!read.current) return noCurrentKubeContext(target);
  if (target && read.current !== target.context)
    return wrongKubeContext(read.current, target.context, target.wants);
  return undefined;
}

/** The guard of the executors that change a cluster: undefined when `context` is current. */
export async function checkKubeContext(
  shell: Shell,
  context: string,
  wants: string,
): Promise<string | undefined> {
  return kubeContextProblem(await probeCurrentContext(shell), { context, wants });
}

/**
 * `kubectl get --raw /readyz` on `context`. The process gets twice the request's time, so a
 * server that does not answer is reported by kubectl's own words, not by a killed process.
 */
export function probeReadyz(
  shell: Shell,
  context: string,
  requestTimeoutSeconds = 10,
): Promise<CommandResult> {
  return shell.run('kubectl', kubectlArgs.readyz(context, `${requestTimeoutSeconds}s`), {
    timeoutMs: requestTimeoutSeconds * 2000,
  });
}

/** The context minikube and kind write for the cluster they run: the profile's name, kind-<name>. */
export function localClusterContext(
  cluster: string,
  names: { minikubeProfile: string; kindCluster: string },
): string | undefined {
  if (cluster === 'minikube') return names.minikubeProfile;
  if (cluster === 'kind') return `kind-${names.kindCluster}`;
  return undefined;
}
