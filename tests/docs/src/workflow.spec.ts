import type { ProjectGraph } from '@nx/devkit';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { workspaceRoot } from './markdown';
import { loadProjectGraph, nxInvocations, targetProblems } from './nx-commands';

/**
 * The example workflow users copy must name only targets and configurations this workspace has,
 * and do what docs/ says it does. Targets come from Nx's own project graph (project.json files,
 * package.json scripts and target defaults merged), not from a list kept here.
 */
interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  if?: string;
  needs?: string | string[];
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
}

const workflow = parse(
  readFileSync(path.join(workspaceRoot, '.github/workflows/ci.yml'), 'utf8'),
) as Workflow;
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
const invocations = steps.flatMap((step) => (step.run ? nxInvocations(step.run) : []));
let graph: ProjectGraph;

beforeAll(async () => {
  graph = await loadProjectGraph();
});

describe('.github/workflows/ci.yml', () => {
  it('runs on pull requests and on pushes to main', () => {
    expect(Object.keys(workflow.on)).toEqual(expect.arrayContaining(['pull_request', 'push']));
    expect((workflow.on.push as { branches: string[] }).branches).toEqual(['main']);
  });

  it('names only targets that exist, with configurations those targets have', () => {
    expect(invocations.length).toBeGreaterThanOrEqual(2);
    const problems = targetProblems(invocations, graph);
    expect(problems).toEqual([]);
  });

  it('checks what a pull request affects: lint, test, build and docker-build between the right SHAs', () => {
    const pr = invocations.find(
      (nx) =>
        nx.mode === 'affected' &&
        nx.targets.includes('docker-build') &&
        nx.targets.includes('lint'),
    );
    expect(pr?.targets).toEqual(expect.arrayContaining(['lint', 'test', 'build', 'docker-build']));
    expect(pr?.args).toEqual(expect.arrayContaining(['--base=$NX_BASE', '--head=$NX_HEAD']));
    const checkout = steps.filter((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkout.length).toBeGreaterThan(0);
    for (const step of checkout) expect(step.with?.['fetch-depth']).toBe(0);
    expect(steps.some((s) => s.uses?.startsWith('nrwl/nx-set-shas@'))).toBe(true);
  });

  it('keeps the Nx cache between runs', () => {
    const caches = steps.filter((s) => s.uses?.startsWith('actions/cache@'));
    expect(caches.length).toBeGreaterThan(0);
    for (const step of caches) expect(step.with?.path).toBe('.nx/cache');
  });

  it('deploys the affected apps with the prod configuration only on pushes to main, after the checks', () => {
    const deployJob = Object.values(workflow.jobs).find((job) =>
      job.steps.some(
        (s) => s.run && nxInvocations(s.run).some((nx) => nx.targets.includes('deploy')),
      ),
    );
    expect(deployJob?.if).toMatch(/github\.event_name == 'push'/);
    expect(deployJob?.if).toMatch(/refs\/heads\/main/);
    expect(deployJob?.needs).toBeDefined();
    const deploy = deployJob?.steps
      .flatMap((s) => (s.run ? nxInvocations(s.run) : []))
      .find((nx) => nx.targets.includes('deploy'));
    expect(deploy).toMatchObject({ mode: 'affected', configuration: 'prod' });
    // The prod configuration pushes to a registry, which the workflow names.
    expect(deploy?.args.some((arg) => arg.startsWith('--registry='))).toBe(true);
  });
});

describe('nxInvocations', () => {
  it('reads affected, run-many, run and target-first forms', () => {
    expect(nxInvocations('npx nx affected -t lint test --base=x')[0]).toMatchObject({
      mode: 'affected',
      targets: ['lint', 'test'],
    });
    expect(nxInvocations('npx nx run-many --targets=a,b -p x,y -c prod')[0]).toMatchObject({
      mode: 'run-many',
      targets: ['a', 'b'],
      projects: ['x', 'y'],
      configuration: 'prod',
    });
    expect(nxInvocations('npx nx run frontend:deploy:dev')[0]).toMatchObject({
      targets: ['deploy'],
      projects: ['frontend'],
      configuration: 'dev',
    });
    expect(nxInvocations('cd x && npx nx deploy backend --configuration=prod')[0]).toMatchObject({
      targets: ['deploy'],
      projects: ['backend'],
      configuration: 'prod',
    });
  });
});
