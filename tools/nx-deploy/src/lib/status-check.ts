/**
 * The status check that replaces `helm --wait` (as Skaffold's does after its deploy): pure
 * functions over one poll of the release's workloads, pods and claims, deciding whether the
 * rollout is done, still progressing (and what it waits for), or stuck for good.
 */
import {
  deploymentProgress,
  deploymentSentence,
  podWaitingPhrase,
  rolledOutDeployment,
  rolledOutStatefulSet,
  statefulSetProgress,
  unrecoverable,
} from './diagnostics';
import {
  isPodReady,
  isTerminating,
  newestReplicaSet,
  podsOfReplicaSet,
  podsOfStatefulSet,
  podsOfDeployment,
  type ContainerSpec,
  type Deployment,
  type Pod,
  type ReleaseSnapshot,
  type Service,
  type StatefulSet,
} from './kube';

export interface RolloutAssessment {
  done: boolean;
  /** Set when waiting cannot help: the first unrecoverable problem, as one sentence. */
  fatal?: string;
  /** What the rollout waits for, e.g. "deployment/x 0/1 updated pods available — pod y is Pending: …". */
  waiting: string;
  /** When done: "deployment/x 1/1, statefulset/y 1/1". */
  summary: string;
}

/** The pods of the workload's current revision (the newest ReplicaSet, the StatefulSet's update revision). */
function currentPods(
  workload: { kind: 'Deployment'; d: Deployment } | { kind: 'StatefulSet'; s: StatefulSet },
  snapshot: ReleaseSnapshot,
): Pod[] {
  if (workload.kind === 'Deployment') {
    const newest = newestReplicaSet(workload.d, snapshot.replicaSets);
    const pods = newest
      ? podsOfReplicaSet(newest, snapshot.pods)
      : podsOfDeployment(workload.d, snapshot);
    return pods.filter((pod) => !isTerminating(pod.metadata));
  }
  const revision = workload.s.status?.updateRevision;
  const pods = podsOfStatefulSet(workload.s, snapshot.pods).filter(
    (pod) => !isTerminating(pod.metadata),
  );
  const updated = pods.filter(
    (pod) => pod.metadata.labels?.['controller-revision-hash'] === revision,
  );
  return revision && updated.length > 0 ? updated : pods;
}

export function assessRollout(snapshot: ReleaseSnapshot): RolloutAssessment {
  const waiting: string[] = [];
  const podPhrases: string[] = [];
  const summary: string[] = [];
  let fatal: string | undefined;
  const workloads = [
    ...snapshot.deployments.map((d) => ({ kind: 'Deployment' as const, d })),
    ...snapshot.statefulSets.map((s) => ({ kind: 'StatefulSet' as const, s })),
  ];
  for (const workload of workloads) {
    const meta = workload.kind === 'Deployment' ? workload.d : workload.s;
    // Until its controller has seen the new spec, the pods are the old revision's: not judged.
    const seen = (meta.status?.observedGeneration ?? 0) >= (meta.metadata.generation ?? 0);
    const pods = seen ? currentPods(workload, snapshot) : [];
    for (const pod of pods) {
      const sentence = unrecoverable(pod);
      if (sentence && !fatal) fatal = `pod ${pod.metadata.name}: ${sentence}`;
    }
    if (workload.kind === 'Deployment') {
      const d = workload.d;
      const wanted = d.spec?.replicas ?? 1;
      const conditions = d.status?.conditions ?? [];
      const stuck =
        conditions.some((c) => c.type === 'ReplicaFailure' && c.status === 'True') ||
        conditions.some(
          (c) =>
            c.type === 'Progressing' &&
            c.status === 'False' &&
            c.reason === 'ProgressDeadlineExceeded',
        );
      if (stuck && seen && !fatal) fatal = deploymentSentence(d, snapshot, []);
      if (rolledOutDeployment(d, snapshot)) {
        summary.push(`deployment/${d.metadata.name} ${wanted}/${wanted}`);
        continue;
      }
      waiting.push(
        `deployment/${d.metadata.name} ${seen ? deploymentProgress(d, snapshot) : 'new spec not yet seen by its controller'}`,
      );
    } else {
      const s = workload.s;
      const wanted = s.spec?.replicas ?? 1;
      if (rolledOutStatefulSet(s)) {
        summary.push(`statefulset/${s.metadata.name} ${wanted}/${wanted}`);
        continue;
      }
      waiting.push(
        `statefulset/${s.metadata.name} ${seen ? statefulSetProgress(s) : 'new spec not yet seen by its controller'}`,
      );
    }
    for (const pod of pods) {
      const phrase = podWaitingPhrase(pod, snapshot.claims);
      if (phrase) podPhrases.push(phrase);
    }
  }
  const detail = podPhrases.length ? ` — ${podPhrases.slice(0, 3).join('; ')}` : '';
  return {
    done: !fatal && waiting.length === 0,
    fatal,
    waiting: `${waiting.join('; ')}${detail}`,
    summary: summary.join(', ') || 'no Deployment or StatefulSet in the release',
  };
}

