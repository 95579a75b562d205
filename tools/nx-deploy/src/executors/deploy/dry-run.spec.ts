/**
 * --dry-run needs no cluster: real Helm (3.17 and 4.1) renders the real chart, and no cluster
 * tool is called. The docker shim stands in for the engine's image list only.
 */
import * as path from 'node:path';
import { MINI_CHART, REAL_CHART, ShimWorld } from '../../../test/harness';
import { normalizeDeployOptions } from '../../lib/deploy-options';
import { execCommand } from '../../lib/exec';
import { runDeploy } from './executor';
import type { DeployExecutorSchema } from './schema';

let world: ShimWorld;
afterEach(() => world?.leave());

async function dryRun(project: string, options: Partial<DeployExecutorSchema>) {
  const lines: string[] = [];
  const normalized = normalizeDeployOptions(
    { namespace: 'todo-dev', dryRun: true, ...options },
    project,
    world.root,
    process.env,
  );
  const result = await runDeploy(normalized, {
    runner: execCommand,
    buildImage: async () => false,
    write: (line) => lines.push(line),
    env: process.env,
  });
  return { ...result, output: lines.join('\n'), lines };
}

describe.each([3, 4] as const)('deploy --dry-run with real Helm %i', (major) => {
  beforeEach(() => {
    world = new ShimWorld({ tools: ['docker'] });
    world.useRealHelm(major);
    world.env['KUBECONFIG'] = '/nonexistent-kubeconfig';
    world.enter();
  });

  it('prints the plan, the exact helm command and a summary of the real chart rendered with the content tags', async () => {
    world.image('frontend', 'localhost/todo/frontend', '7e64b144f1c0c885');
    world.image('backend', 'localhost/todo/backend', '5d1c9a0b2e3f4a5b', { inEngine: false });

    const result = await dryRun('frontend', {
      chart: REAL_CHART,
      valuesFiles: [path.join(REAL_CHART, 'values-dev.yaml')],
    });

    expect(result.success).toBe(true);
    expect(result.output).toContain('dry run, no cluster contacted');
    expect(result.output).toContain(
      'plan for frontend → release todo-app in todo-dev (context minikube):',
    );
    expect(result.output).toContain(
      'skip build frontend: docker has localhost/todo/frontend:7e64b144f1c0c885',
    );
    expect(result.output).toContain(
      'do build backend: image localhost/todo/backend:5d1c9a0b2e3f4a5b is not in docker',
    );
    expect(result.output).toMatch(
      /do load into minikube \(minikube\) frontend: dry run: a real deploy skips this when the cluster has/,
    );
    const flag = major === 3 ? '--atomic' : '--rollback-on-failure';
    expect(result.output).toContain(
      `helm upgrade --install todo-app ${REAL_CHART} --namespace todo-dev --create-namespace --kube-context minikube -f ${REAL_CHART}/values-dev.yaml --set-string frontend.image.repository=localhost/todo/frontend --set-string frontend.image.tag=7e64b144f1c0c885 --set-string backend.image.repository=localhost/todo/backend --set-string backend.image.tag=5d1c9a0b2e3f4a5b --wait --timeout 5m ${flag}`,
    );
    expect(result.output).toMatch(
      /Deployment\/todo-app-frontend: 1 replica\(s\), frontend=localhost\/todo\/frontend:7e64b144f1c0c885 \(pull Never\)/,
    );
    expect(result.output).toMatch(/Service\/todo-app-frontend: NodePort 3000→node 30000/);
    expect(result.output).toMatch(/^ {2}\d+ objects: .*\d Deployment/m);
    // Nothing but the engine was asked, and nothing was changed.
    expect(world.calls().map((c) => `${c.tool} ${c.args[0]}`)).toEqual(
      expect.arrayContaining(['docker version', 'docker image']),
    );
    expect(world.calls().filter((c) => c.tool !== 'docker')).toEqual([]);
  });

  it('fails with the chart’s own error when the values break its schema', async () => {
    world.image('frontend', 'todo-frontend', 'latest');
    world.image('backend', 'todo-backend', 'abc');

    const result = await dryRun('frontend', { chart: MINI_CHART, valuesFiles: [] });

    expect(result.success).toBe(false);
    expect(result.output).toMatch(
      /✖ helm template: Error: values don't meet the specifications of the schema/,
    );
  });

  it('says which image must be built first when no tag is known yet', async () => {
    world.image('backend', 'todo-backend', 'abc');

    const result = await dryRun('frontend', { chart: MINI_CHART });

    expect(result.output).toContain(
      'do build frontend: no image manifest at dist/images/frontend.json',
    );
    expect(result.output).toContain(
      'the helm command is known once frontend has an image: run npx nx run-many -t docker-build -p frontend',
    );
  });
});
