export interface TeardownExecutorSchema {
  release?: string;
  namespace: string;
  kubeContext?: string;
  deleteNamespace?: boolean;
  /** Keep the release's PersistentVolumeClaims (`--keep-data`); they are deleted by default. */
  keepData?: boolean;
  timeout?: string;
  dryRun?: boolean;
  verbose?: boolean;
}
