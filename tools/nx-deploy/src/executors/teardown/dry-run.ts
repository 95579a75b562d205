/**
 * --dryRun: the commands a teardown would run and what they would remove or keep, named from
 * read-only looks at the cluster; no cluster is no error here, the claims are then named by label.
 */
import { instanceSelector } from '../../lib/kube';
import type { KubeObject } from '../../lib/kube-objects';
import type { Progress } from '../../lib/progress';
import type { Command } from '../../lib/tools';
import {
  commandText,
  deleteClaimCommand,
  deleteClaimsByLabelCommand,
  deleteNamespaceCommand,
  deletePodCommand,
  keptClaimCommand,
  uninstallCommand,
} from './commands';
import { claimLabel, listReleaseObjects, strayReason } from './observe';
import type { TeardownOptions } from './options';
import type { TeardownRun } from './steps';

interface Found {
  /** Hook pods: the ones that outlive helm uninstall. */
  strays: KubeObject[];
  claims: KubeObject[];
  /** Why the claims could not be listed; they are then named by their label. */
  claimsUnlisted?: string;
}

function printCommands(options: TeardownOptions, progress: Progress, found: Found): void {
  const print = ({ command, args }: Command) => progress.commandLine(command, args);
  progress.line('teardown would run:');
  print(uninstallCommand(options));
  for (const pod of found.strays) print(deletePodCommand(options, pod.name));
  if (!options.keepData) {
    if (found.claimsUnlisted !== undefined) print(deleteClaimsByLabelCommand(options));
    for (const claim of found.claims) print(deleteClaimCommand(options, claim.name));
  }
  const deleteNamespace = deleteNamespaceCommand(options);
  if (deleteNamespace) print(deleteNamespace);
}

function printRemoved(options: TeardownOptions, progress: Progress, found: Found): void {
  const selector = instanceSelector(options.release);
  progress.line('teardown would remove:');
  progress.line(
    `  release ${options.release} from ${options.namespace} (context ${options.kubeContext}), then wait up to ${options.timeout} until no pod labelled ${selector} is left`,
  );
  for (const pod of found.strays) progress.line(`  pod ${pod.name}: ${strayReason(pod)}`);
  if (!options.keepData) {
    for (const claim of found.claims) progress.line(`  claim ${claimLabel(claim)} and its data`);
    if (found.claimsUnlisted !== undefined)
      progress.line(
        `  the claims labelled ${selector} and their data — not listed: ${found.claimsUnlisted}`,
      );
    else if (found.claims.length === 0)
      progress.line(`  no claims: ${options.release} has none in ${options.namespace}`);
  }
  if (options.deleteNamespace)
    progress.line(`  namespace ${options.namespace} and everything left in it`);
}

function printKept(options: TeardownOptions, progress: Progress, found: Found): void {
  if (!options.keepData || (found.claimsUnlisted === undefined && found.claims.length === 0))
    return;
  progress.line('teardown would keep (keepData):');
  if (found.claimsUnlisted !== undefined)
    progress.line(
      `  the claims labelled ${instanceSelector(options.release)} — not listed: ${found.claimsUnlisted}`,
    );
  for (const claim of found.claims)
    progress.line(
      `  claim ${claimLabel(claim)} — delete it later: ${commandText(keptClaimCommand(options, claim.name))}`,
    );
}

export async function printDryRun({ options, shell, progress }: TeardownRun) {
  const [pods, claims] = await Promise.all([
    listReleaseObjects(shell, options, 'pods'),
    listReleaseObjects(shell, options, 'persistentvolumeclaims'),
  ]);
  const found: Found = {
    strays: 'items' in pods ? pods.items.filter((p) => p.annotations['helm.sh/hook']) : [],
    claims: 'items' in claims ? claims.items : [],
    claimsUnlisted: 'error' in claims ? claims.error : undefined,
  };
  printCommands(options, progress, found);
  printRemoved(options, progress, found);
  printKept(options, progress, found);
  return { success: true };
}
