/**
 * `kubectl create secret generic --dry-run=client -o yaml | kubectl apply -f -`, with each value
 * in its own file (mode 0600, deleted afterwards) so that no value appears in argv or the output.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kubectlErrorLine } from '../../lib/kubectl';
import type { Masker } from '../../lib/mask';
import { createNamespaceFix, kubectlApplyFailed, toolNotInstalled } from '../../lib/problems';
import type { Shell } from '../../lib/shell';
import type { SecretsOptions } from './options';

type Outcome<T> = T | { problem: string };

function fromFiles(scratch: string, values: Record<string, string>): string[] {
  return Object.keys(values)
    .sort()
    .map((key) => {
      const file = path.join(scratch, key);
      writeFileSync(file, values[key], { mode: 0o600 });
      return `--from-file=${key}=${file}`;
    });
}

async function renderSecret(
  shell: Shell,
  masker: Masker,
  options: SecretsOptions,
  files: string[],
): Promise<Outcome<{ manifest: string }>> {
  const rendered = await shell.run('kubectl', [
    'create',
    'secret',
    'generic',
    options.name,
    '--namespace',
    options.namespace,
    ...files,
    '--dry-run=client',
    '-o',
    'yaml',
  ]);
  if (rendered.notFound) return { problem: toolNotInstalled('kubectl') };
  if (rendered.exitCode !== 0 || !/^kind: Secret$/m.test(rendered.stdout)) {
    const why =
      rendered.exitCode !== 0
        ? kubectlErrorLine(rendered)
        : `printed "${rendered.stdout.trim().slice(0, 80)}"`;
    return {
      problem: `kubectl create secret generic --dry-run=client did not render the Secret: ${masker.text(why)}`,
    };
  }
  // `creationTimestamp: null` (what client-side rendering writes) makes every apply a change:
  // kubectl 1.33 then says "configured" even when no value changed. Without it, "unchanged".
  return { manifest: rendered.stdout.replace(/^ {2}creationTimestamp: null\n/m, '') };
}

async function applySecret(
  shell: Shell,
  masker: Masker,
  options: SecretsOptions,
  manifest: string,
): Promise<Outcome<{ verb: 'created' | 'unchanged' | 'updated' }>> {
  const applied = await shell.run(
    'kubectl',
    ['--context', options.kubeContext, '--namespace', options.namespace, 'apply', '-f', '-'],
    { input: manifest },
  );
  if (applied.exitCode !== 0) {
    const reason = masker.text(kubectlErrorLine(applied));
    // kubectl: `Error from server (NotFound): error when creating "STDIN": namespaces "x" not found`
    const fix = /namespaces? "[^"]+" not found/.test(reason)
      ? createNamespaceFix(options.kubeContext, options.namespace)
      : undefined;
    return { problem: kubectlApplyFailed(reason, fix) };
  }
  if (/\bcreated\b/.test(applied.stdout)) return { verb: 'created' };
  return { verb: /\bunchanged\b/.test(applied.stdout) ? 'unchanged' : 'updated' };
}

/** Creates or updates the Secret; `masker` already knows every value. */
export async function writeSecret(
  shell: Shell,
  masker: Masker,
  options: SecretsOptions,
  values: Record<string, string>,
): Promise<Outcome<{ verb: 'created' | 'unchanged' | 'updated' }>> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'nx-deploy-secret-'));
  try {
    const rendered = await renderSecret(shell, masker, options, fromFiles(scratch, values));
    if ('problem' in rendered) return rendered;
    return await applySecret(shell, masker, options, rendered.manifest);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
