/**
 * Every command line teardown runs or prints, so that the spec can give each to the real Helm
 * and kubectl. Pure.
 */
import { helmScope } from '../../lib/helm';
import { instanceSelector } from '../../lib/kube';
import { Masker } from '../../lib/mask';
import type { Command } from '../../lib/tools';
import type { TeardownOptions } from './options';

export type ReleaseKind = 'pods' | 'persistentvolumeclaims';

/** A command as a line tells a user to run it (quoted where a shell needs it). */
export function commandText({ command, args }: Command): string {
  return new Masker().command(command, args);
}

function kubectl(options: TeardownOptions, ...args: string[]): Command {
  return {
    command: 'kubectl',
    args: ['--context', options.kubeContext, '--namespace', options.namespace, ...args],
  };
}

/** `kubectl get <kind> -l app.kubernetes.io/instance=<release> -o json`. */
export function listCommand(options: TeardownOptions, kind: ReleaseKind): Command {
  return kubectl(
    options,
    'get',
    kind,
    '-l',
    instanceSelector(options.release),
    '-o',
    'json',
    '--request-timeout',
    '30s',
  );
}

/** What a user runs to look at the pods teardown waited for in vain. */
export function podsLeftCommand(options: TeardownOptions): Command {
  return kubectl(options, 'get', 'pods', '-l', instanceSelector(options.release));
}

/** Deletes one claim and waits (up to the timeout) until the API server has removed it. */
export function deleteClaimCommand(options: TeardownOptions, claim: string): Command {
  return kubectl(options, 'delete', 'persistentvolumeclaim', claim, `--timeout=${options.timeout}`);
}

/** What the dry run prints when it could not list the claims by name. */
export function deleteClaimsByLabelCommand(options: TeardownOptions): Command {
  return kubectl(
    options,
    'delete',
    'persistentvolumeclaim',
    '-l',
    instanceSelector(options.release),
    `--timeout=${options.timeout}`,
  );
}

/** What a user runs later to remove a claim teardown kept (keepData). */
export function keptClaimCommand(options: TeardownOptions, claim: string): Command {
  return kubectl(options, 'delete', 'persistentvolumeclaim', claim);
}

/** Starts the deletion of a pod no controller owns; the pod check then waits for it. */
export function deletePodCommand(options: TeardownOptions, pod: string): Command {
  return kubectl(options, 'delete', 'pod', pod, '--wait=false');
}

export function uninstallCommand(options: TeardownOptions): Command {
  return {
    command: 'helm',
    args: [
      'uninstall',
      options.release,
      '--wait',
      '--timeout',
      options.timeout,
      ...helmScope(options.namespace, options.kubeContext),
    ],
  };
}

/** Undefined unless deleteNamespace. */
export function deleteNamespaceCommand(options: TeardownOptions): Command | undefined {
  if (!options.deleteNamespace) return undefined;
  return {
    command: 'kubectl',
    args: [
      '--context',
      options.kubeContext,
      'delete',
      'namespace',
      options.namespace,
      `--timeout=${options.timeout}`,
    ],
  };
}

/** The helm uninstall, then (deleteNamespace) the namespace deletion. */
export function teardownCommands(options: TeardownOptions): Command[] {
  const deleteNamespace = deleteNamespaceCommand(options);
  return [uninstallCommand(options), ...(deleteNamespace ? [deleteNamespace] : [])];
}
