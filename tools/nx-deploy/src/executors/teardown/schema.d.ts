export interface TeardownExecutorSchema {
  release?: string;
  namespace: string;
  kubeContext?: string;
  deleteNamespace?: boolean;
  timeout?: string;
  dryRun?: boolean;
  verbose?: boolean;
}
