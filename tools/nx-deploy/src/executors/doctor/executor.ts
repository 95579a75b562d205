import type { ExecutorContext } from '@nx/devkit';
import * as os from 'node:os';
import {
  execCommand,
  firstErrorLine,
  type CommandResult,
  type CommandRunner,
} from '../../lib/exec';
import { Masker } from '../../lib/mask';
import { OptionsError, resolveEngine } from '../../lib/options-error';
import { Progress, type LogLine } from '../../lib/progress';
import { observeTools } from '../../lib/observe';
import { Shell } from '../../lib/shell';
import { toolProblem, VERSION_COMMANDS, type ToolName, type ToolStatus } from '../../lib/tools';
import { readCurrentContext, wrongContextMessage } from '../../lib/kube-context';
import { kubectlErrorLine, parseKubeList } from '../teardown/kube-objects';
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
  /** The context the cluster probes used (the option, else the current one). */
  context?: string;
  /** `kubectl get nodes -o json`, read only when /readyz answered. */
  nodes?: CommandResult;
  host: { cpus: number; freeMemoryMiB: number };
}

export interface DoctorLine {
  status: 'ok' | 'problem' | 'warning';
  text: string;
}

const QUANTITY = /^(\d+(?:\.\d+)?)(?:e(\d+))?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const FACTORS: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A Kubernetes quantity ("2", "1500m", "3906Mi", "8G", "4e9") as a number; NaN if it is none. */
export function quantity(text: unknown): number {
  if (typeof text !== 'string') return NaN;
  const match = text.trim().match(QUANTITY);
  if (!match) return NaN;
  return Number(match[1]) * 10 ** Number(match[2] ?? 0) * FACTORS[match[3] ?? ''];
}

/** "minikube v1.35.0" — how a line about a tool's answer names the tool. */
function named(status: ToolStatus): string {
  return status.version ? `${status.name} ${status.version}` : `${status.name} (version unknown)`;
}

/** Short, one-line, quoted excerpt of what a tool printed. */
function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat ? `"${flat.length > 80 ? `${flat.slice(0, 80)}…` : flat}"` : 'nothing';
}

