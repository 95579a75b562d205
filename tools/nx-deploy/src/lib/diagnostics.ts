/**
 * Objects' states turned into one plain sentence each (the way Skaffold's status check reports
 * them), so a failed deploy says what went wrong before it shows any logs: pods, and the
 * Deployments, StatefulSets, claims and Services around them. Pure functions over kubectl JSON.
 */
import {
  claimNamesOf,
  count,
  isPodReady,
  isTerminating,
  newestReplicaSet,
  podsOfDeployment,
  podsOfReplicaSet,
  podsOfStatefulSet,
  selectorMatches,
  type ContainerStatus,
  type Deployment,
  type DiagnosisContext,
  type EndpointSlice,
  type KubeEvent,
  type PersistentVolumeClaim,
  type Pod,
  type ReleaseSnapshot,
  type Service,
  type StatefulSet,
  type StorageClass,
} from './kube';
import {
  claimClassMissing,
  claimLost,
  claimNotProvisioned,
  claimWaitsForConsumer,
  claimWithEmptyClass,
  claimWithoutClassOrVolume,
  claimWithoutDefaultClass,
  crashLoopOutOfMemory,
  imageNeverPulled,
  imagePullFailed,
  invalidImageName,
  killedOutOfMemory,
  type UnboundClaim,
} from './problems';

export type { KubeEvent, Pod } from './kube';

export interface PodDiagnosis {
  pod: string;
  failing: boolean;
  sentences: string[];
  /** Crashed containers' previous instance has the logs that explain the crash. */
  previousLogs: boolean;
  /** Containers whose logs explain the failure (they ran, or crashed); none for a Pending pod. */
  logContainers: Array<{ name: string; previous: boolean }>;
}

/** Waiting reasons that no amount of waiting fixes: the status check stops at once on these. */
export const UNRECOVERABLE_REASONS = [
  'ErrImageNeverPull',
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'CrashLoopBackOff',
];

