import * as os from 'node:os';
import { createContainerEngine } from '../../lib/container-engine';
import type { CommandResult } from '../../lib/exec';
import { askCurrentContext, probeReadyz, readCurrentContext } from '../../lib/kube-context';
import { kubectlArgs } from '../../lib/kubectl';
import { observeTools } from '../../lib/observe';
import type { Shell } from '../../lib/shell';
import type { ToolName, ToolStatus } from '../../lib/tools';
import type { DoctorOptions } from './options';

/**
 * What the checks found, as the tools answered (the report judges it): tool versions, the
 * engine's daemon, the cluster, the host's resources. A tool that is not installed leaves its
 * answers undefined; its version status says so.
 */
export interface DoctorObservation {
  tools: ToolStatus[];
  engineDaemon?: CommandResult;
  clusterStatus?: CommandResult;
  currentContext?: CommandResult;
  clusterReady?: CommandResult;
  /** The context the cluster probes used (the option, else the current one). */
  context?: string;
  /** `kubectl get nodes -o json`, read only when /readyz answered. */
  nodes?: CommandResult;
  host: { cpus: number; freeMemoryMiB: number };
}

const installed = (result: CommandResult | undefined) => (result?.notFound ? undefined : result);

function engineDaemon(shell: Shell, engine: DoctorOptions['engine']): Promise<CommandResult> {
  const serverVersion = engine === 'docker' ? '{{.ServerVersion}}' : '{{.Version.Version}}';
  const info = createContainerEngine(engine).command(['info', '--format', serverVersion]);
  return shell.run(info.command, info.args, { env: info.env, timeoutMs: 20_000 });
}

/** minikube's status of the profile, or the kind clusters there are. */
async function localCluster(
  shell: Shell,
  options: DoctorOptions,
): Promise<CommandResult | undefined> {
  if (options.cluster === 'minikube')
    return shell.run('minikube', ['-p', options.minikubeProfile, 'status', '-o', 'json'], {
      timeoutMs: 30_000,
    });
  if (options.cluster === 'kind') return shell.run('kind', ['get', 'clusters']);
  return undefined;
}

/** /readyz, then (only when it answered) the nodes' allocatable resources. */
async function cluster(
  shell: Shell,
  context: string,
): Promise<Pick<DoctorObservation, 'clusterReady' | 'nodes'>> {
  const clusterReady = await probeReadyz(shell, context);
  if (clusterReady.exitCode !== 0) return { clusterReady };
  const nodes = await shell.run('kubectl', kubectlArgs.nodes(context, '10s'), {
    timeoutMs: 20_000,
  });
  return { clusterReady, nodes };
}

export async function observeDoctor(
  shell: Shell,
  options: DoctorOptions,
  workspaceRoot?: string,
): Promise<DoctorObservation> {
  const toolNames: ToolName[] = [
    options.engine,
    'kubectl',
    'helm',
    ...(options.cluster === 'any' ? [] : [options.cluster]),
  ];
  const [tools, daemon, clusterStatus, currentContext] = await Promise.all([
    observeTools(shell, toolNames, workspaceRoot),
    engineDaemon(shell, options.engine),
    localCluster(shell, options),
    askCurrentContext(shell),
  ]);
  const context = options.kubeContext ?? readCurrentContext(currentContext).current;
  return {
    tools,
    engineDaemon: installed(daemon),
    clusterStatus: installed(clusterStatus),
    currentContext: installed(currentContext),
    ...(context && !currentContext.notFound ? await cluster(shell, context) : {}),
    context,
    host: { cpus: os.cpus().length, freeMemoryMiB: os.freemem() / 1024 / 1024 },
  };
}
