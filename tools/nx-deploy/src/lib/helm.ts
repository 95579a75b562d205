/**
 * Helm command lines, with flags chosen from the Helm major version `helm version` reported —
 * never guessed: Helm 4 refuses `helm list --all` ("unknown flag") and deprecated `--atomic` and
 * `--force`. Every line built here is run against both real binaries by helm.spec.ts.
 */
import { parseToolJson, ToolOutputError } from './tool-output';
import { isPlainObject } from './values';

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

function valueArgs(input: Pick<HelmUpgradeInput, 'valuesFiles' | 'setStrings' | 'sets'>): string[] {
  return [
    ...input.valuesFiles.flatMap((file) => ['-f', file]),
    ...input.setStrings.flatMap(([key, value]) => ['--set-string', `${key}=${value}`]),
    ...(input.sets ?? []).flatMap(([key, value]) => ['--set', `${key}=${value}`]),
  ];
}

/**
 * No `--wait` and no `--atomic`/`--rollback-on-failure`: the executor's own status check follows
 * (it fails fast and diagnoses while the failed pods still exist), and its rollback step replaces
 * Helm's. `--timeout` still bounds Helm's own operations (hooks).
 */
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
    '--timeout',
    input.timeout,
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

/** Helm 3 lists only deployed and failed releases without `--all`; Helm 4 lists every status and has no `--all`. */
export function helmListArgs(
  release: string,
  namespace: string,
  kubeContext: string,
  helmMajor: number,
): string[] {
  return [
    'list',
    ...(helmMajor >= 4 ? [] : ['--all']),
    '--filter',
    `^${release}$`,
    '-o',
    'json',
    ...helmScope(namespace, kubeContext),
  ];
}

export function helmGetValuesArgs(release: string, namespace: string, kubeContext: string) {
  return ['get', 'values', release, '-o', 'json', ...helmScope(namespace, kubeContext)];
}

export function helmHistoryArgs(release: string, namespace: string, kubeContext: string) {
  return ['history', release, '--max', '20', '-o', 'json', ...helmScope(namespace, kubeContext)];
}

/** No `--wait` (Helm 4 made it a strategy) and no `--force` (Helm 4: `--force-replace`): the status check follows. */
export function helmRollbackArgs(
  release: string,
  revision: number,
  namespace: string,
  kubeContext: string,
  timeout: string,
): string[] {
  return [
    'rollback',
    release,
    String(revision),
    '--timeout',
    timeout,
    ...helmScope(namespace, kubeContext),
  ];
}

export function helmUninstallArgs(
  release: string,
  namespace: string,
  kubeContext: string,
  timeout: string,
): string[] {
  return ['uninstall', release, '--timeout', timeout, ...helmScope(namespace, kubeContext)];
}

export interface HelmListEntry {
  name: string;
  namespace?: string;
  revision: number;
  status: string;
  chart?: string;
  app_version?: string;
}

function revisionNumber(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : Number(String(value ?? ''));
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * The release's row in `helm list -o json` (`[]` when it is not installed). Anything else —
 * nothing at all, not JSON, not a list, a row without a revision — is a ToolOutputError naming
 * the step and Helm's version.
 */
export function parseHelmList(
  stdout: string,
  release: string,
  tool = 'Helm',
): HelmListEntry | undefined {
  const step = 'helm list';
  const parsed = parseToolJson(step, tool, stdout);
  if (!Array.isArray(parsed)) {
    throw new ToolOutputError(step, tool, 'answered JSON that is not a list', stdout);
  }
  const row = parsed.find((entry) => isPlainObject(entry) && entry['name'] === release);
  if (!row) return undefined;
  const revision = revisionNumber(row['revision']);
  if (!revision || typeof row['status'] !== 'string') {
    throw new ToolOutputError(step, tool, 'answered a row without revision or status', stdout);
  }
  return {
    name: release,
    namespace: typeof row['namespace'] === 'string' ? row['namespace'] : undefined,
    revision,
    status: row['status'],
    chart: typeof row['chart'] === 'string' ? row['chart'] : undefined,
    app_version: typeof row['app_version'] === 'string' ? row['app_version'] : undefined,
  };
}

/** `helm get values -o json`: an object, or `null` when the release has no user-supplied values. */
export function parseHelmValues(stdout: string, tool = 'Helm'): Record<string, unknown> {
  const step = 'helm get values';
  const parsed = parseToolJson(step, tool, stdout);
  if (parsed === null) return {};
  if (!isPlainObject(parsed)) {
    throw new ToolOutputError(step, tool, 'answered JSON that is not a mapping of values', stdout);
  }
  return parsed;
}

export interface HelmHistoryEntry {
  revision: number;
  status: string;
}

/** `helm history -o json`: the revisions, oldest first. */
export function parseHelmHistory(stdout: string, tool = 'Helm'): HelmHistoryEntry[] {
  const step = 'helm history';
  const parsed = parseToolJson(step, tool, stdout);
  if (!Array.isArray(parsed)) {
    throw new ToolOutputError(step, tool, 'answered JSON that is not a list', stdout);
  }
  return parsed.flatMap((row) => {
    if (!isPlainObject(row)) return [];
    const revision = revisionNumber(row['revision']);
    return revision && typeof row['status'] === 'string'
      ? [{ revision, status: row['status'] }]
      : [];
  });
}

/** The revision a failed upgrade returns to: the newest one Helm calls deployed, else superseded. */
export function lastGoodRevision(
  history: HelmHistoryEntry[],
  below = Infinity,
): number | undefined {
  const earlier = history.filter((entry) => entry.revision < below);
  const pick = (status: string) =>
    earlier
      .filter((entry) => entry.status === status)
      .reduce<number | undefined>((best, entry) => Math.max(best ?? 0, entry.revision), undefined);
  return pick('deployed') ?? pick('superseded');
}
