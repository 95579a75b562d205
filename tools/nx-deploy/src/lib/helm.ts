/** Helm command lines, with flags chosen from the Helm major version `helm version` reported. */
export interface HelmUpgradeInput {
  release: string;
  chartDir: string;
  namespace: string;
  kubeContext?: string;
  valuesFiles: string[];
  /** path → value, passed with --set-string so a hex tag like 1234e5 stays a string. */
  setStrings: Array<[string, string]>;
  /** path → value with --set: Helm types true/false/numbers (the user's extra values). */
  sets?: Array<[string, string]>;
  timeout: string;
  helmMajor: number;
}

/** Helm 4 deprecated --atomic in favour of --rollback-on-failure; Helm 3 knows only --atomic. */
export function rollbackOnFailureFlag(helmMajor: number): string {
  return helmMajor >= 4 ? '--rollback-on-failure' : '--atomic';
}

function valueArgs(input: Pick<HelmUpgradeInput, 'valuesFiles' | 'setStrings' | 'sets'>): string[] {
  return [
    ...input.valuesFiles.flatMap((file) => ['-f', file]),
    ...input.setStrings.flatMap(([key, value]) => ['--set-string', `${key}=${value}`]),
    ...(input.sets ?? []).flatMap(([key, value]) => ['--set', `${key}=${value}`]),
  ];
}

export function helmUpgradeArgs(input: HelmUpgradeInput): string[] {
  return [
    'upgrade',
    '--install',
    input.release,
    input.chartDir,
    '--namespace',
    input.namespace,
    '--create-namespace',
    ...(input.kubeContext ? ['--kube-context', input.kubeContext] : []),
    ...valueArgs(input),
    '--wait',
    '--timeout',
    input.timeout,
    rollbackOnFailureFlag(input.helmMajor),
  ];
}

export function helmTemplateArgs(
  input: Omit<HelmUpgradeInput, 'timeout' | 'helmMajor' | 'kubeContext'>,
): string[] {
  return [
    'template',
    input.release,
    input.chartDir,
    '--namespace',
    input.namespace,
    ...valueArgs(input),
  ];
}

export function helmScope(namespace: string, kubeContext: string): string[] {
  return ['--namespace', namespace, '--kube-context', kubeContext];
}

export type FailureOutcome = 'rolled-back' | 'uninstalled' | 'unknown';

/** What Helm did after a failed upgrade with --atomic / --rollback-on-failure, from its error text. */
export function failureOutcome(stderr: string): FailureOutcome {
  if (/has been rolled back due to (atomic|rollback-on-failure) being set/.test(stderr)) {
    return 'rolled-back';
  }
  if (/has been uninstalled due to (atomic|rollback-on-failure) being set/.test(stderr)) {
    return 'uninstalled';
  }
  return 'unknown';
}

export interface HelmListEntry {
  name: string;
  namespace: string;
  revision: string | number;
  status: string;
  chart: string;
  app_version?: string;
}

export function parseHelmList(stdout: string, release: string): HelmListEntry | undefined {
  const trimmed = stdout.trim();
  if (!trimmed) return undefined;
  const entries = JSON.parse(trimmed) as HelmListEntry[] | null;
  return (entries ?? []).find((entry) => entry.name === release);
}
