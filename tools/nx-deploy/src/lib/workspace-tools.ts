import { existsSync, mkdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import type { Shell } from './shell';
import type { ToolName } from './tools';

/**
 * Helm and kubectl as the workspace ships them: real binaries unpacked from npm packages by
 * tools/scripts/<tool>.sh (`--path` prints the binary). Used only when PATH has no such tool, so
 * that a fresh clone can preview a deploy before anything is installed; an installed tool wins.
 */
const WORKSPACE_TOOL_SCRIPTS: Partial<Record<ToolName, string[]>> = {
  helm: ['tools/scripts/helm.sh', '4'],
  kubectl: ['tools/scripts/kubectl.sh'],
};

/**
 * Puts the workspace's `name` on this process's PATH (a folder holding only that link, first),
 * so every later command — this executor's and the tools it starts — runs the same binary.
 * Returns the script that provided it, or undefined when there is none or it failed.
 */
export async function useWorkspaceTool(
  shell: Shell,
  name: ToolName,
  workspaceRoot: string,
): Promise<string | undefined> {
  const [script, ...args] = WORKSPACE_TOOL_SCRIPTS[name] ?? [];
  if (!script || !existsSync(path.join(workspaceRoot, script))) return undefined;
  const located = await shell.run('bash', [path.join(workspaceRoot, script), ...args, '--path'], {
    timeoutMs: 60_000,
  });
  const binary = located.stdout.trim();
  if (located.exitCode !== 0 || !binary) return undefined;
  const dir = path.join(path.dirname(binary), 'on-path');
  mkdirSync(dir, { recursive: true });
  // Made beside and renamed over, so that deploys started together never see a missing link.
  const staged = path.join(dir, `${name}.${process.pid}`);
  rmSync(staged, { force: true });
  symlinkSync(binary, staged);
  renameSync(staged, path.join(dir, name));
  const entries = (process.env.PATH ?? '').split(path.delimiter).filter((e) => e !== dir);
  process.env.PATH = [dir, ...entries].join(path.delimiter);
  return script;
}