/**
 * The pods of the Deployment's newest ReplicaSet that are not being deleted: the new code. A
 * problem instead when the Deployment or its ReplicaSet does not exist (yet).
 */
export function podsOfNewestReplicaSet(
  snapshot: ReleaseSnapshot,
  deploymentName: string,
): { pods: Pod[]; replicaSet?: string; problem?: string } {
  const deployment = snapshot.deployments.find((d) => d.metadata.name === deploymentName);
  if (!deployment) {
    return { pods: [], problem: `deployment/${deploymentName} is not part of the release` };
  }
  const newest = newestReplicaSet(deployment, snapshot.replicaSets);
  if (!newest) return { pods: [], problem: `deployment/${deploymentName} has no ReplicaSet yet` };
  const hash = newest.metadata.labels?.['pod-template-hash'];
  const pods = podsOfReplicaSet(newest, snapshot.pods)
    .filter((p) => !isTerminating(p.metadata))
    .filter((p) => !hash || p.metadata.labels?.['pod-template-hash'] === hash)
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  return { pods, replicaSet: newest.metadata.name };
}

/** A Ready pod of the Deployment's newest ReplicaSet: the new code, not whichever endpoint a Service picks. */
export function podForReadyCheck(
  snapshot: ReleaseSnapshot,
  deploymentName: string,
): { pod?: Pod; problem?: string } {
  const newest = podsOfNewestReplicaSet(snapshot, deploymentName);
  if (newest.problem) return { problem: newest.problem };
  const pod = newest.pods.find(isPodReady);
  return pod
    ? { pod }
    : {
        problem: `no ready pod of deployment/${deploymentName}'s newest ReplicaSet ${newest.replicaSet}`,
      };
}

/**
 * The container port behind `servicePort` (a port name or number of the Service): the Service
 * port's targetPort, by number or by the name of a container port of the pod.
 */
export function containerPortFor(
  service: Service | undefined,
  servicePort: string,
  pod: Pod,
): { port?: number; problem?: string } {
  const containers: ContainerSpec[] = pod.spec?.containers ?? [];
  const named = (name: string) =>
    containers.flatMap((c) => c.ports ?? []).find((p) => p.name === name)?.containerPort;
  if (!service) {
    if (/^\d+$/.test(servicePort)) return { port: Number(servicePort) };
    const port = named(servicePort);
    return port
      ? { port }
      : {
          problem: `no Service to resolve port "${servicePort}" and no container port has that name`,
        };
  }
  const ports = service.spec?.ports ?? [];
  const entry = ports.find((p) => p.name === servicePort || String(p.port) === servicePort);
  if (!entry) {
    const known = ports.map((p) => p.name ?? String(p.port)).join(', ') || 'none';
    return {
      problem: `service ${service.metadata.name} has no port "${servicePort}" (its ports: ${known}) — fix the servicePort option`,
    };
  }
  const target = entry.targetPort ?? entry.port;
  if (typeof target === 'number') return { port: target };
  if (/^\d+$/.test(String(target))) return { port: Number(target) };
  const port = named(String(target));
  return port
    ? { port }
    : {
        problem: `service ${service.metadata.name} port "${servicePort}" targets "${target}", which no container of pod ${pod.metadata.name} declares`,
      };
}

/** "status ok (database ok, backend fail)" from a `{status, checks}` body; else its first characters. */
export function summarizeReadyBody(body: string): string {
  try {
    const parsed = JSON.parse(body) as {
      status?: unknown;
      checks?: Record<string, { status?: unknown; error?: unknown }>;
    };
    if (typeof parsed?.status !== 'string') throw new Error('no status');
    const checks = Object.entries(parsed.checks ?? {})
      .filter(([, check]) => typeof check === 'object' && check !== null)
      .map(
        ([name, check]) =>
          `${name} ${String(check.status ?? '?')}${check.error ? `: ${String(check.error)}` : ''}`,
      );
    return `status ${parsed.status}${checks.length ? ` (${checks.join(', ')})` : ''}`;
  } catch {
    const flat = body.replace(/\s+/g, ' ').trim();
    return flat ? `answered ${JSON.stringify(flat.slice(0, 80))}` : 'answered with an empty body';
  }
}