function containerSentence(pod: Pod, status: ContainerStatus): string | undefined {
  const who = `container ${status.name}`;
  const waiting = status.state?.waiting;
  const lastTerminated = status.lastState?.terminated;
  const restarts = status.restartCount ?? 0;
  const spec = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find(
    (c) => c.name === status.name,
  );
  if (
    waiting?.reason === 'ImagePullBackOff' ||
    waiting?.reason === 'ErrImagePull' ||
    waiting?.reason === 'ErrImageNeverPull'
  ) {
    const image = spec?.image ?? status.image;
    if (waiting.reason === 'ErrImageNeverPull') return imageNeverPulled(who, image);
    return imagePullFailed(who, image, waiting.reason, spec?.imagePullPolicy === 'Always');
  }
  if (waiting?.reason === 'InvalidImageName')
    return invalidImageName(who, spec?.image ?? status.image);
  if (waiting?.reason === 'CrashLoopBackOff') {
    const exit = lastTerminated
      ? `; last exit: ${lastTerminated.reason ?? 'terminated'} with code ${lastTerminated.exitCode}`
      : '';
    if (lastTerminated?.reason === 'OOMKilled') return crashLoopOutOfMemory(who, restarts);
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
    if (terminated.reason === 'OOMKilled') return killedOutOfMemory(who);
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

function unboundClaims(pod: Pod, claims: PersistentVolumeClaim[]): string[] {
  return claimNamesOf(pod).filter((name) => {
    const claim = claims.find((c) => c.metadata.name === name);
    return !claim || claim.status?.phase !== 'Bound';
  });
}

/** The pod's problems, one sentence each; `claims` lets it name an unbound claim it waits for. */
export function diagnosePod(pod: Pod, claims: PersistentVolumeClaim[] = []): PodDiagnosis {
  const sentences: string[] = [];
  const statuses = [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ];
  const phase = pod.status?.phase;
  const waitingFor = phase === 'Pending' ? unboundClaims(pod, claims) : [];
  for (const name of waitingFor) {
    const claim = claims.find((c) => c.metadata.name === name);
    sentences.push(
      claim
        ? `pod is Pending: claim ${name} is not bound`
        : `pod is Pending: claim ${name} does not exist`,
    );
  }
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') {
    sentences.push(
      `pod can't be scheduled: ${scheduled.message ?? scheduled.reason ?? 'no node fits'}`,
    );
  }
  const logContainers: PodDiagnosis['logContainers'] = [];
  for (const status of statuses) {
    const sentence = containerSentence(pod, status);
    if (sentence) sentences.push(sentence);
    const crashed = (status.restartCount ?? 0) > 0 && !!status.lastState?.terminated;
    const ran = !!status.state?.running || !!status.state?.terminated || crashed;
    if (sentence && ran) logContainers.push({ name: status.name, previous: crashed });
  }
  if (pod.status?.reason === 'Evicted') {
    sentences.push(`pod was evicted: ${pod.status.message ?? 'the node ran short of a resource'}`);
  }
  const failing = !isPodReady(pod) && phase !== 'Succeeded';
  if (failing && sentences.length === 0) {
    sentences.push(`pod is ${phase ?? 'in an unknown phase'} and not ready`);
  }
  return {
    pod: pod.metadata.name,
    failing,
    sentences,
    previousLogs: logContainers.some((c) => c.previous),
    logContainers,
  };
}

/** The first unrecoverable state of a pod (see UNRECOVERABLE_REASONS), as its sentence. */
export function unrecoverable(pod: Pod): string | undefined {
  const statuses = [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ];
  const stuck = statuses.find((s) =>
    UNRECOVERABLE_REASONS.includes(s.state?.waiting?.reason ?? ''),
  );
  return stuck ? containerSentence(pod, stuck) : undefined;
}

/** A short phrase for the status check's waiting line: why this pod is not ready yet. */
export function podWaitingPhrase(pod: Pod, claims: PersistentVolumeClaim[]): string | undefined {
  if (isPodReady(pod) || isTerminating(pod.metadata)) return undefined;
  const name = `pod ${pod.metadata.name}`;
  const phase = pod.status?.phase ?? 'Pending';
  if (phase === 'Pending') {
    const claim = unboundClaims(pod, claims)[0];
    if (claim) return `${name} is Pending: claim ${claim} is not bound`;
    const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (scheduled?.status === 'False')
      return `${name} is Pending: ${scheduled.message ?? scheduled.reason ?? 'not scheduled'}`;
  }
  const statuses = [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ];
  for (const status of statuses) {
    const reason = status.state?.waiting?.reason;
    if (reason === 'ContainerCreating' || reason === 'PodInitializing')
      return `${name}: container ${status.name} is being created`;
    if (reason) return `${name}: container ${status.name} is ${reason}`;
    if (status.state?.running && status.ready === false)
      return `${name}: container ${status.name} is running, not ready yet`;
  }
  return `${name} is ${phase}`;
}

function lastEvent(
  events: KubeEvent[],
  kind: string,
  name: string,
  type?: string,
): KubeEvent | undefined {
  return sortEvents(
    events.filter(
      (e) =>
        e.involvedObject?.kind === kind &&
        e.involvedObject.name === name &&
        (!type || e.type === type),
    ),
  ).pop();
}

function when(event: KubeEvent): string {
  return String(
    event.series?.lastObservedTime ??
      event.lastTimestamp ??
      event.eventTime ??
      event.firstTimestamp ??
      '',
  );
}

function sortEvents(events: KubeEvent[]): KubeEvent[] {
  return [...events].sort((a, b) => when(a).localeCompare(when(b)));
}

/** A controller's long error, from its last "is invalid:" on: the part that says why. */
function lastClause(message: string): string {
  const at = message.lastIndexOf(' is invalid: ');
  return at >= 0 && message.length > 160 ? message.slice(at + ' is invalid: '.length) : message;
}

function clip(text: string, max = 240): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function reasonOf(condition: { reason?: string; message?: string } | undefined): string {
  if (!condition?.reason && !condition?.message) return '';
  return ` (${[condition.reason, condition.message].filter(Boolean).join(': ')})`;
}

/** "0/1 updated pods available" — the Deployment's newest ReplicaSet against what it wants. */
export function deploymentProgress(
  deployment: Deployment,
  snapshot: Pick<ReleaseSnapshot, 'replicaSets' | 'pods'>,
): string {
  const wanted = deployment.spec?.replicas ?? 1;
  const newest = newestReplicaSet(deployment, snapshot.replicaSets);
  const available = newest?.status?.availableReplicas ?? 0;
  const old = podsOfDeployment(deployment, snapshot).filter(
    (pod) =>
      !isTerminating(pod.metadata) && !(newest && podsOfReplicaSet(newest, [pod]).length > 0),
  ).length;
  return `${Math.min(available, wanted)}/${wanted} updated pods available${old > 0 ? `, ${count(old, 'old pod')} left` : ''}`;
}

export function statefulSetProgress(sts: StatefulSet): string {
  const wanted = sts.spec?.replicas ?? 1;
  const ready = sts.status?.readyReplicas ?? 0;
  const updated = sts.status?.updatedReplicas ?? 0;
  const rolling =
    sts.spec?.updateStrategy?.type !== 'OnDelete' &&
    !!sts.status?.updateRevision &&
    sts.status.updateRevision !== sts.status.currentRevision &&
    updated < wanted;
  return `${ready}/${wanted} ready${rolling ? `, ${updated}/${wanted} updated` : ''}`;
}

function podStates(pods: Pod[], claims: PersistentVolumeClaim[]): string {
  const phrases = pods
    .map((pod) => podWaitingPhrase(pod, claims))
    .filter((p): p is string => !!p)
    .slice(0, 2);
  return phrases.length ? ` — ${phrases.join('; ')}` : '';
}

export function deploymentSentence(
  deployment: Deployment,
  snapshot: ReleaseSnapshot,
  events: KubeEvent[],
): string | undefined {
  const name = deployment.metadata.name;
  const conditions = deployment.status?.conditions ?? [];
  const failure = conditions.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  if (failure) return `deployment ${name} can't create its pods${reasonOf(failure)}`;
  const progressing = conditions.find((c) => c.type === 'Progressing');
  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
    return `deployment ${name} exceeded its progress deadline: ${deploymentProgress(deployment, snapshot)}${reasonOf(progressing)}`;
  }
  if (rolledOutDeployment(deployment, snapshot)) return undefined;
  const unavailable = conditions.find((c) => c.type === 'Available' && c.status === 'False');
  const warning = unavailable ? undefined : lastEvent(events, 'Deployment', name, 'Warning');
  // Old pods may still serve (Available) while the new ones never get ready.
  const state = conditions.some((c) => c.type === 'Available' && c.status === 'True')
    ? 'has not rolled out'
    : 'is not available';
  return `deployment ${name} ${state}: ${deploymentProgress(deployment, snapshot)}${reasonOf(unavailable ?? warning)}`;
}

