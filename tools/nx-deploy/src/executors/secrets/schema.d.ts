export interface SecretsExecutorSchema {
  name: string;
  namespace: string;
  kubeContext?: string;
  envFile?: string;
  keys?: string[];
  optionalKeys?: string[];
  dryRun?: boolean;
  verbose?: boolean;
}
