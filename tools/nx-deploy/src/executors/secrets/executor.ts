import type { ExecutorContext } from '@nx/devkit';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import { parseDotenv } from '../../lib/dotenv';
import { execCommand, type CommandRunner } from '../../lib/exec';
import { Masker } from '../../lib/mask';
import { OptionsError, requireDnsLabel } from '../../lib/options-error';
import { Progress, type LogLine } from '../../lib/progress';
import { Shell } from '../../lib/shell';
import { checkKubeContext } from '../../lib/kube-context';
import { kubectlErrorLine } from '../teardown/kube-objects';
import type { SecretsExecutorSchema } from './schema';

export interface SecretsOptions {
  name: string;
  namespace: string;
  kubeContext: string;
  envFile?: string;
  keys: string[];
  optionalKeys: string[];
  dryRun: boolean;
  verbose: boolean;
}

export interface SecretsDependencies {
  runner: CommandRunner;
  write: LogLine;
  env: NodeJS.ProcessEnv;
  /** Asks for a value without echoing it; undefined when no terminal can be asked. */
  prompt?: (key: string) => Promise<string>;
}

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function normalizeSecretsOptions(
  options: SecretsExecutorSchema,
  workspaceRoot: string,
): SecretsOptions {
  if (
    !options.name ||
    !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(options.name) ||
    options.name.length > 253
  ) {
    throw new OptionsError(
      'name',
      `"${options.name ?? ''}" must be a Kubernetes object name: lower-case letters, digits, '-' and '.'`,
    );
  }
  for (const [field, keys] of [
    ['keys', options.keys ?? []],
    ['optionalKeys', options.optionalKeys ?? []],
  ] as const) {
    const bad = keys.find((key) => !ENV_KEY.test(key));
    if (bad !== undefined)
      throw new OptionsError(
        field,
        `"${bad}" must be an environment variable name (letters, digits, _)`,
      );
  }
  return {
    name: options.name,
    namespace: requireDnsLabel('namespace', options.namespace),
    kubeContext: options.kubeContext ?? 'minikube',
    envFile: options.envFile ? path.resolve(workspaceRoot, options.envFile) : undefined,
    keys: options.keys ?? [],
    optionalKeys: options.optionalKeys ?? [],
    dryRun: options.dryRun ?? false,
    verbose: options.verbose ?? false,
  };
}

/** Decides which keys the Secret gets and which are missing. Pure. */
export function selectSecretValues(
  fileValues: Record<string, string>,
  options: Pick<SecretsOptions, 'keys' | 'optionalKeys'>,
) {
  const wanted = options.keys.length ? options.keys : Object.keys(fileValues);
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const key of wanted) {
    if (fileValues[key]) values[key] = fileValues[key];
    else missing.push(key);
  }
  for (const key of options.optionalKeys) if (fileValues[key]) values[key] = fileValues[key];
  return { values, missing };
}