export function statefulSetSentence(
  sts: StatefulSet,
  snapshot: ReleaseSnapshot,
  events: KubeEvent[],
): string | undefined {
  if (rolledOutStatefulSet(sts)) return undefined;
  const name = sts.metadata.name;
  const pods = podsOfStatefulSet(sts, snapshot.pods);
  const warning = lastEvent(events, 'StatefulSet', name, 'Warning');
  const why =
    pods.length > 0
      ? podStates(pods, snapshot.claims)
      : warning
        ? ` — no pod yet${reasonOf(warning)}`
        : ' — no pod yet';
  return `statefulset ${name} is not ready: ${statefulSetProgress(sts)}${why}`;
}

/** Done the way `kubectl rollout status` means it: new spec seen, every pod updated and available, no old pod left. */
export function rolledOutDeployment(deployment: Deployment, snapshot: ReleaseSnapshot): boolean {
  const status = deployment.status ?? {};
  const wanted = deployment.spec?.replicas ?? 1;
  if ((status.observedGeneration ?? 0) < (deployment.metadata.generation ?? 0)) return false;
  const counts = [status.updatedReplicas, status.replicas, status.availableReplicas].map(
    (n) => n ?? 0,
  );
  if (counts.some((n) => n !== wanted)) return false;
  const newest = newestReplicaSet(deployment, snapshot.replicaSets);
  if (wanted > 0 && !newest) return false;
  const old = podsOfDeployment(deployment, snapshot).filter(
    (pod) =>
      !isTerminating(pod.metadata) && !(newest && podsOfReplicaSet(newest, [pod]).length > 0),
  );
  return old.length === 0;
}

export function rolledOutStatefulSet(sts: StatefulSet): boolean {
  const status = sts.status ?? {};
  const wanted = sts.spec?.replicas ?? 1;
  if ((status.observedGeneration ?? 0) < (sts.metadata.generation ?? 0)) return false;
  if ((status.readyReplicas ?? 0) !== wanted || (status.replicas ?? 0) !== wanted) return false;
  if (sts.spec?.updateStrategy?.type === 'OnDelete') return true;
  return (
    (!!status.updateRevision && status.updateRevision === status.currentRevision) ||
    (status.updatedReplicas ?? 0) === wanted
  );
}

function isDefaultClass(sc: StorageClass): boolean {
  const annotations = sc.metadata.annotations ?? {};
  return (
    annotations['storageclass.kubernetes.io/is-default-class'] === 'true' ||
    annotations['storageclass.beta.kubernetes.io/is-default-class'] === 'true'
  );
}

/** Which chart value sets a claim's storage class: `<component>.persistence.storageClass` by the chart's convention. */
function storageClassValue(claim: PersistentVolumeClaim): string {
  const component = claim.metadata.labels?.['app.kubernetes.io/component'];
  return component ? `${component}.persistence.storageClass` : "the claim's storageClassName";
}

