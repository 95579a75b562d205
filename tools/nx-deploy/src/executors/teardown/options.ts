import { OptionsError, requireDnsLabel, requireDuration } from '../../lib/options-error';
import type { TeardownExecutorSchema } from './schema';

/** Every option resolved: what the commands and the steps work from. */
export interface TeardownOptions {
  release: string;
  namespace: string;
  kubeContext: string;
  deleteNamespace: boolean;
  keepData: boolean;
  timeout: string;
  dryRun: boolean;
  verbose: boolean;
}

export function normalizeTeardownOptions(options: TeardownExecutorSchema): TeardownOptions {
  const normalized = {
    release: requireDnsLabel('release', options.release ?? 'todo-app'),
    namespace: requireDnsLabel('namespace', options.namespace),
    kubeContext: options.kubeContext ?? 'minikube',
    deleteNamespace: options.deleteNamespace ?? false,
    keepData: options.keepData ?? false,
    timeout: requireDuration('timeout', options.timeout ?? '5m'),
    dryRun: options.dryRun ?? false,
    verbose: options.verbose ?? false,
  };
  if (normalized.keepData && normalized.deleteNamespace)
    throw new OptionsError(
      'keepData',
      'deleting the namespace deletes its PersistentVolumeClaims too — drop deleteNamespace to keep the data',
    );
  return normalized;
}
