import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import type { IContainer, IPodSpec, IVolume } from 'kubernetes-models/v1';
import path from 'node:path';
import { promisify } from 'node:util';
import { engineEnv as workspaceEngineEnv } from '../../../tools/scripts/container-image/src/lib/engine.cjs';

/**
 * A stand-in for the kubelet, which cannot run here (no cluster can): it turns a rendered pod
 * spec into a container engine command the way a kubelet turns it into a container — env from
 * the rendered ConfigMaps and Secrets with $(VAR) expansion, the user and groups, the read-only
 * root with the pod's emptyDirs, dropped capabilities, no privilege escalation, resource limits,
 * the image pull policy — and refuses anything it does not know how to honour, so that a chart
 * change it cannot emulate fails loudly instead of being ignored. Networking is the host's (the
 * only network the engines have here): Service names resolve to 127.0.0.1 through --add-host,
 * which stands in for cluster DNS, so Service ports must equal the container ports they target.
 */

const run = promisify(execFile);

/** A Kubernetes object as `helm template` renders it or the API server returns it. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = findOptional(objects, kind, name);
  if (!found) throw new Error(`no ${kind}/${name} among the pod's objects`);
  return found;
}

export function decodeSecret(secret: K8sObject): Record<string, string> {
  const data = (secret.data ?? {}) as Record<string, string>;
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => [
      key,
      Buffer.from(value, 'base64').toString('utf8'),
    ]),
  );
}

export const engine = process.env.CONTAINER_ENGINE ?? 'podman';
export const engineEnv = workspaceEngineEnv();

export async function engineCommand(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(engine, args, { env: engineEnv, maxBuffer: 16 * 1024 * 1024 });
}

export function engineCommandSync(args: string[]): {
  status: number;
  stdout: string;
  stderr: string;
} {
  const result = spawnSync(engine, args, { env: engineEnv, encoding: 'utf8' });
  return { status: result.status ?? -1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/** Environment of a container as the kubelet builds it; throws where the kubelet would refuse. */
export function containerEnv(objects: K8sObject[], c: IContainer): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of c.envFrom ?? []) {
    if (source.configMapRef) {
      Object.assign(
        env,
        find(objects, 'ConfigMap', source.configMapRef.name ?? '').data as Record<string, string>,
      );
    } else if (source.secretRef) {
      Object.assign(env, decodeSecret(find(objects, 'Secret', source.secretRef.name ?? '')));
    } else {
      throw new Error(`envFrom source not emulated: ${JSON.stringify(source)}`);
    }
  }
  for (const variable of c.env ?? []) {
    if (variable.value !== undefined) {
      // $(NAME) refers to a variable defined before this one; $$ escapes a dollar.
      env[variable.name] = variable.value.replace(
        /\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g,
        (match, name?: string) =>
          match === '$$' ? '$' : name !== undefined && name in env ? env[name] : match,
      );
      continue;
    }
    const secretRef = variable.valueFrom?.secretKeyRef;
    const configMapRef = variable.valueFrom?.configMapKeyRef;
    const ref = secretRef ?? configMapRef;
    if (!ref) throw new Error(`env ${variable.name}: valueFrom not emulated`);
    const kind = secretRef ? 'Secret' : 'ConfigMap';
    const owner = ref.name ? findOptional(objects, kind, ref.name) : undefined;
    const data = owner
      ? secretRef
        ? decodeSecret(owner)
        : (owner.data as Record<string, string>)
      : undefined;
    const value = data?.[ref.key];
    if (value === undefined) {
      if (ref.optional) continue;
      // The kubelet's CreateContainerConfigError: the pod never starts.
      throw new Error(
        `env ${variable.name}: ${kind} ${ref.name} has no key ${ref.key} (CreateContainerConfigError)`,
      );
    }
    env[variable.name] = value;
  }
  return env;
}

function findOptional(objects: K8sObject[], kind: string, name: string): K8sObject | undefined {
  return objects.find((object) => object.kind === kind && object.metadata.name === name);
}

function memoryBytes(quantity: string): number {
  const match = /^([0-9.]+)(Ki|Mi|Gi|k|M|G)?$/.exec(quantity);
  if (!match) throw new Error(`memory quantity not emulated: ${quantity}`);
  const factor: Record<string, number> = {
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    k: 1e3,
    M: 1e6,
    G: 1e9,
  };
  return Math.round(Number(match[1]) * (match[2] ? factor[match[2]] : 1));
}

function cpus(quantity: string): number {
  return quantity.endsWith('m') ? Number(quantity.slice(0, -1)) / 1000 : Number(quantity);
}

export interface PodRun {
  name: string;
  args: string[];
}

/**
 * `<engine> run` arguments that start `c` of `podSpec` as a kubelet would, on the host network.
 * `hosts` are the Service names that resolve to this machine; emptyDirs are made in `scratchDir`.
 */
