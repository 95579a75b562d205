import { firstErrorLine, type CommandResult } from '../../lib/exec';
import { kubeContextProblem, readCurrentContext } from '../../lib/kube-context';
import { nodeAllocatable } from '../../lib/kube-objects';
import { kubectlErrorLine } from '../../lib/kubectl';
import {
  CLUSTER_FIX,
  clusterNotAnswering,
  dockerDaemonDown,
  engineInfoWithoutVersion,
  kindClusterMissing,
  lowFreeMemory,
  minikubeNotRunning,
  minikubeStatusUnreadable,
  nodesNotListed,
  nodesUnreadable,
  nodeTooSmall,
  podmanNotWorking,
  readyzUnexpected,
  tooFewCpus,
  toolPrintedNoVersion,
} from '../../lib/problems';
import type { Progress } from '../../lib/progress';
import {
  toolProblem,
  UNREADABLE_VERSION,
  VERSION_COMMANDS,
  type ToolName,
  type ToolStatus,
} from '../../lib/tools';
import type { DoctorObservation } from './observe';
import type { DoctorOptions } from './options';

export interface DoctorLine {
  status: 'ok' | 'problem' | 'warning';
  text: string;
}

const ok = (text: string): DoctorLine => ({ status: 'ok', text });
const problem = (text: string): DoctorLine => ({ status: 'problem', text });
const warning = (text: string): DoctorLine => ({ status: 'warning', text });

