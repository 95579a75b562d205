import type { ExecutorContext } from '@nx/devkit';
import * as os from 'node:os';
import {
  execCommand,
  firstErrorLine,
  type CommandResult,
  type CommandRunner,
} from '../../lib/exec';
import { Masker } from '../../lib/mask';
import { observeTools } from '../../lib/observe';
import { OptionsError, resolveEngine } from '../../lib/options-error';
import { Progress, type LogLine } from '../../lib/progress';
import { Shell } from '../../lib/shell';
import { majorVersion, toolProblem, type ToolName, type ToolStatus } from '../../lib/tools';
import type { DoctorExecutorSchema } from './schema';

export interface DoctorOptions {
  engine: 'docker' | 'podman';
  cluster: 'minikube' | 'kind' | 'any';
  minikubeProfile: string;
  kindCluster: string;
  kubeContext?: string;
  minCpus: number;
  minMemoryMiB: number;
}

export function normalizeDoctorOptions(
  options: DoctorExecutorSchema,
  env: NodeJS.ProcessEnv,
): DoctorOptions {
  const cluster = options.cluster ?? 'minikube';
  const minikubeProfile = options.minikubeProfile ?? 'minikube';
  const kindCluster = options.kindCluster ?? 'kind';
  const minCpus = options.minCpus ?? 2;
  const minMemoryMiB = options.minMemoryMiB ?? 4096;
  if (!Number.isInteger(minCpus) || minCpus < 1)
    throw new OptionsError('minCpus', 'must be a whole number, 1 or more');
  if (!Number.isInteger(minMemoryMiB) || minMemoryMiB < 256)
    throw new OptionsError('minMemoryMiB', 'must be a whole number, 256 or more');
  return {
    engine: resolveEngine(options.engine, env),
    cluster,
    minikubeProfile,
    kindCluster,
    kubeContext:
      options.kubeContext ??
      (cluster === 'minikube'
        ? minikubeProfile
        : cluster === 'kind'
          ? `kind-${kindCluster}`
          : undefined),
    minCpus,
    minMemoryMiB,
  };
}

/** What the checks found: tool versions, the engine's daemon, the cluster, the host's resources. */
export interface DoctorObservation {
  tools: ToolStatus[];
  engineDaemon?: CommandResult;
  clusterStatus?: CommandResult;
  currentContext?: CommandResult;
  clusterReady?: CommandResult;
  node?: { cpu: number; memoryMiB: number };
  host: { cpus: number; freeMemoryMiB: number };
}

export interface DoctorLine {
  status: 'ok' | 'problem' | 'warning';
  text: string;
}

function cpuQuantity(text: string): number {
  return text.endsWith('m') ? Number(text.slice(0, -1)) / 1000 : Number(text);
}

function memoryMiB(text: string): number {
  const match = text.match(/^(\d+)(Ki|Mi|Gi)?$/);
  if (!match) return NaN;
  const n = Number(match[1]);
  return match[2] === 'Ki'
    ? n / 1024
    : match[2] === 'Gi'
      ? n * 1024
      : match[2] === 'Mi'
        ? n
        : n / 1024 / 1024;
}