export async function runSecrets(
  options: SecretsOptions,
  deps: SecretsDependencies,
): Promise<{ success: boolean }> {
  const started = Date.now();
  const masker = new Masker();
  const progress = new Progress(deps.write, masker, options.verbose);
  const shell = new Shell(deps.runner, progress);
  const fail = (text: string) => {
    progress.line(`✖ ${text}`);
    return { success: false };
  };

  let fileValues: Record<string, string> = {};
  if (options.envFile) {
    if (!existsSync(options.envFile))
      return fail(
        `env file ${options.envFile} does not exist — create it or drop the envFile option`,
      );
    const parsed = parseDotenv(readFileSync(options.envFile, 'utf8'));
    if (parsed.errors.length)
      return fail(`env file ${options.envFile}: ${parsed.errors.join('; ')}`);
    fileValues = parsed.values;
  }
  const { values, missing } = selectSecretValues(fileValues, options);
  const interactive = deps.env['CI'] !== 'true' && deps.prompt !== undefined;
  if (missing.length && !interactive) {
    return fail(
      `missing ${missing.join(', ')}${options.envFile ? ` in ${path.basename(options.envFile)}` : ''} — add ${missing.length > 1 ? 'them' : 'it'} to the env file${deps.env['CI'] === 'true' ? ' (CI=true never prompts)' : ''}`,
    );
  }
  for (const key of missing) {
    const value = (await deps.prompt?.(key)) ?? '';
    if (!value) return fail(`${key} was left empty — nothing was changed`);
    values[key] = value;
  }
  for (const value of Object.values(values)) masker.add(value);
  const keys = Object.keys(values).sort();
  if (keys.length === 0)
    return fail('no keys to store — give keys or an env file with KEY=value lines');

  if (options.dryRun) {
    progress.line(
      `would write secret ${options.name} in ${options.namespace} (context ${options.kubeContext}) with keys ${keys.join(', ')}`,
    );
    return { success: true };
  }

  const wrongContext = await checkKubeContext(shell, options.kubeContext, 'this secret belongs to');
  if (wrongContext) return fail(wrongContext);

  // One file per value (mode 0600, deleted in finally) so no value appears in argv or the output.
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'nx-deploy-secret-'));
  try {
    const fromFiles = keys.map((key) => {
      const file = path.join(scratch, key);
      writeFileSync(file, values[key], { mode: 0o600 });
      return `--from-file=${key}=${file}`;
    });
    const rendered = await shell.run('kubectl', [
      'create',
      'secret',
      'generic',
      options.name,
      '--namespace',
      options.namespace,
      ...fromFiles,
      '--dry-run=client',
      '-o',
      'yaml',
    ]);
    if (rendered.notFound)
      return fail(
        'kubectl is not installed — install kubectl: https://kubernetes.io/docs/tasks/tools/',
      );
    if (rendered.exitCode !== 0 || !/^kind: Secret$/m.test(rendered.stdout))
      return fail(
        `kubectl create secret generic --dry-run=client did not render the Secret: ${masker.text(
          rendered.exitCode !== 0
            ? kubectlErrorLine(rendered)
            : `printed "${rendered.stdout.trim().slice(0, 80)}"`,
        )}`,
      );
    const applied = await shell.run(
      'kubectl',
      ['--context', options.kubeContext, '--namespace', options.namespace, 'apply', '-f', '-'],
      // `creationTimestamp: null` (what client-side rendering writes) makes every apply a change:
      // kubectl 1.33 then says "configured" even when no value changed. Without it, "unchanged".
      { input: rendered.stdout.replace(/^ {2}creationTimestamp: null\n/m, '') },
    );
    if (applied.exitCode !== 0) {
      const reason = masker.text(kubectlErrorLine(applied));
      // kubectl: `Error from server (NotFound): error when creating "STDIN": namespaces "x" not found`
      const fix = /namespaces? "[^"]+" not found/.test(reason)
        ? ` — create it first: kubectl --context ${options.kubeContext} create namespace ${options.namespace}`
        : '';
      return fail(`kubectl apply failed: ${reason}${fix}`);
    }
    const verb = /\bcreated\b/.test(applied.stdout)
      ? 'created'
      : /\bunchanged\b/.test(applied.stdout)
        ? 'unchanged'
        : 'updated';
    progress.done(
      `secret ${options.name} ${verb} in ${options.namespace}`,
      started,
      `keys ${keys.join(', ')}`,
    );
    return { success: true };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Reads a line from the terminal without echoing it. */
export function hiddenPrompt(key: string): Promise<string> {
  const muted = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  process.stdout.write(`${key}: `);
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  return new Promise((resolve) => {
    rl.question('', (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
  });
}

export default async function secretsExecutor(
  options: SecretsExecutorSchema,
  context: ExecutorContext,
) {
  let normalized: SecretsOptions;
  try {
    normalized = normalizeSecretsOptions(options, context.root);
  } catch (error) {
    if (error instanceof OptionsError) {
      console.error(error.message);
      return { success: false };
    }
    throw error;
  }
  return runSecrets(normalized, {
    runner: execCommand,
    write: (line) => console.log(line),
    env: process.env,
    prompt: process.stdin.isTTY ? hiddenPrompt : undefined,
  });
}