export function claimSentence(
  claim: PersistentVolumeClaim,
  storageClasses: StorageClass[] | undefined,
  events: KubeEvent[],
): string | undefined {
  const phase = claim.status?.phase ?? 'Pending';
  if (phase === 'Bound') return undefined;
  const event = lastEvent(events, 'PersistentVolumeClaim', claim.metadata.name);
  const unbound: UnboundClaim = {
    name: claim.metadata.name,
    phase,
    value: storageClassValue(claim),
    lastEvent: event?.message ? ` (last event: ${event.message.trim()})` : '',
  };
  if (phase === 'Lost') return claimLost(unbound, claim.spec?.volumeName ?? '');
  const className = claim.spec?.storageClassName;
  if (className === undefined || className === null) {
    const fallback = storageClasses?.find(isDefaultClass);
    return storageClasses && !fallback
      ? claimWithoutDefaultClass(unbound)
      : claimWithoutClassOrVolume(unbound);
  }
  if (className === '') return claimWithEmptyClass(unbound);
  const sc = storageClasses?.find((s) => s.metadata.name === className);
  if (storageClasses && !sc) return claimClassMissing(unbound, className);
  if (sc?.volumeBindingMode === 'WaitForFirstConsumer')
    return claimWaitsForConsumer(unbound, className);
  return claimNotProvisioned(unbound, className, sc?.provisioner);
}

export function serviceSentence(
  service: Service,
  pods: Pod[],
  slices: EndpointSlice[],
  events: KubeEvent[] = [],
): string | undefined {
  const selector = service.spec?.selector;
  if (!selector || Object.keys(selector).length === 0 || service.spec?.type === 'ExternalName')
    return undefined;
  const name = service.metadata.name;
  const ownSlices = slices.filter(
    (slice) => slice.metadata.labels?.['kubernetes.io/service-name'] === name,
  );
  const readyAddresses = ownSlices.flatMap((slice) =>
    (slice.endpoints ?? []).filter((e) => e.conditions?.ready !== false && e.addresses?.length),
  );
  if (readyAddresses.length > 0) return undefined;
  const matching = pods.filter(
    (pod) => !isTerminating(pod.metadata) && selectorMatches(selector, pod.metadata.labels),
  );
  if (matching.length === 0) return `service ${name} has no endpoints: its selector matches no pod`;
  const ready = matching.filter(isPodReady).length;
  if (ready === 0)
    return `service ${name} has no endpoints: its selector matches ${count(matching.length, 'pod')}, none ready`;
  const warning = lastEvent(events, 'Service', name, 'Warning');
  const why = warning?.message
    ? ` (last event: ${warning.reason ? `${warning.reason}: ` : ''}${clip(lastClause(warning.message.trim()))})`
    : '';
  return `service ${name} has no endpoints although its selector matches ${count(ready, 'ready pod')} — no EndpointSlice lists them yet${why}`;
}

export interface ReleaseDiagnosis {
  /** Workloads, claims and Services: one sentence each. */
  problems: string[];
  /** Pods that are not ready, with their sentences. */
  pods: PodDiagnosis[];
}

/** Everything wrong with the release, one sentence per problem: workloads first, then claims, Services, pods. */
export function diagnoseRelease(
  snapshot: ReleaseSnapshot,
  context: DiagnosisContext,
): ReleaseDiagnosis {
  const problems = [
    ...snapshot.deployments.map((d) => deploymentSentence(d, snapshot, context.events)),
    ...snapshot.statefulSets.map((s) => statefulSetSentence(s, snapshot, context.events)),
    ...snapshot.claims.map((c) => claimSentence(c, context.storageClasses, context.events)),
    ...context.services.map((s) =>
      serviceSentence(s, snapshot.pods, context.endpointSlices, context.events),
    ),
  ].filter((s): s is string => !!s);
  const pods = snapshot.pods
    .filter((pod) => !isTerminating(pod.metadata))
    .map((pod) => diagnosePod(pod, snapshot.claims))
    .filter((d) => d.failing);
  return { problems, pods };
}

/** Warning events about a pod, oldest first, one line each with a repeat count. */
export function eventLines(events: KubeEvent[], podName: string): string[] {
  return sortEvents(
    events
      .filter((e) => e.involvedObject?.kind === 'Pod' && e.involvedObject.name === podName)
      .filter((e) => e.type === 'Warning'),
  ).map((e) => {
    const times = e.series?.count ?? e.count;
    return `${e.reason}: ${e.message?.trim()}${times && times > 1 ? ` (×${times})` : ''}`;
  });
}