/** Turns the observation into one line per check, each problem with its fix. Pure. */
export function doctorReport(observation: DoctorObservation, options: DoctorOptions): DoctorLine[] {
  const lines: DoctorLine[] = [];
  const tool = (name: ToolName) =>
    observation.tools.find((t) => t.name === name) ?? { name, found: false };
  const toolLine = (name: ToolName, note = '') => {
    const status = tool(name);
    const problem = toolProblem(status);
    lines.push(
      problem
        ? { status: 'problem', text: problem }
        : { status: 'ok', text: `${name} ${status.version}${note}` },
    );
    return !problem;
  };

  if (toolLine(options.engine)) {
    const daemon = observation.engineDaemon;
    if (daemon && daemon.exitCode !== 0) {
      lines.push({
        status: 'problem',
        text:
          options.engine === 'docker'
            ? `docker's daemon does not answer (${firstErrorLine(daemon)}) — start it (systemctl start docker, or dockerd), or use CONTAINER_ENGINE=podman`
            : `podman does not work (${firstErrorLine(daemon)}) — see podman info`,
      });
    } else if (daemon) {
      lines.push({ status: 'ok', text: `${options.engine} engine answers` });
    }
  }
  if (options.cluster !== 'any') toolLine(options.cluster);
  toolLine('kubectl');
  const helmMajor = majorVersion(tool('helm').version);
  toolLine(
    'helm',
    helmMajor ? ` (deploy uses ${helmMajor >= 4 ? '--rollback-on-failure' : '--atomic'})` : '',
  );

  if (options.cluster === 'minikube' && tool('minikube').found) {
    const status = observation.clusterStatus;
    let parsed: Record<string, string> = {};
    try {
      parsed = JSON.parse(status?.stdout || '{}') as Record<string, string>;
    } catch {
      parsed = {};
    }
    const running = parsed['Host'] === 'Running' && parsed['APIServer'] === 'Running';
    lines.push(
      running
        ? { status: 'ok', text: `minikube profile ${options.minikubeProfile} is running` }
        : {
            status: 'problem',
            text: `minikube profile ${options.minikubeProfile} is not running (host ${parsed['Host'] ?? 'unknown'}, API server ${parsed['APIServer'] ?? 'unknown'}) — start it: minikube start -p ${options.minikubeProfile} --cpus=${options.minCpus} --memory=${options.minMemoryMiB}`,
          },
    );
  }
  if (options.cluster === 'kind' && tool('kind').found) {
    const clusters = (observation.clusterStatus?.stdout ?? '').split('\n').map((l) => l.trim());
    lines.push(
      clusters.includes(options.kindCluster)
        ? { status: 'ok', text: `kind cluster ${options.kindCluster} exists` }
        : {
            status: 'problem',
            text: `kind cluster ${options.kindCluster} does not exist — create it: kind create cluster --name ${options.kindCluster}`,
          },
    );
  }
  if (tool('kubectl').found) {
    const current = observation.currentContext;
    const name = current?.exitCode === 0 ? current.stdout.trim() : undefined;
    if (!name) {
      lines.push({
        status: 'problem',
        text: `no current kube context — run: kubectl config use-context ${options.kubeContext ?? '<context>'}`,
      });
    } else if (options.kubeContext && name !== options.kubeContext) {
      lines.push({
        status: 'problem',
        text: `current kube context is "${name}", expected "${options.kubeContext}" — run: kubectl config use-context ${options.kubeContext}`,
      });
    } else {
      lines.push({ status: 'ok', text: `kube context ${name}` });
    }
    const ready = observation.clusterReady;
    if (ready && ready.exitCode === 0)
      lines.push({ status: 'ok', text: 'cluster answers (/readyz ok)' });
    else if (ready)
      lines.push({
        status: 'problem',
        text: `cluster does not answer (${firstErrorLine(ready)}) — check: kubectl cluster-info`,
      });
  }

  const { cpus, freeMemoryMiB } = observation.host;
  lines.push(
    cpus >= options.minCpus
      ? { status: 'ok', text: `${cpus} CPUs on this machine` }
      : {
          status: 'problem',
          text: `${cpus} CPU(s) on this machine, a local cluster needs ${options.minCpus} — use a bigger machine or VM`,
        },
  );
  lines.push(
    freeMemoryMiB >= options.minMemoryMiB
      ? { status: 'ok', text: `${Math.round(freeMemoryMiB)} MiB free memory` }
      : {
          status: 'warning',
          text: `${Math.round(freeMemoryMiB)} MiB free memory, ${options.minMemoryMiB} MiB recommended — close programs or start minikube with --memory=${Math.max(2200, Math.floor(freeMemoryMiB * 0.8))}`,
        },
  );
  if (observation.node) {
    const { cpu, memoryMiB: nodeMemory } = observation.node;
    lines.push(
      cpu >= options.minCpus && nodeMemory >= options.minMemoryMiB * 0.75
        ? {
            status: 'ok',
            text: `cluster node allocatable: ${cpu} CPUs, ${Math.round(nodeMemory)} MiB`,
          }
        : {
            status: 'warning',
            text: `cluster node allocatable: ${cpu} CPUs, ${Math.round(nodeMemory)} MiB — the dev release asks up to 2 CPUs and 2 GiB in limits; recreate with minikube start --cpus=${options.minCpus} --memory=${options.minMemoryMiB}`,
          },
    );
  }
  return lines;
}

