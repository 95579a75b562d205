import type { CommandResult } from './exec';

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
  docker: { command: 'docker', args: ['version', '--format', '{{.Client.Version}}'] },
  podman: { command: 'podman', args: ['version', '--format', '{{.Client.Version}}'] },
};

export const INSTALL_FIX: Record<ToolName, string> = {
  helm: 'install Helm 3.8+ or 4: https://helm.sh/docs/intro/install/',
  kubectl: 'install kubectl: https://kubernetes.io/docs/tasks/tools/',
  minikube: 'install minikube: https://minikube.sigs.k8s.io/docs/start/',
  kind: 'install kind: https://kind.sigs.k8s.io/docs/user/quick-start/#installation',
  docker: 'install Docker (apt-get install -y docker.io) or set CONTAINER_ENGINE=podman',
  podman: 'install Podman (apt-get install -y podman) or set CONTAINER_ENGINE=docker',
};

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
    : { name, found: true, error: `could not read a version from "${out.slice(0, 80)}"` };
}

export function majorVersion(version: string | undefined): number | undefined {
  const match = version?.match(/^v?(\d+)\./);
  return match ? Number(match[1]) : undefined;
}

/** One line per problem: what is wrong and how to fix it. */
export function toolProblem(status: ToolStatus): string | undefined {
  if (!status.found) return `${status.name} is not installed — ${INSTALL_FIX[status.name]}`;
  if (status.error)
    return `${status.name} does not answer (${status.error}) — ${INSTALL_FIX[status.name]}`;
  if (status.name === 'helm') {
    const major = majorVersion(status.version);
    if (major !== 3 && major !== 4) {
      return `helm ${status.version} is not supported — install Helm 3.8+ or 4: https://helm.sh/docs/intro/install/`;
    }
  }
  return undefined;
}
