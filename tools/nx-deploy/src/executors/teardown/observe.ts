import { parseKubeList, type KubeObject } from '../../lib/kube-objects';
import { kubectlErrorLine } from '../../lib/kubectl';
import { kubectlAnswerUnusable, toolNotInstalled } from '../../lib/problems';
import type { Shell } from '../../lib/shell';
import { commandText, listCommand, type ReleaseKind } from './commands';
import type { TeardownOptions } from './options';

export type Listing = { items: KubeObject[] } | { error: string };

/** The release's objects of one kind, or one sentence saying why they could not be read. */
export async function listReleaseObjects(
  shell: Shell,
  options: TeardownOptions,
  kind: ReleaseKind,
): Promise<Listing> {
  const list = listCommand(options, kind);
  const result = await shell.run(list.command, list.args, { timeoutMs: 60_000 });
  if (result.notFound) return { error: toolNotInstalled('kubectl') };
  if (result.exitCode !== 0) return { error: kubectlErrorLine(result) };
  const parsed = parseKubeList(result.stdout);
  if ('problem' in parsed)
    return { error: kubectlAnswerUnusable(kind, parsed.problem, commandText(list)) };
  return parsed;
}

/** "data-todo-app-postgresql-0 (1Gi)": a claim is named with what deleting it loses. */
export function claimLabel(claim: KubeObject): string {
  return `${claim.name} (${claim.storage ?? 'size unknown'})`;
}

/** Why a pod outlives `helm uninstall`: Helm deletes its manifest, never its hooks' objects. */
export function strayReason(pod: KubeObject): string {
  const hook = pod.annotations['helm.sh/hook'];
  return hook
    ? `a helm "${hook}" hook pod, which helm uninstall leaves behind`
    : 'labelled with the release and owned by no controller';
}