export async function observeDoctor(
  shell: Shell,
  options: DoctorOptions,
): Promise<DoctorObservation> {
  const toolNames: ToolName[] = [
    options.engine,
    'kubectl',
    'helm',
    ...(options.cluster === 'any' ? [] : [options.cluster]),
  ];
  const [tools, engineDaemon, clusterStatus, currentContext] = await Promise.all([
    observeTools(shell, toolNames),
    shell.run(
      options.engine,
      [
        'info',
        '--format',
        options.engine === 'docker' ? '{{.ServerVersion}}' : '{{.Version.Version}}',
      ],
      { timeoutMs: 20_000 },
    ),
    options.cluster === 'minikube'
      ? shell.run('minikube', ['-p', options.minikubeProfile, 'status', '-o', 'json'], {
          timeoutMs: 30_000,
        })
      : options.cluster === 'kind'
        ? shell.run('kind', ['get', 'clusters'])
        : Promise.resolve(undefined),
    shell.run('kubectl', ['config', 'current-context']),
  ]);
  const context =
    options.kubeContext ??
    (currentContext.exitCode === 0 ? currentContext.stdout.trim() : undefined);
  let clusterReady: CommandResult | undefined;
  let node: DoctorObservation['node'];
  if (context && !currentContext.notFound) {
    clusterReady = await shell.run(
      'kubectl',
      ['--context', context, '--request-timeout', '10s', 'get', '--raw', '/readyz'],
      { timeoutMs: 20_000 },
    );
    if (clusterReady.exitCode === 0) {
      const nodes = await shell.run('kubectl', [
        '--context',
        context,
        'get',
        'nodes',
        '-o',
        'json',
      ]);
      try {
        const allocatable = (
          JSON.parse(nodes.stdout) as {
            items: Array<{ status: { allocatable: { cpu: string; memory: string } } }>;
          }
        ).items[0]?.status.allocatable;
        if (allocatable)
          node = { cpu: cpuQuantity(allocatable.cpu), memoryMiB: memoryMiB(allocatable.memory) };
      } catch {
        node = undefined;
      }
    }
  }
  return {
    tools,
    engineDaemon: engineDaemon.notFound ? undefined : engineDaemon,
    clusterStatus,
    currentContext: currentContext.notFound ? undefined : currentContext,
    clusterReady,
    node,
    host: { cpus: os.cpus().length, freeMemoryMiB: os.freemem() / 1024 / 1024 },
  };
}

export async function runDoctor(
  options: DoctorOptions,
  runner: CommandRunner,
  write: LogLine,
): Promise<{ success: boolean }> {
  const started = Date.now();
  const progress = new Progress(write, new Masker(), false);
  const lines = doctorReport(await observeDoctor(new Shell(runner, progress), options), options);
  for (const line of lines)
    progress.line(
      `${line.status === 'ok' ? '✔' : line.status === 'warning' ? '!' : '✖'} ${line.text}`,
    );
  const problems = lines.filter((l) => l.status === 'problem').length;
  const warnings = lines.filter((l) => l.status === 'warning').length;
  const note = warnings ? `${warnings} warning(s)` : undefined;
  if (problems === 0) progress.done('doctor: ready to deploy', started, note);
  else
    progress.failed('doctor', started, `${problems} problem(s) to fix${note ? `, ${note}` : ''}`);
  return { success: problems === 0 };
}

export default async function doctorExecutor(
  options: DoctorExecutorSchema,
  _context: ExecutorContext,
) {
  try {
    return await runDoctor(normalizeDoctorOptions(options, process.env), execCommand, (line) =>
      console.log(line),
    );
  } catch (error) {
    if (error instanceof OptionsError) {
      console.error(error.message);
      return { success: false };
    }
    throw error;
  }
}
