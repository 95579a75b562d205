import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { engineEnv } from '../../../tools/scripts/container-image/src/lib/engine.cjs';

/**
 * The world of the cluster suite: a real control plane (tools/scripts/control-plane.sh), the
 * workspace's real Helm and kubectl on PATH as a user installs them, and a copy of the workspace
 * that the tests may edit. The one stand-in is `minikube` (its image store cannot exist here):
 * the recorded shim of tools/nx-deploy/test/shims records `minikube image load` and answers
 * `minikube image ls` from what was loaded.
 */

const run = promisify(execFile);

export const workspaceRoot = path.resolve(__dirname, '../../..');
const controlPlane = path.join(workspaceRoot, 'tools/scripts/control-plane.sh');
export const CONTEXT = 'todo-control-plane';
export const RELEASE = 'todo-app';

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as the user saw them. */
  output: string;
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}

/** Starts the control plane unless one runs; `stop` stops it only if this call started it. */
export function ensureControlPlane(): { kubeconfig: string; stop: () => void } {
  const status = spawnSync('bash', [controlPlane, 'status'], { encoding: 'utf8' });
  if (status.status === 0) return { kubeconfig: lastLine(status.stdout), stop: () => undefined };
  const up = spawnSync('bash', [controlPlane, 'up'], { encoding: 'utf8', stdio: 'pipe' });
  if (up.status !== 0) throw new Error(`control-plane.sh up failed:\n${up.stderr}`);
  return {
    kubeconfig: lastLine(up.stdout),
    stop: () => void spawnSync('bash', [controlPlane, 'down'], { stdio: 'inherit' }),
  };
}

function toolPath(script: string, ...args: string[]): string {
  return execFileSync(path.join(workspaceRoot, 'tools/scripts', script), [...args, '--path'], {
    encoding: 'utf8',
  }).trim();
}

/** A copy of the workspace to edit, with the tools a user has on PATH. */
export interface ReplicaSet {
  metadata: { name: string; labels: Record<string, string> };
  spec: { replicas: number; template: { spec: { containers: Array<{ image: string }> } } };
}

export interface HelmRevision {
  revision: number;
  status: string;
  description: string;
}

/** A long-running command of the copy (`nx deploy --watch`). */
export interface Session {
  /** Its process group: the command and every process it started. */
  pgid: number;
  readonly output: string;
  exited: Promise<number>;
  /** The first match of `pattern` in the output after character `from`. */
  waitFor(pattern: RegExp, timeoutMs: number, from?: number): Promise<RegExpMatchArray>;
  /** Ctrl-C: SIGINT to the whole process group, as a terminal sends it. */
  interrupt(): void;
  kill(): void;
}

export class World {
  readonly dir: string;
  readonly root: string;
  readonly bin: string;
  readonly kubeconfig: string;
  readonly shimState: string;
  readonly env: NodeJS.ProcessEnv;

  constructor(clusterKubeconfig: string, helmMajor: 3 | 4 = 4) {
    mkdirSync(path.join(workspaceRoot, 'tmp'), { recursive: true });
    this.dir = mkdtempSync(path.join(workspaceRoot, 'tmp', 'cluster-test-'));
    this.root = path.join(this.dir, 'workspace');
    this.bin = path.join(this.dir, 'bin');
    mkdirSync(this.root);
    mkdirSync(this.bin);
    // Sources only: no build outputs, caches or git data.
    execFileSync('bash', [
      '-c',
      `tar -C "$1" --exclude=./node_modules --exclude=./.git --exclude=./dist --exclude=./tmp --exclude=./.nx --exclude=./coverage --exclude=.next -cf - . | tar -C "$2" -xf -`,
      'copy',
      workspaceRoot,
      this.root,
    ]);
    // node_modules as hard links (a second of work, no space): Next.js refuses a node_modules that
    // lies outside the workspace root, as a symlink would; the workspace packages' own links are
    // relative, so they name the copy's projects. Its caches stay with the original.
    execFileSync('cp', ['-al', path.join(workspaceRoot, 'node_modules'), this.root]);
    rmSync(path.join(this.root, 'node_modules/.cache'), { recursive: true, force: true });
    // A user's workspace is a git checkout: the image tooling lists its files through git and
    // labels images with the commit (an image of uncommitted edits keeps that commit's label).
    execFileSync(
      'bash',
      [
        '-c',
        'git init -q && git add -A && git -c user.name=cluster-tests -c user.email=cluster-tests@localhost commit -qm "workspace copy"',
      ],
      { cwd: this.root },
    );
    this.useHelm(helmMajor);
    symlinkSync(toolPath('kubectl.sh'), path.join(this.bin, 'kubectl'));
    symlinkSync(
      path.join(workspaceRoot, 'tools/nx-deploy/test/shims/bin/minikube'),
      path.join(this.bin, 'minikube'),
    );
    this.kubeconfig = path.join(this.dir, 'kubeconfig');
    copyFileSync(clusterKubeconfig, this.kubeconfig);
    this.shimState = path.join(this.dir, 'minikube-state.json');
    writeFileSync(this.shimState, JSON.stringify({ kube: {}, minikube: { images: [] } }));
    this.env = {
      ...process.env,
      PATH: `${this.bin}:${process.env.PATH}`,
      KUBECONFIG: this.kubeconfig,
      NX_DEPLOY_SHIM_STATE: this.shimState,
      NX_DEPLOY_SHIM_LOG: path.join(this.dir, 'minikube-calls.jsonl'),
      NX_DEPLOY_LOCK_DIR: path.join(this.dir, 'locks'),
      CONTAINER_ENGINE: process.env.CONTAINER_ENGINE ?? 'podman',
      CONTAINERS_CONF: engineEnv().CONTAINERS_CONF,
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NX_TUI: 'false',
      NEXT_TELEMETRY_DISABLED: '1',
      FORCE_COLOR: '0',
    };
  }

