/**
 * Pod states turned into one plain sentence each (the way Skaffold's status check reports them),
 * so a failed rollout says what went wrong before it shows any logs.
 */
interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; exitCode?: number; message?: string };
}

interface ContainerStatus {
  name: string;
  image?: string;
  ready?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

export interface Pod {
  metadata: { name: string; deletionTimestamp?: string };
  spec?: { containers?: Array<{ name: string; image?: string; imagePullPolicy?: string }> };
  status?: {
    phase?: string;
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

export interface KubeEvent {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  involvedObject?: { kind?: string; name?: string };
  lastTimestamp?: string;
  eventTime?: string;
}

export interface PodDiagnosis {
  pod: string;
  failing: boolean;
  sentences: string[];
  /** Crashed containers' previous instance has the logs that explain the crash. */
  previousLogs: boolean;
}

function containerSentence(pod: Pod, status: ContainerStatus): string | undefined {
  const who = `container ${status.name}`;
  const waiting = status.state?.waiting;
  const lastTerminated = status.lastState?.terminated;
  const restarts = status.restartCount ?? 0;
  if (
    waiting?.reason === 'ImagePullBackOff' ||
    waiting?.reason === 'ErrImagePull' ||
    waiting?.reason === 'ErrImageNeverPull'
  ) {
    const policy = pod.spec?.containers?.find((c) => c.name === status.name)?.imagePullPolicy;
    const image = status.image ?? pod.spec?.containers?.find((c) => c.name === status.name)?.image;
    if (waiting.reason === 'ErrImageNeverPull') {
      return `${who}: image ${image} is not in the cluster and imagePullPolicy is Never — load it (minikube image load / kind load docker-image)`;
    }
    const hint =
      policy === 'Always'
        ? ' — a local image with imagePullPolicy Always: use IfNotPresent or Never, or push it to a registry'
        : ' — check the image name and tag, and that the cluster can reach the registry';
    return `${who}: image ${image} can't be pulled (${waiting.reason})${hint}`;
  }
  if (waiting?.reason === 'CrashLoopBackOff') {
    const exit = lastTerminated
      ? `; last exit: ${lastTerminated.reason ?? 'terminated'} with code ${lastTerminated.exitCode}`
      : '';
    if (lastTerminated?.reason === 'OOMKilled') {
      return `${who} keeps being killed for using more memory than its limit (OOMKilled, ${restarts} restarts) — raise resources.limits.memory or fix the leak`;
    }
    return `${who} keeps crashing and restarting (CrashLoopBackOff, ${restarts} restarts${exit})`;
  }
  if (
    waiting?.reason === 'CreateContainerConfigError' ||
    waiting?.reason === 'CreateContainerError'
  ) {
    return `${who} can't be created: ${waiting.message ?? waiting.reason}`;
  }
  if (
    waiting?.reason &&
    waiting.reason !== 'ContainerCreating' &&
    waiting.reason !== 'PodInitializing'
  ) {
    return `${who} is waiting: ${waiting.reason}${waiting.message ? ` — ${waiting.message}` : ''}`;
  }
  const terminated = status.state?.terminated;
  if (terminated) {
    if (terminated.reason === 'OOMKilled') {
      return `${who} was killed for using more memory than its limit (OOMKilled) — raise resources.limits.memory`;
    }
    if (terminated.exitCode !== 0)
      return `${who} terminated with exit code ${terminated.exitCode} (${terminated.reason ?? 'Error'})`;
  }
  if (lastTerminated?.reason === 'OOMKilled') {
    return `${who} was restarted after being killed for using more memory than its limit (OOMKilled)`;
  }
  if (status.state?.running && status.ready === false) {
    return restarts > 0
      ? `${who} is running but not ready, after restarting ${restarts} times — its probes fail`
      : `${who} is running but not ready — its readiness probe fails`;
  }
  if (waiting?.reason === 'ContainerCreating') return `${who} is still being created`;
  return undefined;
}

export function diagnosePod(pod: Pod): PodDiagnosis {
  const sentences: string[] = [];
  const statuses = [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ];
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') {
    sentences.push(
      `pod can't be scheduled: ${scheduled.message ?? scheduled.reason ?? 'no node fits'}`,
    );
  }
  for (const status of statuses) {
    const sentence = containerSentence(pod, status);
    if (sentence) sentences.push(sentence);
  }
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  const failing = !ready && pod.status?.phase !== 'Succeeded';
  if (failing && sentences.length === 0) {
    sentences.push(`pod is ${pod.status?.phase ?? 'in an unknown phase'} and not ready`);
  }
  return {
    pod: pod.metadata.name,
    failing,
    sentences,
    previousLogs: statuses.some((s) => (s.restartCount ?? 0) > 0 && !!s.lastState?.terminated),
  };
}

/** Warning events about a pod, newest last, one line each with a repeat count. */
export function eventLines(events: KubeEvent[], podName: string): string[] {
  return events
    .filter((e) => e.involvedObject?.kind === 'Pod' && e.involvedObject.name === podName)
    .filter((e) => e.type === 'Warning')
    .sort((a, b) =>
      String(a.lastTimestamp ?? a.eventTime).localeCompare(String(b.lastTimestamp ?? b.eventTime)),
    )
    .map(
      (e) => `${e.reason}: ${e.message?.trim()}${e.count && e.count > 1 ? ` (×${e.count})` : ''}`,
    );
}