/** `minikube status -o json`: one object, or (several nodes) an array of them. */
function minikubeStatus(stdout: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(stdout) as unknown;
    const first = Array.isArray(parsed) ? (parsed[0] as unknown) : parsed;
    return first && typeof first === 'object' && !Array.isArray(first)
      ? (first as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The first node's allocatable CPUs and memory, or what is wrong with the answer. */
export function nodeAllocatable(
  stdout: string,
): { cpu: number; memoryMiB: number } | { problem: string } {
  const listed = parseKubeList(stdout);
  if ('problem' in listed) return { problem: listed.problem };
  let parsed: { items?: Array<{ status?: { allocatable?: Record<string, unknown> } }> };
  try {
    parsed = JSON.parse(stdout) as typeof parsed;
  } catch {
    return { problem: 'printed no JSON' };
  }
  const allocatable = parsed.items?.[0]?.status?.allocatable;
  if (!allocatable) return { problem: 'listed no node with status.allocatable' };
  const cpu = quantity(allocatable['cpu']);
  const memory = quantity(allocatable['memory']);
  if (!Number.isFinite(cpu) || !Number.isFinite(memory))
    return {
      problem: `gave allocatable cpu ${JSON.stringify(allocatable['cpu'])} and memory ${JSON.stringify(allocatable['memory'])}, which are no Kubernetes quantities`,
    };
  return { cpu, memoryMiB: memory / 2 ** 20 };
}

/** Turns the observation into one line per check, each problem with its fix. Pure. */
export function doctorReport(observation: DoctorObservation, options: DoctorOptions): DoctorLine[] {
  const lines: DoctorLine[] = [];
  const ok = (text: string) => lines.push({ status: 'ok', text });
  const problem = (text: string) => lines.push({ status: 'problem', text });
  const warning = (text: string) => lines.push({ status: 'warning', text });
  const tool = (name: ToolName): ToolStatus =>
    observation.tools.find((t) => t.name === name) ?? { name, found: false };
  const toolLine = (name: ToolName) => {
    const status = tool(name);
    const trouble = status.error?.startsWith('could not read a version')
      ? `${name}: "${[VERSION_COMMANDS[name].command, ...VERSION_COMMANDS[name].args].join(' ')}" printed no version (${status.error.replace(/^could not read a version from /, 'got ')}) — ${INSTALL_HINT[name]}`
      : toolProblem(status);
    if (trouble) problem(trouble);
    else
      ok(
        `${name} ${status.version}${status.workspaceScript ? ` (not on PATH: the workspace's own, from ${status.workspaceScript})` : ''}`,
      );
    return !trouble;
  };

  if (toolLine(options.engine)) {
    const daemon = observation.engineDaemon;
    const engine = named(tool(options.engine));
    if (daemon && daemon.exitCode !== 0) {
      problem(
        options.engine === 'docker'
          ? `docker's daemon does not answer (${firstErrorLine(daemon)}) — start it (systemctl start docker, or dockerd), or use CONTAINER_ENGINE=podman`
          : `podman does not work (${firstErrorLine(daemon)}) — see podman info`,
      );
    } else if (daemon && !daemon.stdout.trim()) {
      problem(
        `${engine}: "${options.engine} info" printed no server version — check: ${options.engine} info`,
      );
    } else if (daemon) {
      ok(`${options.engine} engine answers`);
    }
  }
  if (options.cluster !== 'any') toolLine(options.cluster);
  toolLine('kubectl');
  toolLine('helm');

  const start = `minikube start -p ${options.minikubeProfile} --cpus=${options.minCpus} --memory=${options.minMemoryMiB}`;
  if (options.cluster === 'minikube' && tool('minikube').found && observation.clusterStatus) {
    const result = observation.clusterStatus;
    const status = minikubeStatus(result.stdout);
    const host = typeof status?.['Host'] === 'string' ? status['Host'] : undefined;
    const apiServer = typeof status?.['APIServer'] === 'string' ? status['APIServer'] : undefined;
    if (host && host === 'Running' && apiServer === 'Running') {
      ok(`minikube profile ${options.minikubeProfile} is running`);
    } else if (host) {
      problem(
        `minikube profile ${options.minikubeProfile} is not running (host ${host}, API server ${apiServer ?? 'unknown'}) — start it: ${start}`,
      );
    } else if (result.exitCode !== 0) {
      // No status at all: `Profile "x" not found`, a stopped VM driver …
      problem(
        `minikube profile ${options.minikubeProfile} is not running (${firstErrorLine(result)}) — start it: ${start}`,
      );
    } else {
      problem(
        `${named(tool('minikube'))}: "minikube -p ${options.minikubeProfile} status -o json" printed ${excerpt(result.stdout)} where a status was expected — check: minikube -p ${options.minikubeProfile} status`,
      );
    }
  }
  if (options.cluster === 'kind' && tool('kind').found) {
    const clusters = (observation.clusterStatus?.stdout ?? '').split('\n').map((l) => l.trim());
    if (clusters.includes(options.kindCluster)) ok(`kind cluster ${options.kindCluster} exists`);
    else
      problem(
        `kind cluster ${options.kindCluster} does not exist — create it: kind create cluster --name ${options.kindCluster}`,
      );
  }
  if (tool('kubectl').found) {
    const kubectl = named(tool('kubectl'));
    const read = observation.currentContext
      ? readCurrentContext(observation.currentContext)
      : { current: undefined };
    if ('problem' in read) problem(read.problem);
    else if (!read.current && !options.kubeContext)
      problem('no current kube context — run: kubectl config use-context <context>');
    else if (options.kubeContext && read.current !== options.kubeContext)
      problem(wrongContextMessage(read.current, options.kubeContext, 'expected'));
    else ok(`kube context ${read.current}`);

    const ready = observation.clusterReady;
    if (ready && ready.exitCode === 0 && ready.stdout.trim() === 'ok')
      ok('cluster answers (/readyz ok)');
    else if (ready && ready.exitCode === 0)
      problem(
        `${kubectl}: "kubectl get --raw /readyz" printed ${excerpt(ready.stdout)} where "ok" was expected — check: kubectl --context ${observation.context} get --raw '/readyz?verbose'`,
      );
    else if (ready)
      problem(`cluster does not answer (${kubectlErrorLine(ready)}) — check: kubectl cluster-info`);

    const nodes = observation.nodes;
    if (nodes && nodes.exitCode !== 0) {
      warning(
        `cannot list the cluster's nodes (${kubectlErrorLine(nodes)}) — their CPU and memory are not checked`,
      );
    } else if (nodes) {
      const node = nodeAllocatable(nodes.stdout);
      if ('problem' in node) {
        problem(
          `${kubectl}: "kubectl get nodes -o json" ${node.problem} — check: kubectl --context ${observation.context} get nodes -o yaml`,
        );
      } else if (node.cpu >= options.minCpus && node.memoryMiB >= options.minMemoryMiB * 0.75) {
        ok(`cluster node allocatable: ${node.cpu} CPUs, ${Math.round(node.memoryMiB)} MiB`);
      } else {
        warning(
          `cluster node allocatable: ${node.cpu} CPUs, ${Math.round(node.memoryMiB)} MiB — the dev release asks up to 2 CPUs and 2 GiB in limits; recreate with minikube start --cpus=${options.minCpus} --memory=${options.minMemoryMiB}`,
        );
      }
    }
  }

  const { cpus, freeMemoryMiB } = observation.host;
  if (cpus >= options.minCpus) ok(`${cpus} CPUs on this machine`);
  else
    problem(
      `${cpus} CPU(s) on this machine, a local cluster needs ${options.minCpus} — use a bigger machine or VM`,
    );
  if (freeMemoryMiB >= options.minMemoryMiB) ok(`${Math.round(freeMemoryMiB)} MiB free memory`);
  else
    warning(
      `${Math.round(freeMemoryMiB)} MiB free memory, ${options.minMemoryMiB} MiB recommended — close programs or start minikube with --memory=${Math.max(2200, Math.floor(freeMemoryMiB * 0.8))}`,
    );
  return lines;
}

/** The part of lib/tools' install fix that follows the dash, for the doctor's own lines. */
const INSTALL_HINT: Record<ToolName, string> = {
  helm: 'reinstall Helm 3.8+ or 4: https://helm.sh/docs/intro/install/',
  kubectl: 'reinstall kubectl: https://kubernetes.io/docs/tasks/tools/',
  minikube: 'reinstall minikube: https://minikube.sigs.k8s.io/docs/start/',
  kind: 'reinstall kind: https://kind.sigs.k8s.io/docs/user/quick-start/#installation',
  docker: 'reinstall Docker, or set CONTAINER_ENGINE=podman',
  podman: 'reinstall Podman, or set CONTAINER_ENGINE=docker',
};

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
  const [tools, engineDaemon, clusterStatus, currentContext] = await Promise.all([
    observeTools(shell, toolNames, workspaceRoot),
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
  const current = readCurrentContext(currentContext);
  const context = options.kubeContext ?? ('current' in current ? current.current : undefined);
  let clusterReady: CommandResult | undefined;
  let nodes: CommandResult | undefined;
  if (context && !currentContext.notFound) {
    clusterReady = await shell.run(
      'kubectl',
      ['--context', context, '--request-timeout', '10s', 'get', '--raw', '/readyz'],
      { timeoutMs: 20_000 },
    );
    if (clusterReady.exitCode === 0)
      nodes = await shell.run(
        'kubectl',
        ['--context', context, '--request-timeout', '10s', 'get', 'nodes', '-o', 'json'],
        { timeoutMs: 20_000 },
      );
  }
  return {
    tools,
    engineDaemon: engineDaemon.notFound ? undefined : engineDaemon,
    clusterStatus: clusterStatus?.notFound ? undefined : clusterStatus,
    currentContext: currentContext.notFound ? undefined : currentContext,
    clusterReady,
    context,
    nodes,
    host: { cpus: os.cpus().length, freeMemoryMiB: os.freemem() / 1024 / 1024 },
  };
}

export async function runDoctor(
  options: DoctorOptions,
  runner: CommandRunner,
  write: LogLine,
  workspaceRoot?: string,
): Promise<{ success: boolean }> {
  const started = Date.now();
  const progress = new Progress(write, new Masker(), false);
  const observation = await observeDoctor(new Shell(runner, progress), options, workspaceRoot);
  const lines = doctorReport(observation, options);
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
  context: ExecutorContext,
) {
  try {
    return await runDoctor(
      normalizeDoctorOptions(options, process.env),
      execCommand,
      (line) => console.log(line),
      context.root,
    );
  } catch (error) {
    if (error instanceof OptionsError) {
      console.error(error.message);
      return { success: false };
    }
    throw error;
  }
}