function tool(observation: DoctorObservation, name: ToolName): ToolStatus {
  return observation.tools.find((t) => t.name === name) ?? { name, found: false };
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

function toolLine(status: ToolStatus): DoctorLine {
  const { command, args } = VERSION_COMMANDS[status.name];
  const trouble = status.error?.startsWith(UNREADABLE_VERSION)
    ? toolPrintedNoVersion(
        status.name,
        [command, ...args].join(' '),
        status.error.slice(UNREADABLE_VERSION.length),
      )
    : toolProblem(status);
  if (trouble) return problem(trouble);
  const fromWorkspace = status.workspaceScript
    ? ` (not on PATH: the workspace's own, from ${status.workspaceScript})`
    : '';
  return ok(`${status.name} ${status.version}${fromWorkspace}`);
}

/** The engine's version, then — only when the engine runs at all — whether its daemon answers. */
function engineLines(observation: DoctorObservation, options: DoctorOptions): DoctorLine[] {
  const status = tool(observation, options.engine);
  const version = toolLine(status);
  const daemon = observation.engineDaemon;
  if (version.status !== 'ok' || !daemon) return [version];
  if (daemon.exitCode !== 0) {
    const reason = firstErrorLine(daemon);
    const trouble =
      options.engine === 'docker' ? dockerDaemonDown(reason) : podmanNotWorking(reason);
    return [version, problem(trouble)];
  }
  if (!daemon.stdout.trim())
    return [version, problem(engineInfoWithoutVersion(named(status), options.engine))];
  return [version, ok(`${options.engine} engine answers`)];
}

function minikubeLine(
  result: CommandResult,
  minikube: ToolStatus,
  options: DoctorOptions,
): DoctorLine {
  const profile = options.minikubeProfile;
  const start = `minikube start -p ${profile} --cpus=${options.minCpus} --memory=${options.minMemoryMiB}`;
  const status = minikubeStatus(result.stdout);
  const field = (key: string) => (typeof status?.[key] === 'string' ? status[key] : undefined);
  const host = field('Host');
  const apiServer = field('APIServer');
  if (host === 'Running' && apiServer === 'Running')
    return ok(`minikube profile ${profile} is running`);
  if (host)
    return problem(
      minikubeNotRunning(profile, `host ${host}, API server ${apiServer ?? 'unknown'}`, start),
    );
  // No status at all: `Profile "x" not found`, a stopped VM driver …
  if (result.exitCode !== 0)
    return problem(minikubeNotRunning(profile, firstErrorLine(result), start));
  return problem(minikubeStatusUnreadable(named(minikube), profile, excerpt(result.stdout)));
}

function localClusterLines(observation: DoctorObservation, options: DoctorOptions): DoctorLine[] {
  const result = observation.clusterStatus;
  if (options.cluster === 'minikube' && tool(observation, 'minikube').found && result)
    return [minikubeLine(result, tool(observation, 'minikube'), options)];
  if (options.cluster === 'kind' && tool(observation, 'kind').found) {
    const clusters = (result?.stdout ?? '').split('\n').map((l) => l.trim());
    return [
      clusters.includes(options.kindCluster)
        ? ok(`kind cluster ${options.kindCluster} exists`)
        : problem(kindClusterMissing(options.kindCluster)),
    ];
  }
  return [];
}

function contextLine(observation: DoctorObservation, options: DoctorOptions): DoctorLine {
  const read = observation.currentContext ? readCurrentContext(observation.currentContext) : {};
  const target = options.kubeContext
    ? { context: options.kubeContext, wants: 'expected' }
    : undefined;
  const trouble = kubeContextProblem(read, target);
  return trouble ? problem(trouble) : ok(`kube context ${read.current}`);
}

function readyLine(ready: CommandResult, kubectl: string, context?: string): DoctorLine {
  if (ready.exitCode !== 0)
    return problem(clusterNotAnswering(kubectlErrorLine(ready), CLUSTER_FIX.checkCurrent));
  if (ready.stdout.trim() !== 'ok')
    return problem(readyzUnexpected(kubectl, excerpt(ready.stdout), context));
  return ok('cluster answers (/readyz ok)');
}

function nodesLine(
  nodes: CommandResult,
  kubectl: string,
  observation: DoctorObservation,
  options: DoctorOptions,
): DoctorLine {
  if (nodes.exitCode !== 0) return warning(nodesNotListed(kubectlErrorLine(nodes)));
  const node = nodeAllocatable(nodes.stdout);
  if ('problem' in node)
    return problem(nodesUnreadable(kubectl, node.problem, observation.context));
  // A node never has all of its memory allocatable: the kubelet and the system keep some.
  if (node.cpu >= options.minCpus && node.memoryMiB >= options.minMemoryMiB * 0.75)
    return ok(`cluster node allocatable: ${node.cpu} CPUs, ${Math.round(node.memoryMiB)} MiB`);
  return warning(nodeTooSmall(node, { cpus: options.minCpus, memoryMiB: options.minMemoryMiB }));
}

/** The context, whether the cluster answers and how big its node is: what kubectl can tell. */
function kubeLines(observation: DoctorObservation, options: DoctorOptions): DoctorLine[] {
  const kubectl = tool(observation, 'kubectl');
  if (!kubectl.found) return [];
  const { clusterReady, nodes, context } = observation;
  return [
    contextLine(observation, options),
    ...(clusterReady ? [readyLine(clusterReady, named(kubectl), context)] : []),
    ...(nodes ? [nodesLine(nodes, named(kubectl), observation, options)] : []),
  ];
}

function hostLines(
  { cpus, freeMemoryMiB }: DoctorObservation['host'],
  options: DoctorOptions,
): DoctorLine[] {
  return [
    cpus >= options.minCpus
      ? ok(`${cpus} CPUs on this machine`)
      : problem(tooFewCpus(cpus, options.minCpus)),
    freeMemoryMiB >= options.minMemoryMiB
      ? ok(`${Math.round(freeMemoryMiB)} MiB free memory`)
      : warning(lowFreeMemory(freeMemoryMiB, options.minMemoryMiB)),
  ];
}

/** Turns the observation into one line per check, each problem with its fix. Pure. */
export function doctorReport(observation: DoctorObservation, options: DoctorOptions): DoctorLine[] {
  return [
    ...engineLines(observation, options),
    ...(options.cluster === 'any' ? [] : [toolLine(tool(observation, options.cluster))]),
    toolLine(tool(observation, 'kubectl')),
    toolLine(tool(observation, 'helm')),
    ...localClusterLines(observation, options),
    ...kubeLines(observation, options),
    ...hostLines(observation.host, options),
  ];
}

const MARK: Record<DoctorLine['status'], string> = { ok: '✔', warning: '!', problem: '✖' };

/** Prints the lines and the verdict; true when nothing is a problem (warnings do not fail). */
export function printDoctorReport(
  progress: Progress,
  lines: DoctorLine[],
  started: number,
): boolean {
  for (const line of lines) progress.line(`${MARK[line.status]} ${line.text}`);
  const problems = lines.filter((l) => l.status === 'problem').length;
  const warnings = lines.filter((l) => l.status === 'warning').length;
  const note = warnings ? `${warnings} warning(s)` : undefined;
  if (problems === 0) progress.done('doctor: ready to deploy', started, note);
  else
    progress.failed('doctor', started, `${problems} problem(s) to fix${note ? `, ${note}` : ''}`);
  return problems === 0;
}
