/**
 * Integration-test harness. No Kubernetes cluster, Minikube or kind can run on the CI machine, so
 * the cluster side is played by the recorded command shims in test/shims (see their README): they
 * go first on PATH, log their argv, and answer with the real tools' documented output. Helm itself
 * is real wherever no cluster is needed (version, flag parsing, rendering).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const WORKSPACE_ROOT = path.resolve(__dirname, '../../..');
export const SHIM_BIN = path.join(__dirname, 'shims/bin');
export const REAL_CHART = path.join(WORKSPACE_ROOT, 'deploy/helm/todo-app');
export const MINI_CHART = path.join(__dirname, 'fixtures/mini-chart');

export type Tool = 'helm' | 'kubectl' | 'minikube' | 'docker' | 'podman' | 'kind';
export const ALL_TOOLS: Tool[] = ['helm', 'kubectl', 'minikube', 'docker', 'podman', 'kind'];

export function realHelm(major: 3 | 4): string {
  return execFileSync(
    path.join(WORKSPACE_ROOT, 'tools/scripts/helm.sh'),
    [String(major), '--path'],
    {
      encoding: 'utf8',
    },
  ).trim();
}

export interface ShimState {
  kube: { currentContext?: string; unreachable?: string[] };
  minikube?: { images: string[] };
  kind?: { images: string[] };
  engines?: Record<string, { images: Record<string, string>; version?: string }>;
  releases?: Record<string, { revisions: Array<Record<string, unknown>> }>;
  namespaces?: string[];
  failImages?: string[];
  failLog?: string;
  notReady?: string[];
  registry?: string[];
  secrets?: Record<string, { data: Record<string, string> }>;
  objects?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface LogEntry {
  tool: Tool;
  args: string[];
}

/** A throw-away workspace under <root>/tmp (git-ignored) plus a shim PATH and state file. */
export class ShimWorld {
  readonly dir: string;
  readonly root: string;
  readonly bin: string;
  readonly statePath: string;
  readonly logPath: string;
  private saved: Record<string, string | undefined> = {};

