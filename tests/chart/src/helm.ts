import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

export const workspaceRoot = path.resolve(__dirname, '../../..');
export const chartDir = path.join(workspaceRoot, 'deploy/helm/todo-app');
export const fixturesDir = path.resolve(__dirname, '../fixtures');

export const HELM_MAJORS = [3, 4] as const;
export type HelmMajor = (typeof HELM_MAJORS)[number];

export const VALUES_FILES = ['values.yaml', 'values-dev.yaml', 'values-prod.yaml'] as const;
export type ValuesFile = (typeof VALUES_FILES)[number];

/** Content tags as the deploy executor passes them (`--set <app>.image.tag=...`). */
export const TAGS = { backend: 'b4ck3nd0c0ntent', frontend: 'fr0nt3nd0c0ntent' } as const;
export const TAG_ARGS = [
  '--set',
  `backend.image.tag=${TAGS.backend}`,
  '--set',
  `frontend.image.tag=${TAGS.frontend}`,
];

export const RELEASE = 'todo-app';

const binaries = new Map<HelmMajor, string>();

/** Path of the real Helm binary of that major version (extracted by tools/scripts/helm.sh). */
export function helmBinary(major: HelmMajor): string {
  let binary = binaries.get(major);
  if (!binary) {
    binary = execFileSync(
      path.join(workspaceRoot, 'tools/scripts/helm.sh'),
      [String(major), '--path'],
      {
        encoding: 'utf8',
      },
    ).trim();
    binaries.set(major, binary);
  }
  return binary;
}

export interface HelmResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function helm(major: HelmMajor, args: string[]): HelmResult {
  const result = spawnSync(helmBinary(major), args, {
    encoding: 'utf8',
    // No cluster exists here: make sure nothing reaches for a kubeconfig of the machine.
    env: { ...process.env, KUBECONFIG: '/nonexistent', HELM_NAMESPACE: 'default' },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export function valuesArgs(valuesFile: ValuesFile): string[] {
  return ['-f', path.join(chartDir, valuesFile)];
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** `helm template` of the chart; throws with Helm's own message when rendering fails. */
export function template(major: HelmMajor, args: string[], chart = chartDir): K8sObject[] {
  const result = helm(major, ['template', RELEASE, chart, ...args]);
  if (result.status !== 0) {
    throw new Error(`helm ${major} template ${args.join(' ')} failed:\n${result.stderr}`);
  }
  return parseManifests(result.stdout);
}

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw doc.errors[0];
      return doc.toJS() as K8sObject | null;
    })
    .filter((object): object is K8sObject => object !== null);
}

const renders = new Map<string, K8sObject[]>();

/** One render per Helm version and values file, shared by the tests of a file. */
export function renderValuesFile(major: HelmMajor, valuesFile: ValuesFile): K8sObject[] {
  const key = `${major}:${valuesFile}`;
  let objects = renders.get(key);
  if (!objects) {
    objects = template(major, [...valuesArgs(valuesFile), ...TAG_ARGS]);
    renders.set(key, objects);
  }
  return objects;
}

/**
 * The text of NOTES.txt as Helm renders it. Helm 4 prints it from a client-only dry run. Helm
 * 3.17's `install --dry-run` still asks a cluster for its version and none exists here, so for
 * Helm 3 a scratch copy of the chart gets one more template that renders the unchanged NOTES.txt
 * text (as a named template, with the same values) into a ConfigMap that `helm template` prints.
 */
export function renderNotes(major: HelmMajor, args: string[]): string {
  if (major === 4) {
    const result = helm(4, ['install', RELEASE, chartDir, '--dry-run=client', ...args]);
    if (result.status !== 0) throw new Error(`helm 4 install --dry-run failed:\n${result.stderr}`);
    const start = result.stdout.indexOf('\nNOTES:\n');
    if (start < 0) throw new Error(`helm 4 printed no NOTES:\n${result.stdout}`);
    return result.stdout.slice(start + '\nNOTES:\n'.length);
  }
  const scratch = mkdtempSync(path.join(tmpdir(), 'todo-app-notes-'));
  try {
    const copy = path.join(scratch, 'todo-app');
    cpSync(chartDir, copy, { recursive: true });
    const notes = readFileSync(path.join(copy, 'templates/NOTES.txt'), 'utf8');
    const wrapper = 'templates/zz-notes-under-test.yaml';
    writeFileSync(
      path.join(copy, wrapper),
      [
        `{{- define "notes-under-test" }}${notes}{{ end }}`,
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: notes-under-test',
        'data:',
        '  notes: {{ include "notes-under-test" . | quote }}',
        '',
      ].join('\n'),
    );
    const [rendered] = template(3, ['--show-only', wrapper, ...args], copy);
    return (rendered.data as { notes: string }).notes;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export function readFixture(name: string): string {
  return readFileSync(path.join(fixturesDir, name), 'utf8');
}
