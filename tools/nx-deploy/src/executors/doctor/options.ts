import { localClusterContext } from '../../lib/kube-context';
import { OptionsError, resolveEngine } from '../../lib/options-error';
import type { DoctorExecutorSchema } from './schema';

const CLUSTERS = ['minikube', 'kind', 'any'] as const;

/** Every option resolved: what the checks and the report work from. */
export interface DoctorOptions {
  engine: 'docker' | 'podman';
  cluster: (typeof CLUSTERS)[number];
  minikubeProfile: string;
  kindCluster: string;
  /** Undefined with `cluster: any`: any current context is accepted. */
  kubeContext?: string;
  minCpus: number;
  minMemoryMiB: number;
}

function wholeNumber(option: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min)
    throw new OptionsError(option, `must be a whole number, ${min} or more`);
  return value;
}

export function normalizeDoctorOptions(
  options: DoctorExecutorSchema,
  env: NodeJS.ProcessEnv,
): DoctorOptions {
  const cluster = options.cluster ?? 'minikube';
  if (!CLUSTERS.includes(cluster))
    throw new OptionsError('cluster', `must be one of ${CLUSTERS.join(', ')}, got "${cluster}"`);
  const minikubeProfile = options.minikubeProfile ?? 'minikube';
  const kindCluster = options.kindCluster ?? 'kind';
  return {
    engine: resolveEngine(options.engine, env),
    cluster,
    minikubeProfile,
    kindCluster,
    kubeContext:
      options.kubeContext ?? localClusterContext(cluster, { minikubeProfile, kindCluster }),
    minCpus: wholeNumber('minCpus', options.minCpus ?? 2, 1),
    minMemoryMiB: wholeNumber('minMemoryMiB', options.minMemoryMiB ?? 4096, 256),
  };
}
