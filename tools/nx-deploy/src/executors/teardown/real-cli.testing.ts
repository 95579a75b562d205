/**
 * Test support: runs the real Helm 3/4 and kubectl 1.33 binaries on the command lines the
 * executors generate, against a cluster address that refuses at once (127.0.0.1:1), so that a
 * flag one of them does not know fails the test the way it would fail a user.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { realHelm, realKubectl } from '../../../test/harness';

export { realKubectl, refusingKubeconfig } from '../../../test/harness';

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
