/**
 * Every "problem — fix" line the executors print, in one place (as Skaffold's errors.go keeps its
 * suggestions): what is wrong, a dash, then the command or change that fixes it. Each message is a
 * named function or constant, so a test or a doc can point at the message it means; the callers
 * only decide which one applies.
 */
import type { ToolName } from './tools';

// Tools

/** How to get each tool; a broken one is "re"installed the same way. */
export const INSTALL_FIX: Record<ToolName, string> = {
  helm: 'install Helm 3.8+ or 4: https://helm.sh/docs/intro/install/',
  kubectl: 'install kubectl: https://kubernetes.io/docs/tasks/tools/',
  minikube: 'install minikube: https://minikube.sigs.k8s.io/docs/start/',
  kind: 'install kind: https://kind.sigs.k8s.io/docs/user/quick-start/#installation',
  docker: 'install Docker (apt-get install -y docker.io) or set CONTAINER_ENGINE=podman',
  podman: 'install Podman (apt-get install -y podman) or set CONTAINER_ENGINE=docker',
};

export function toolNotInstalled(name: ToolName): string {
  return `${name} is not installed — ${INSTALL_FIX[name]}`;
}

/** The tool exists but its version command failed (a daemon that does not answer, a bad binary). */
export function toolNotAnswering(name: ToolName, error: string): string {
  return `${name} does not answer (${error}) — ${INSTALL_FIX[name]}`;
}

export function helmUnsupported(version: string | undefined): string {
  return `helm ${version} is not supported — ${INSTALL_FIX.helm}`;
}

/** The version command ran and printed something that holds no version: the binary is broken. */
export function toolPrintedNoVersion(name: ToolName, command: string, printed: string): string {
  return `${name}: "${command}" printed no version (got ${printed}) — re${INSTALL_FIX[name]}`;
}

// Container engine

export function dockerDaemonDown(reason: string): string {
  return `docker's daemon does not answer (${reason}) — start it (systemctl start docker, or dockerd), or use CONTAINER_ENGINE=podman`;
}

export function podmanNotWorking(reason: string): string {
  return `podman does not work (${reason}) — see podman info`;
}

/** `engineLabel` names the engine with its version ("docker 28.2.2"). */
export function engineInfoWithoutVersion(engineLabel: string, engine: 'docker' | 'podman'): string {
  return `${engineLabel}: "${engine} info" printed no server version — check: ${engine} info`;
}

// Local cluster

/** `state` says what minikube reported: "host Stopped, API server Stopped", or its error line. */
export function minikubeNotRunning(profile: string, state: string, startCommand: string): string {
  return `minikube profile ${profile} is not running (${state}) — start it: ${startCommand}`;
}

/** `printed` is an excerpt of the answer ("nothing", or a quoted line). */
export function minikubeStatusUnreadable(
  minikubeLabel: string,
  profile: string,
  printed: string,
): string {
  return `${minikubeLabel}: "minikube -p ${profile} status -o json" printed ${printed} where a status was expected — check: minikube -p ${profile} status`;
}

export function kindClusterMissing(name: string): string {
  return `kind cluster ${name} does not exist — create it: kind create cluster --name ${name}`;
}

// Kube context and cluster

/**
 * The current context is not the one the executor acts on. `wants` reads after a comma (`this
 * teardown targets`, `expected`); `startFirst` is said right after the use-context command when
 * that context may need starting (" (start it first: minikube start -p minikube)"). Both ways
 * out are named: switch kubectl's context, or name the current one with the option.
 */
export function wrongKubeContext(
  current: string,
  target: string,
  wants: string,
  startFirst = '',
): string {
  return `current kube context is "${current}", ${wants} "${target}" — run: kubectl config use-context ${target}${startFirst}, or pass --kubeContext=${current}`;
}

/**
 * kubectl has no current context. With a `target` only `use-context` helps: the option must name
 * the current context, so there is nothing to pass. `kubectlSaid` is kubectl's own error line.
 */
export function noCurrentKubeContext(
  target?: { context: string; wants?: string },
  kubectlSaid?: string,
): string {
  const said = kubectlSaid ? ` (${kubectlSaid})` : '';
  const wants = target?.wants ? `, ${target.wants} "${target.context}"` : '';
  return `no current kube context${said}${wants} — run: kubectl config use-context ${target?.context ?? '<context>'}`;
}

