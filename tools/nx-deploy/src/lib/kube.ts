/**
 * The parts of Kubernetes objects the status check, the diagnosis and the doctor read, as
 * kubectl 1.33 prints them with `-o json`. Every field is optional: these are read from whatever
 * a server answered, and a missing field must never throw.
 */
export interface OwnerReference {
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  creationTimestamp?: string;
  deletionTimestamp?: string;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; exitCode?: number; message?: string };
}

export interface ContainerStatus {
  name: string;
  image?: string;
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

export interface ContainerSpec {
  name: string;
  image?: string;
  imagePullPolicy?: string;
  ports?: Array<{ name?: string; containerPort?: number; protocol?: string }>;
}

export interface Pod {
  kind?: string;
  metadata: ObjectMeta;
  spec?: {
    nodeName?: string;
    containers?: ContainerSpec[];
    initContainers?: ContainerSpec[];
    volumes?: Array<{ name: string; persistentVolumeClaim?: { claimName?: string } }>;
  };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    conditions?: Condition[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

export interface Deployment {
  kind?: string;
  metadata: ObjectMeta;
  spec?: { replicas?: number; paused?: boolean };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    conditions?: Condition[];
  };
}

export interface ReplicaSet {
  kind?: string;
  metadata: ObjectMeta;
  spec?: { replicas?: number };
  status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number };
}

export interface StatefulSet {
  kind?: string;
  metadata: ObjectMeta;
  spec?: { replicas?: number; updateStrategy?: { type?: string } };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    currentReplicas?: number;
    updatedReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
    conditions?: Condition[];
  };
}

export interface PersistentVolumeClaim {
  kind?: string;
  metadata: ObjectMeta;
  spec?: { storageClassName?: string | null; volumeName?: string };
  status?: { phase?: string };
}

export interface StorageClass {
  metadata: ObjectMeta;
  provisioner?: string;
  volumeBindingMode?: string;
}

export interface ServicePort {
  name?: string;
  port?: number;
  targetPort?: number | string;
  nodePort?: number;
}

export interface Service {
  kind?: string;
  metadata: ObjectMeta;
  spec?: {
    type?: string;
    clusterIP?: string;
    selector?: Record<string, string>;
    ports?: ServicePort[];
  };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } };
}

export interface EndpointSlice {
  kind?: string;
  metadata: ObjectMeta;
  endpoints?: Array<{ addresses?: string[]; conditions?: { ready?: boolean } }> | null;
}

export interface KubeEvent {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  involvedObject?: { kind?: string; name?: string };
  lastTimestamp?: string | null;
  eventTime?: string | null;
  firstTimestamp?: string | null;
  series?: { count?: number; lastObservedTime?: string };
}

/** What the status check polls: the release's workloads, their pods and their claims. */
export interface ReleaseSnapshot {
  deployments: Deployment[];
  replicaSets: ReplicaSet[];
  statefulSets: StatefulSet[];
  pods: Pod[];
  claims: PersistentVolumeClaim[];
}

/** Extra objects only the diagnosis reads. */
export interface DiagnosisContext {
  events: KubeEvent[];
  services: Service[];
  endpointSlices: EndpointSlice[];
  /** Undefined when they could not be read (cluster-scoped, maybe forbidden). */
  storageClasses?: StorageClass[];
}

function hasName(item: unknown): item is { kind?: unknown; metadata: ObjectMeta } {
  const meta = (item as { metadata?: { name?: unknown } } | null)?.metadata;
  return typeof meta?.name === 'string';
}

/** Sorts the items of `kubectl get deployments,replicasets,… -o json` by kind. */
export function snapshotFromItems(items: unknown[]): ReleaseSnapshot {
  const named = items.filter(hasName);
  const ofKind = <T>(kind: string) => named.filter((item) => item.kind === kind) as T[];
  return {
    deployments: ofKind<Deployment>('Deployment'),
    replicaSets: ofKind<ReplicaSet>('ReplicaSet'),
    statefulSets: ofKind<StatefulSet>('StatefulSet'),
    pods: ofKind<Pod>('Pod'),
    claims: ofKind<PersistentVolumeClaim>('PersistentVolumeClaim'),
  };
}

export function itemsOfKind<T>(items: unknown[], kind: string): T[] {
  return items.filter(hasName).filter((item) => item.kind === kind) as T[];
}

export const RELEASE_KINDS = 'deployments,replicasets,statefulsets,pods,persistentvolumeclaims';

export function instanceSelector(release: string): string {
  return `app.kubernetes.io/instance=${release}`;
}

/** The object's controller is `kind`/`name` (by uid when both sides have one). */
export function ownedBy(meta: ObjectMeta, kind: string, owner: ObjectMeta): boolean {
  return (meta.ownerReferences ?? []).some(
    (ref) =>
      ref.kind === kind &&
      ref.name === owner.name &&
      (ref.uid === undefined || owner.uid === undefined || ref.uid === owner.uid),
  );
}

export function isTerminating(meta: ObjectMeta): boolean {
  return !!meta.deletionTimestamp;
}

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

function revisionOf(meta: ObjectMeta): number {
  const n = Number(meta.annotations?.[REVISION_ANNOTATION]);
  return Number.isFinite(n) ? n : -1;
}

export function replicaSetsOf(deployment: Deployment, replicaSets: ReplicaSet[]): ReplicaSet[] {
  return replicaSets.filter((rs) => ownedBy(rs.metadata, 'Deployment', deployment.metadata));
}

/**
 * The Deployment's newest ReplicaSet: the one carrying the Deployment's own revision annotation,
 * else the highest revision. Undefined until the controller has created it.
 */
export function newestReplicaSet(
  deployment: Deployment,
  replicaSets: ReplicaSet[],
): ReplicaSet | undefined {
  const owned = replicaSetsOf(deployment, replicaSets);
  const wanted = deployment.metadata.annotations?.[REVISION_ANNOTATION];
  const exact = wanted
    ? owned.find((rs) => rs.metadata.annotations?.[REVISION_ANNOTATION] === wanted)
    : undefined;
  if (exact) return exact;
  return [...owned].sort((a, b) => revisionOf(b.metadata) - revisionOf(a.metadata))[0];
}

export function podsOfReplicaSet(rs: ReplicaSet, pods: Pod[]): Pod[] {
  return pods.filter((pod) => ownedBy(pod.metadata, 'ReplicaSet', rs.metadata));
}

export function podsOfDeployment(
  deployment: Deployment,
  snapshot: Pick<ReleaseSnapshot, 'replicaSets' | 'pods'>,
): Pod[] {
  return replicaSetsOf(deployment, snapshot.replicaSets).flatMap((rs) =>
    podsOfReplicaSet(rs, snapshot.pods),
  );
}

export function podsOfStatefulSet(sts: StatefulSet, pods: Pod[]): Pod[] {
  return pods.filter((pod) => ownedBy(pod.metadata, 'StatefulSet', sts.metadata));
}

export function claimNamesOf(pod: Pod): string[] {
  return (pod.spec?.volumes ?? [])
    .map((v) => v.persistentVolumeClaim?.claimName)
    .filter((name): name is string => typeof name === 'string');
}

export function selectorMatches(
  selector: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([key, value]) => labels?.[key] === value);
}

/** "1 pod", "2 pods". */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
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