export function runArgs(
  objects: K8sObject[],
  podSpec: IPodSpec,
  c: IContainer,
  name: string,
  hosts: string[],
  scratchDir: string,
): string[] {
  const pod = podSpec.securityContext ?? {};
  const security = c.securityContext ?? {};
  const user = security.runAsUser ?? pod.runAsUser;
  const group = security.runAsGroup ?? pod.runAsGroup;
  if ((security.runAsNonRoot ?? pod.runAsNonRoot) && (user === undefined || user === 0)) {
    throw new Error(
      `${c.name}: runAsNonRoot without a non-zero runAsUser (the kubelet would refuse it)`,
    );
  }
  const args = ['run', '--detach', '--name', name, '--network', 'host'];
  args.push('--pull', pullPolicy(c.imagePullPolicy));
  if (user !== undefined)
    args.push('--user', group !== undefined ? `${user}:${group}` : String(user));
  if (pod.fsGroup !== undefined) args.push('--group-add', String(pod.fsGroup));
  for (const extra of pod.supplementalGroups ?? []) args.push('--group-add', String(extra));
  if (security.readOnlyRootFilesystem) {
    args.push('--read-only');
    // podman adds writable tmpfs mounts (/tmp, /run, /var/tmp) to a read-only root unless told not
    // to; a kubelet adds none: only the pod's volumes are writable.
    if (engine === 'podman') args.push('--read-only-tmpfs=false');
  }
  if (security.privileged) throw new Error(`${c.name}: privileged containers are not emulated`);
  for (const cap of security.capabilities?.drop ?? []) args.push('--cap-drop', cap);
  for (const cap of security.capabilities?.add ?? []) args.push('--cap-add', cap);
  if (security.allowPrivilegeEscalation === false) args.push('--security-opt', 'no-new-privileges');
  const seccomp = security.seccompProfile?.type ?? pod.seccompProfile?.type;
  if (seccomp && seccomp !== 'RuntimeDefault')
    throw new Error(`${c.name}: seccomp ${seccomp} not emulated`);

  const limits = c.resources?.limits ?? {};
  if (limits.memory !== undefined)
    args.push('--memory', String(memoryBytes(String(limits.memory))));
  if (limits.cpu !== undefined) args.push('--cpus', String(cpus(String(limits.cpu))));

  for (const host of hosts) args.push('--add-host', `${host}:127.0.0.1`);

  for (const mount of c.volumeMounts ?? []) {
    const volume = (podSpec.volumes ?? []).find((v: IVolume) => v.name === mount.name);
    if (!volume?.emptyDir)
      throw new Error(`${c.name}: volume ${mount.name} is not an emptyDir, not emulated`);
    // An emptyDir is a new, empty host directory writable by everyone in the pod (mode 0777) that
    // hides what the image has at that path. (An engine tmpfs would copy the image directory's
    // mode instead.) Its sizeLimit is enforced by eviction, which is not emulated.
    const dir = mkdtempSync(path.join(scratchDir, `${mount.name}-`));
    chmodSync(dir, 0o777);
    args.push('--volume', `${dir}:${mount.mountPath}:rw`);
  }

  for (const [key, value] of Object.entries(containerEnv(objects, c)))
    args.push('--env', `${key}=${value}`);

  if (c.command) args.push('--entrypoint', JSON.stringify(c.command.slice(0, 1)));
  args.push(c.image as string);
  if (c.command) args.push(...c.command.slice(1));
  args.push(...(c.args ?? []));
  return args;
}

function pullPolicy(policy: string | undefined): string {
  switch (policy) {
    case 'Never':
      return 'never';
    case 'Always':
      return 'always';
    default:
      return 'missing';
  }
}

/** Calls a probe's httpGet as the kubelet does (any 2xx/3xx is success). */
export async function probe(
  c: IContainer,
  kind: 'startupProbe' | 'livenessProbe' | 'readinessProbe',
): Promise<{ ok: boolean; status: number; body: string }> {
  const httpGet = c[kind]?.httpGet;
  if (!httpGet) throw new Error(`${c.name}: ${kind} is not an httpGet probe`);
  const port =
    typeof httpGet.port === 'number'
      ? httpGet.port
      : c.ports?.find((p) => p.name === httpGet.port)?.containerPort;
  if (port === undefined)
    throw new Error(`${c.name}: ${kind} names port ${httpGet.port}, which the container lacks`);
  const timeoutMs = (c[kind]?.timeoutSeconds ?? 1) * 1000;
  try {
    const response = await fetch(`http://127.0.0.1:${port}${httpGet.path}`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await response.text();
    return { ok: response.status >= 200 && response.status < 400, status: response.status, body };
  } catch (error) {
    return { ok: false, status: 0, body: (error as Error).message };
  }
}

/**
 * Runs the startup probe until it succeeds, within the budget the kubelet gives it
 * (initialDelaySeconds + periodSeconds * failureThreshold) before it restarts the container.
 * Returns the milliseconds it took; fails at once if the container exits.
 */
export async function waitForStartup(c: IContainer, containerName: string): Promise<number> {
  const startup = c.startupProbe;
  if (!startup) throw new Error(`${c.name}: no startupProbe`);
  const budgetMs =
    ((startup.initialDelaySeconds ?? 0) +
      (startup.periodSeconds ?? 10) * (startup.failureThreshold ?? 3)) *
    1000;
  const started = Date.now();
  let last = { ok: false, status: 0, body: '' };
  while (Date.now() - started < budgetMs) {
    last = await probe(c, 'startupProbe');
    if (last.ok) return Date.now() - started;
    // A container that exited never passes: the kubelet would restart it (CrashLoopBackOff).
    const state = engineCommandSync(['inspect', '--format', '{{.State.Running}}', containerName]);
    if (state.stdout.trim() !== 'true') {
      throw new Error(`${c.name}: the container exited before its startupProbe passed`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `${c.name}: startupProbe did not pass within ${budgetMs} ms, last: ${last.status} ${last.body}`,
  );
}

/**
 * Polls the readiness probe until it passes, as a kubelet keeps a pod out of its Services until
 * then (without restarting it). The backend answers liveness at once and readiness only when
 * its database is open, which on an empty embedded database takes several seconds.
 */
export async function waitForReady(c: IContainer, budgetMs = 60_000): Promise<number> {
  const started = Date.now();
  let last = { ok: false, status: 0, body: '' };
  while (Date.now() - started < budgetMs) {
    last = await probe(c, 'readinessProbe');
    if (last.ok) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `${c.name}: readinessProbe did not pass within ${budgetMs} ms, last: ${last.status} ${last.body}`,
  );
}