  useHelm(major: 3 | 4): void {
    rmSync(path.join(this.bin, 'helm'), { force: true });
    symlinkSync(toolPath('helm.sh', String(major)), path.join(this.bin, 'helm'));
  }

  /** Runs a command in the copy as a user would, capturing what they would see. */
  async run(command: string, args: string[], timeoutMs = 240_000): Promise<CommandResult> {
    return new Promise((resolve) => {
      const child = execFile(
        command,
        args,
        { cwd: this.root, env: this.env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
        () => undefined,
      );
      let stdout = '';
      let stderr = '';
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk;
        output += chunk;
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk;
        output += chunk;
      });
      child.on('close', (code) => resolve({ exitCode: code ?? -1, stdout, stderr, output }));
    });
  }

  /** `npx nx <args>` in the copy; the output is also kept for the failure message. */
  nx(...args: string[]): Promise<CommandResult> {
    return this.run('npx', ['nx', ...args, '--outputStyle=static']);
  }

  /**
   * Starts a long-running command in the copy, in its own process group as a terminal's
   * foreground job is, so `interrupt()` is the Ctrl-C a user types.
   */
  start(command: string, args: string[]): Session {
    const child = spawn(command, args, {
      cwd: this.root,
      env: this.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const waiters = new Set<() => void>();
    const take = (chunk: Buffer) => {
      output += chunk.toString();
      for (const check of waiters) check();
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const exited = new Promise<number>((resolve) =>
      // As a shell reports it: 128 + the signal's number for a process a signal ended.
      child.on('close', (code, signal) =>
        resolve(code ?? (signal ? 128 + constants.signals[signal] : -1)),
      ),
    );
    let exitCode: number | undefined;
    void exited.then((code) => {
      exitCode = code;
      for (const check of waiters) check();
    });
    const pgid = child.pid as number;
    return {
      pgid,
      get output() {
        return output;
      },
      exited,
      waitFor(pattern, timeoutMs, from = 0) {
        return new Promise<RegExpMatchArray>((resolve, reject) => {
          const check = () => {
            const match = output.slice(from).match(pattern);
            if (match) {
              finish();
              resolve(match);
            } else if (exitCode !== undefined) {
              finish();
              reject(new Error(`exited (${exitCode}) before ${pattern} appeared:\n${output}`));
            }
          };
          const timer = setTimeout(() => {
            finish();
            reject(new Error(`${pattern} did not appear within ${timeoutMs / 1000}s:\n${output}`));
          }, timeoutMs);
          const finish = () => {
            clearTimeout(timer);
            waiters.delete(check);
          };
          waiters.add(check);
          check();
        });
      },
      interrupt() {
        try {
          process.kill(-pgid, 'SIGINT');
        } catch {
          // already gone
        }
      },
      kill() {
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {
          // already gone
        }
      },
    };
  }

  async kubectl(...args: string[]): Promise<string> {
    const { stdout } = await run('kubectl', ['--context', CONTEXT, ...args], {
      env: this.env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  }

  async kubectlJson<T = { items: Array<Record<string, unknown>> }>(...args: string[]): Promise<T> {
    return JSON.parse(await this.kubectl(...args, '-o', 'json')) as T;
  }

  /** `kubectl apply` of a YAML document. */
  apply(yaml: string): void {
    const result = spawnSync('kubectl', ['--context', CONTEXT, 'apply', '-f', '-'], {
      input: yaml,
      env: this.env,
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`kubectl apply failed: ${result.stderr}`);
  }

  async helm(...args: string[]): Promise<string> {
    const { stdout } = await run('helm', ['--kube-context', CONTEXT, ...args], {
      cwd: this.root,
      env: this.env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  }

  /** The ReplicaSets of one app of the release (`app.kubernetes.io/component`). */
  async replicaSets(namespace: string, component: string): Promise<ReplicaSet[]> {
    const list = await this.kubectlJson<{ items: ReplicaSet[] }>(
      'get',
      'replicasets',
      '-n',
      namespace,
      '-l',
      `app.kubernetes.io/component=${component}`,
    );
    return list.items;
  }

  /** `helm history` of the release, oldest first. */
  async history(namespace: string): Promise<HelmRevision[]> {
    return JSON.parse(await this.helm('history', RELEASE, '-n', namespace, '-o', 'json'));
  }

  /** The tag the image tooling computes for the app in this copy, without building. */
  async contentTag(project: string): Promise<string> {
    const { stdout } = await run(
      'node',
      ['tools/scripts/container-image/bin/image-state.cjs', project, '--json'],
      { cwd: this.root, env: this.env },
    );
    return (JSON.parse(lastLine(stdout)) as { tag: string }).tag;
  }

  /** Images `minikube image load` received (the recorded stand-in's state). */
  loadedImages(): string[] {
    const state = JSON.parse(readFileSync(this.shimState, 'utf8')) as {
      minikube?: { images?: string[] };
    };
    return state.minikube?.images ?? [];
  }

  edit(file: string, change: (text: string) => string): void {
    const full = path.join(this.root, file);
    writeFileSync(full, change(readFileSync(full, 'utf8')));
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