export function kubeconfigUnreadable(error: string): string {
  return `kubectl config current-context failed: ${error} — check your kubeconfig (kubectl config view)`;
}

/** The fixes for a cluster that does not answer, by what runs it. */
export const CLUSTER_FIX = {
  startMinikube: (startCommand: string) => `start it: ${startCommand}`,
  createKind: (name: string) => `create it: kind create cluster --name ${name}`,
  checkContext: (context: string) => `check it: kubectl --context ${context} cluster-info`,
  checkCurrent: 'check: kubectl cluster-info',
};

/** `context` is named when the executor knows which one it asked. */
export function clusterNotAnswering(reason: string, fix: string, context?: string): string {
  return `cluster${context ? ` "${context}"` : ''} does not answer (${reason}) — ${fix}`;
}

/** `printed` is an excerpt of the answer ("nothing", or a quoted line). */
export function readyzUnexpected(kubectlLabel: string, printed: string, context?: string): string {
  return `${kubectlLabel}: "kubectl get --raw /readyz" printed ${printed} where "ok" was expected — check: kubectl --context ${context} get --raw '/readyz?verbose'`;
}

/** A warning: without the nodes the doctor checks only the host's resources. */
export function nodesNotListed(reason: string): string {
  return `cannot list the cluster's nodes (${reason}) — their CPU and memory are not checked`;
}

/** `problem` reads after the command: "printed nothing", "listed no node with …". */
export function nodesUnreadable(kubectlLabel: string, problem: string, context?: string): string {
  return `${kubectlLabel}: "kubectl get nodes -o json" ${problem} — check: kubectl --context ${context} get nodes -o yaml`;
}

export function nodeTooSmall(
  node: { cpu: number; memoryMiB: number },
  wanted: { cpus: number; memoryMiB: number },
): string {
  return `cluster node allocatable: ${node.cpu} CPUs, ${Math.round(node.memoryMiB)} MiB — the dev release asks up to 2 CPUs and 2 GiB in limits; recreate with minikube start --cpus=${wanted.cpus} --memory=${wanted.memoryMiB}`;
}

// This machine

export function tooFewCpus(cpus: number, minCpus: number): string {
  return `${cpus} CPU(s) on this machine, a local cluster needs ${minCpus} — use a bigger machine or VM`;
}

/** A warning; the memory it suggests leaves a fifth of what is free, and never below minikube's 2200 MiB. */
export function lowFreeMemory(freeMemoryMiB: number, minMemoryMiB: number): string {
  return `${Math.round(freeMemoryMiB)} MiB free memory, ${minMemoryMiB} MiB recommended — close programs or start minikube with --memory=${Math.max(2200, Math.floor(freeMemoryMiB * 0.8))}`;
}

// kubectl answers

/** `problem` reads after the command ("printed no JSON (…)"); the fix is the command itself. */
export function kubectlAnswerUnusable(what: string, problem: string, command: string): string {
  return `kubectl get ${what} ${problem} — run it by hand: ${command}`;
}

// Teardown

/** `pods` lists each with its state: "todo-app-test-ready (terminating)". */
export function podsOutlivedTimeout(
  scope: { release: string; namespace: string; timeout: string },
  pods: string[],
  lookCommand: string,
): string {
  return `pods of ${scope.release} still in ${scope.namespace} after ${scope.timeout}: ${pods.join(', ')} — look: ${lookCommand}`;
}

/** Said when teardown keeps the claims: the chart's generated password would not match them. */
export const KEPT_DATA_NEEDS_PASSWORD =
  'a new install finds this data but generates a new database password — set postgresql.auth.password or postgresql.auth.existingSecret to reuse it (docs/deployment/lifecycle-management.md)';

// Secrets

export function envFileMissing(file: string): string {
  return `env file ${file} does not exist — create it or drop the envFile option`;
}

/** `fileName` is the env file the keys were looked for in; `ci`: why nobody was asked. */
export function secretKeysMissing(
  missing: string[],
  fileName: string | undefined,
  ci: boolean,
): string {
  return `missing ${missing.join(', ')}${fileName ? ` in ${fileName}` : ''} — add ${missing.length > 1 ? 'them' : 'it'} to the env file${ci ? ' (CI=true never prompts)' : ''}`;
}

