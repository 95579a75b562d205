import { createContainerEngine } from './container-engine';
import type { CommandResult } from './exec';
import { helmUnsupported, toolNotAnswering, toolNotInstalled } from './problems';

export type ToolName = 'helm' | 'kubectl' | 'minikube' | 'kind' | 'docker' | 'podman';

export interface ToolStatus {
  name: ToolName;
  found: boolean;
  version?: string;
  /** The tool exists but its version command failed (e.g. a daemon that does not answer). */
  error?: string;
  /** Not on PATH: the workspace's own binary, provided by this script, is used instead. */
  workspaceScript?: string;
}

export interface Command {
  command: string;
  args: string[];
}

export const VERSION_COMMANDS: Record<ToolName, Command> = {
  helm: { command: 'helm', args: ['version', '--template', '{{.Version}}'] },
  kubectl: { command: 'kubectl', args: ['version', '--client', '-o', 'json'] },
  minikube: { command: 'minikube', args: ['version', '--short'] },
  kind: { command: 'kind', args: ['version'] },
  docker: withoutEnv(createContainerEngine('docker', {}).version()),
  podman: withoutEnv(createContainerEngine('podman', {}).version()),
};

function withoutEnv({ command, args }: Command): Command {
  return { command, args };
}

/** How a status's error starts when the version command ran but printed no version. */
export const UNREADABLE_VERSION = 'could not read a version from ';

/** Reads a tool's version from the output of its VERSION_COMMANDS entry. */
export function parseToolVersion(name: ToolName, result: CommandResult): ToolStatus {
  if (result.notFound) return { name, found: false };
  if (result.exitCode !== 0) {
    const line = `${result.stderr}\n${result.stdout}`.split('\n').find((l) => l.trim()) ?? '';
    return { name, found: true, error: line.trim() || `exit code ${result.exitCode}` };
  }
  const out = result.stdout.trim();
  let version: string | undefined;
  if (name === 'kubectl') {
    try {
      version = (JSON.parse(out) as { clientVersion?: { gitVersion?: string } }).clientVersion
        ?.gitVersion;
    } catch {
      version = undefined;
    }
  } else {
    version = out.match(/v?\d+\.\d+(\.\d+)?[^\s]*/)?.[0];
  }
  return version
    ? { name, found: true, version }
    : { name, found: true, error: `${UNREADABLE_VERSION}"${out.slice(0, 80)}"` };
}

export function majorVersion(version: string | undefined): number | undefined {
  const match = version?.match(/^v?(\d+)\./);
  return match ? Number(match[1]) : undefined;
}

/** The Helm major version every helm command line is built for; 3 until `helm version` says. */
export function helmMajorOf(tools: ToolStatus[]): number {
  return majorVersion(tools.find((t) => t.name === 'helm')?.version) ?? 3;
}

/** What keeps a tool from being used, as a problem — fix line (lib/problems); undefined: usable. */
export function toolProblem(status: ToolStatus): string | undefined {
  if (!status.found) return toolNotInstalled(status.name);
  if (status.error) return toolNotAnswering(status.name, status.error);
  if (status.name === 'helm') {
    const major = majorVersion(status.version);
    if (major !== 3 && major !== 4) return helmUnsupported(status.version);
  }
  return undefined;
}
