import { addProjectConfiguration, logger, readProjectConfiguration, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import deployTargetsGenerator, { DEPLOY_EXECUTOR } from './generator';

// The testing tree lives in memory at '/virtual'. getProjects adds the tree's files to a glob of
// that root on disk, which holds nothing; Nx's native workspace context would print "workspace
// root does not exist: /virtual" among the test results on the way to that empty answer.
jest.mock('nx/src/utils/workspace-context', () => ({
  ...jest.requireActual('nx/src/utils/workspace-context'),
  globWithWorkspaceContextSync: () => [],
}));

function workspace(): Tree {
  // No formatter config: the assertions are on what the generator wrote (the empty workspace
  // would otherwise pick oxfmt, which this workspace does not install).
  const tree = createTreeWithEmptyWorkspace({ formatter: 'none' });
  addProjectConfiguration(tree, 'backend', {
    root: 'apps/backend',
    projectType: 'application',
    targets: {
      'docker-build': {
        executor: './tools/scripts/container-image:build',
        dependsOn: ['build'],
        inputs: [
          'production',
          { runtime: 'node tools/scripts/container-image/bin/image-state.cjs backend' },
        ],
        outputs: ['{workspaceRoot}/dist/images/{projectName}.json'],
        options: { image: 'localhost/todo/backend' },
      },
      deploy: { executor: DEPLOY_EXECUTOR, options: { chartKey: 'backend' } },
    },
  });
  addProjectConfiguration(tree, 'admin', {
    root: 'apps/admin',
    projectType: 'application',
    targets: {},
  });
  addProjectConfiguration(tree, 'config', {
    root: 'libs/config',
    projectType: 'library',
    targets: {},
  });
  return tree;
}

// What the generator tells the user is part of what is asserted, not printed among test results.
const said = { info: [] as string[], warn: [] as string[] };
beforeEach(() => {
  said.info = [];
  said.warn = [];
  jest.spyOn(logger, 'info').mockImplementation((message) => said.info.push(String(message)));
  jest.spyOn(logger, 'warn').mockImplementation((message) => said.warn.push(String(message)));
});
afterEach(() => jest.restoreAllMocks());

describe('deploy-targets generator', () => {
  it('adds a docker-build target copied from the reference app and a deploy target with dev and prod', async () => {
    const tree = workspace();
    await deployTargetsGenerator(tree, { project: 'admin' });
    const admin = readProjectConfiguration(tree, 'admin');

    expect(admin.targets?.['docker-build']).toMatchObject({
      executor: './tools/scripts/container-image:build',
      dependsOn: ['build'],
      options: { image: 'localhost/todo/admin' },
      inputs: [
        'production',
        { runtime: 'node tools/scripts/container-image/bin/image-state.cjs admin' },
      ],
    });
    expect(admin.targets?.['deploy']).toMatchObject({
      executor: DEPLOY_EXECUTOR,
      defaultConfiguration: 'dev',
      options: {
        chartKey: 'admin',
        releaseApps: { backend: 'backend', frontend: 'frontend', admin: 'admin' },
      },
      configurations: {
        dev: {
          namespace: 'todo-dev',
          imageDelivery: 'minikube',
          kubeContext: 'minikube',
          valuesFiles: ['deploy/helm/todo-app/values-dev.yaml'],
        },
        prod: {
          namespace: 'todo',
          imageDelivery: 'registry',
          valuesFiles: ['deploy/helm/todo-app/values-prod.yaml'],
        },
      },
    });
  });

  it('tells the other deploy targets of the release about the new app', async () => {
    const tree = workspace();
    await deployTargetsGenerator(tree, { project: 'admin' });
    expect(
      readProjectConfiguration(tree, 'backend').targets?.['deploy']?.options.releaseApps,
    ).toEqual({
      backend: 'backend',
      frontend: 'frontend',
      admin: 'admin',
    });
  });

  it('refuses a library and an app that already deploys', async () => {
    const tree = workspace();
    await expect(deployTargetsGenerator(tree, { project: 'config' })).rejects.toThrow(
      'Invalid option "project": config is a library, deploy targets belong on an application',
    );
    await expect(deployTargetsGenerator(tree, { project: 'backend' })).rejects.toThrow(
      'backend already has a deploy target',
    );
  });

  it('falls back to nx-container when no app has a docker-build target to copy', async () => {
    const tree = workspace();
    await deployTargetsGenerator(tree, { project: 'admin', from: 'nothing-here' });
    expect(readProjectConfiguration(tree, 'admin').targets?.['docker-build']?.executor).toBe(
      '@nx-tools/nx-container:build',
    );
    expect(said.warn).toEqual([
      'nothing-here has no docker-build target to copy; using @nx-tools/nx-container:build defaults',
    ]);
  });
});
