import * as path from 'node:path';
import { OptionsError, requireDnsLabel } from '../../lib/options-error';
import type { SecretsExecutorSchema } from './schema';

/** Every option resolved: what the values and the kubectl calls work from. */
export interface SecretsOptions {
  name: string;
  namespace: string;
  kubeContext: string;
  /** Absolute. */
  envFile?: string;
  keys: string[];
  optionalKeys: string[];
  dryRun: boolean;
  verbose: boolean;
}

const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A Kubernetes object name (RFC 1123 subdomain): what `kubectl create secret` accepts. */
function requireObjectName(option: string, value: string | undefined): string {
  if (!value || !OBJECT_NAME.test(value) || value.length > 253)
    throw new OptionsError(
      option,
      `"${value ?? ''}" must be a Kubernetes object name: lower-case letters, digits, '-' and '.'`,
    );
  return value;
}

/** The keys become file names and environment variables: both must accept them. */
function requireEnvKeys(option: string, keys: string[] | undefined): string[] {
  const bad = (keys ?? []).find((key) => !ENV_KEY.test(key));
  if (bad !== undefined)
    throw new OptionsError(
      option,
      `"${bad}" must be an environment variable name (letters, digits, _)`,
    );
  return keys ?? [];
}

export function normalizeSecretsOptions(
  options: SecretsExecutorSchema,
  workspaceRoot: string,
): SecretsOptions {
  const name = requireObjectName('name', options.name);
  const keys = requireEnvKeys('keys', options.keys);
  const optionalKeys = requireEnvKeys('optionalKeys', options.optionalKeys);
  return {
    name,
    namespace: requireDnsLabel('namespace', options.namespace),
    kubeContext: options.kubeContext ?? 'minikube',
    envFile: options.envFile ? path.resolve(workspaceRoot, options.envFile) : undefined,
    keys,
    optionalKeys,
    dryRun: options.dryRun ?? false,
    verbose: options.verbose ?? false,
  };
}