export const NO_SECRET_KEYS = 'no keys to store — give keys or an env file with KEY=value lines';

/** `fix` is given when the reason is one the executor knows how to fix (see createNamespaceFix). */
export function kubectlApplyFailed(reason: string, fix?: string): string {
  return `kubectl apply failed: ${reason}${fix ? ` — ${fix}` : ''}`;
}

export function createNamespaceFix(context: string, namespace: string): string {
  return `create it first: kubectl --context ${context} create namespace ${namespace}`;
}

// Pods and claims (the diagnosis)
// `who` names the container: "container backend".

export function imageNeverPulled(who: string, image: string | undefined): string {
  return `${who}: image ${image} is not in the cluster and imagePullPolicy is Never — load it (minikube image load / kind load docker-image)`;
}

/** With imagePullPolicy Always a local image is never used, so that is the fix to name. */
export function imagePullFailed(
  who: string,
  image: string | undefined,
  reason: string,
  pullPolicyAlways: boolean,
): string {
  const fix = pullPolicyAlways
    ? 'a local image with imagePullPolicy Always: use IfNotPresent or Never, or push it to a registry'
    : 'check the image name and tag, and that the cluster can reach the registry';
  return `${who}: image ${image} can't be pulled (${reason}) — ${fix}`;
}

export function invalidImageName(who: string, image: string | undefined): string {
  return `${who}: image name ${image} is not valid (InvalidImageName) — fix the repository or tag in the values`;
}

export function crashLoopOutOfMemory(who: string, restarts: number): string {
  return `${who} keeps being killed for using more memory than its limit (OOMKilled, ${restarts} restarts) — raise resources.limits.memory or fix the leak`;
}

export function killedOutOfMemory(who: string): string {
  return `${who} was killed for using more memory than its limit (OOMKilled) — raise resources.limits.memory`;
}

/**
 * A claim that is not bound. `value` is the chart value that sets its storage class; `lastEvent`
 * is appended as it is (" (last event: …)", or empty).
 */
export interface UnboundClaim {
  name: string;
  phase: string;
  value: string;
  lastEvent: string;
}

const claimIs = (claim: UnboundClaim) => `claim ${claim.name} is ${claim.phase}`;

export function claimLost(claim: UnboundClaim, volume: string): string {
  return `claim ${claim.name} is Lost: its PersistentVolume ${volume} is gone — delete the claim so the StatefulSet makes a new one (the data is lost)${claim.lastEvent}`;
}

export function claimWithoutDefaultClass(claim: UnboundClaim): string {
  return `${claimIs(claim)}: no storage class binds it (no default StorageClass) — install a provisioner or set ${claim.value}${claim.lastEvent}`;
}

export function claimWithoutClassOrVolume(claim: UnboundClaim): string {
  return `${claimIs(claim)}: it names no storage class and no PersistentVolume matches it — install a provisioner with a default StorageClass or set ${claim.value}${claim.lastEvent}`;
}

export function claimWithEmptyClass(claim: UnboundClaim): string {
  return `${claimIs(claim)}: it asks for no storage class (storageClassName ""), so only a PersistentVolume made by hand can bind it — create one or set ${claim.value}${claim.lastEvent}`;
}

export function claimClassMissing(claim: UnboundClaim, className: string): string {
  return `${claimIs(claim)}: storage class ${className} does not exist — set ${claim.value} to one that does (kubectl get storageclass)${claim.lastEvent}`;
}

export function claimWaitsForConsumer(claim: UnboundClaim, className: string): string {
  return `${claimIs(claim)}: storage class ${className} binds it only once a pod using it is scheduled (WaitForFirstConsumer) — see why that pod is not${claim.lastEvent}`;
}

export function claimNotProvisioned(
  claim: UnboundClaim,
  className: string,
  provisioner?: string,
): string {
  return `${claimIs(claim)}: storage class ${className}${provisioner ? ` (provisioner ${provisioner})` : ''} has not provided a volume — check that provisioner${claim.lastEvent}`;
}
