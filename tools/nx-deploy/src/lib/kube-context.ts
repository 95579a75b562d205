/**
 * The current-context guard of the teardown, secrets and doctor executors: each refuses to touch a cluster other than
 * the one its `kubeContext` option names, and says both ways out — switch kubectl's context, or
 * name the current one with the executor's own option.
 */
import { firstErrorLine, type CommandResult } from './exec';
import type { Shell } from './shell';

/**
 * One line: which context is current, which one the executor wants (`wants` reads after a
 * comma: `this teardown targets`, `expected`), and the two fixes. With no current context only
 * `use-context` helps: the option must name the current context, so there is nothing to pass.
 */
export function wrongContextMessage(
  current: string | undefined,
  target: string,
  wants: string,
): string {
  if (!current)
    return `no current kube context, ${wants} "${target}" — run: kubectl config use-context ${target}`;
  return `current kube context is "${current}", ${wants} "${target}" — run: kubectl config use-context ${target}, or pass --kubeContext=${current}`;
}

/** What `kubectl config current-context` answered: the context, none, or kubectl's own error. */
export function readCurrentContext(
  result: CommandResult,
): { current: string | undefined } | { problem: string } {
  if (result.notFound)
    return {
      problem:
        'kubectl is not installed — install kubectl: https://kubernetes.io/docs/tasks/tools/',
    };
  if (result.exitCode === 0) return { current: result.stdout.trim() || undefined };
  // kubectl's words when the kubeconfig has no current-context (or there is no kubeconfig).
  if (/current-context is not set/.test(result.stderr)) return { current: undefined };
  return {
    problem: `kubectl config current-context failed: ${firstErrorLine(result)} — check your kubeconfig (kubectl config view)`,
  };
}

/** undefined when the current context is `target`, else the one-line problem to print. */
export async function checkKubeContext(
  shell: Shell,
  target: string,
  wants: string,
): Promise<string | undefined> {
  const read = readCurrentContext(await shell.run('kubectl', ['config', 'current-context']));
  if ('problem' in read) return read.problem;
  return read.current === target ? undefined : wrongContextMessage(read.current, target, wants);
}