  constructor(
    options: {
      helmMajor?: 3 | 4;
      tools?: Tool[];
      state?: Partial<ShimState>;
      engine?: 'docker' | 'podman';
    } = {},
  ) {
    mkdirSync(path.join(WORKSPACE_ROOT, 'tmp'), { recursive: true });
    this.dir = mkdtempSync(path.join(WORKSPACE_ROOT, 'tmp', 'nx-deploy-test-'));
    this.root = path.join(this.dir, 'workspace');
    this.bin = path.join(this.dir, 'bin');
    mkdirSync(this.root, { recursive: true });
    mkdirSync(this.bin);
    for (const tool of options.tools ?? ALL_TOOLS)
      symlinkSync(path.join(SHIM_BIN, tool), path.join(this.bin, tool));
    this.statePath = path.join(this.dir, 'state.json');
    this.logPath = path.join(this.dir, 'calls.jsonl');
    writeFileSync(this.logPath, '');
    this.write({
      kube: { currentContext: 'minikube' },
      minikube: { images: [] },
      engines: { docker: { images: {} }, podman: { images: {} } },
      releases: {},
      namespaces: ['default'],
      ...options.state,
    });
    this.env = {
      PATH: `${this.bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
      NX_DEPLOY_SHIM_STATE: this.statePath,
      NX_DEPLOY_SHIM_LOG: this.logPath,
      NX_DEPLOY_REAL_HELM: realHelm(options.helmMajor ?? 3),
      NX_DEPLOY_LOCK_DIR: path.join(this.dir, 'locks'),
      CONTAINER_ENGINE: options.engine,
      // The executor's builds are child `nx run`s; no daemon or cloud in a throw-away workspace.
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
    };
  }

  env: Record<string, string | undefined>;

  /** Puts the real Helm binary on PATH as `helm` (for runs that need no cluster). */
  useRealHelm(major: 3 | 4): void {
    rmSync(path.join(this.bin, 'helm'), { force: true });
    symlinkSync(realHelm(major), path.join(this.bin, 'helm'));
  }

  /** Puts the shim environment into process.env (the executor's children inherit it). */
  enter(): void {
    for (const [key, value] of Object.entries(this.env)) {
      this.saved[key] = process.env[key];
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }

  leave(): void {
    for (const [key, value] of Object.entries(this.saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  state(): ShimState {
    return JSON.parse(readFileSync(this.statePath, 'utf8')) as ShimState;
  }

  write(state: ShimState): void {
    writeFileSync(this.statePath, JSON.stringify(state, null, 2));
  }

  update(mutate: (state: ShimState) => void): void {
    const state = this.state();
    mutate(state);
    this.write(state);
  }

  calls(tool?: Tool): LogEntry[] {
    const entries = readFileSync(this.logPath, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LogEntry);
    return tool ? entries.filter((e) => e.tool === tool) : entries;
  }

  clearCalls(): void {
    writeFileSync(this.logPath, '');
  }

  /** Writes dist/images/<project>.json and, unless told otherwise, puts the image in the engine. */
  image(
    project: string,
    image: string,
    tag: string,
    opts: { inEngine?: boolean; engine?: string } = {},
  ): void {
    const file = path.join(this.root, 'dist/images', `${project}.json`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ image, tag, id: `sha256:${tag}` }));
    if (opts.inEngine !== false) {
      this.update((s) => {
        const engine = opts.engine ?? 'docker';
        s.engines = s.engines ?? {};
        s.engines[engine] = s.engines[engine] ?? { images: {} };
        s.engines[engine].images[`${image}:${tag}`] = `sha256:${tag}`;
      });
    }
  }

  hasManifest(project: string): boolean {
    return existsSync(path.join(this.root, 'dist/images', `${project}.json`));
  }
}

export function argsOf(entries: LogEntry[], first: string): string[][] {
  return entries.filter((e) => e.args[0] === first || e.args.includes(first)).map((e) => e.args);
}

/**
 * Runs a real Helm binary on a command line the executor generates, against a kubeconfig whose
 * `minikube` context points at an address that refuses at once (127.0.0.1:1): the answer is then
 * the binary's verdict on the flags ("unknown flag") or its failure to reach the cluster.
 */
export function runRealHelm(
  major: 3 | 4,
  args: string[],
): { status: number | null; stderr: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nx-deploy-helm-'));
  try {
    const kubeconfig = refusingKubeconfig(dir);
    const result = spawnSync(realHelm(major), args, {
      encoding: 'utf8',
      env: {
        ...process.env,
        KUBECONFIG: kubeconfig,
        HELM_CACHE_HOME: dir,
        HELM_CONFIG_HOME: dir,
        HELM_DATA_HOME: dir,
      },
      timeout: 30_000,
    });
    return { status: result.status, stderr: result.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A recorded answer of a real tool (test/fixtures/recorded, see its README). */
export function recorded(file: string): string {
  return readFileSync(path.join(__dirname, 'fixtures/recorded', file), 'utf8');
}

/** The items of a recorded `kubectl get … -o json` List. */
export function recordedItems(file: string): unknown[] {
  return (JSON.parse(recorded(file)) as { items: unknown[] }).items;
}

/** kubectl 1.33, as tools/scripts/kubectl.sh unpacks it from Helm 4's npm package. */
export function realKubectl(): string {
  return execFileSync(path.join(WORKSPACE_ROOT, 'tools/scripts/kubectl.sh'), ['--path'], {
    encoding: 'utf8',
  }).trim();
}

/** A kubeconfig whose contexts (the given names) point at an address that refuses at once. */
export function refusingKubeconfig(dir: string, contexts: string[] = ['minikube']): string {
  const file = path.join(dir, 'refusing.kubeconfig');
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: refused, cluster: {server: "https://127.0.0.1:1"}}]',
      `contexts: [${contexts.map((c) => `{name: ${c}, context: {cluster: refused, user: nobody}}`).join(', ')}]`,
      'users: [{name: nobody, user: {token: not-a-secret}}]',
      `current-context: ${contexts[0]}`,
      '',
    ].join('\n'),
  );
  return file;
}
