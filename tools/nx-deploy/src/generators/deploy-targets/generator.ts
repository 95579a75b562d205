import {
  formatFiles,
  getProjects,
  logger,
  readProjectConfiguration,
  updateProjectConfiguration,
  type TargetConfiguration,
  type Tree,
} from '@nx/devkit';
import type { DeployTargetsGeneratorSchema } from './schema';

export const DEPLOY_EXECUTOR = '@todo/nx-deploy:deploy';
const DEFAULT_RELEASE_APPS = { backend: 'backend', frontend: 'frontend' };

/** The reference app's docker-build target, re-pointed at the new app; nx-container's defaults otherwise. */
function dockerBuildTarget(
  tree: Tree,
  options: Required<DeployTargetsGeneratorSchema>,
  root: string,
): TargetConfiguration {
  const reference = getProjects(tree).get(options.from)?.targets?.['docker-build'];
  if (reference) {
    const copy = JSON.parse(JSON.stringify(reference)) as TargetConfiguration;
    copy.options = { ...(copy.options ?? {}), image: options.image };
    copy.inputs = copy.inputs?.map((input) =>
      typeof input === 'object' && 'runtime' in input
        ? {
            runtime: input.runtime.replace(
              new RegExp(`\\b${options.from}\\b`, 'g'),
              options.project,
            ),
          }
        : input,
    );
    return copy;
  }
  logger.warn(
    `${options.from} has no docker-build target to copy; using @nx-tools/nx-container:build defaults`,
  );
  return {
    executor: '@nx-tools/nx-container:build',
    dependsOn: ['build'],
    cache: true,
    inputs: ['production', '^production', '{projectRoot}/Dockerfile'],
    outputs: ['{workspaceRoot}/dist/images/{projectName}.json'],
    options: {
      engine: 'docker',
      file: `${root}/Dockerfile`,
      context: '.',
      load: true,
      tags: [`${options.image}:dev`],
    },
  };
}

function deployTarget(
  options: Required<DeployTargetsGeneratorSchema>,
  releaseApps: Record<string, string>,
): TargetConfiguration {
  return {
    executor: DEPLOY_EXECUTOR,
    defaultConfiguration: 'dev',
    options: {
      chart: 'deploy/helm/todo-app',
      release: 'todo-app',
      chartKey: options.chartKey,
      releaseApps,
      servicePort: options.servicePort,
    },
    configurations: {
      dev: {
        namespace: options.devNamespace,
        imageDelivery: 'minikube',
        kubeContext: 'minikube',
        valuesFiles: ['deploy/helm/todo-app/values-dev.yaml'],
      },
      // The cluster and registry are the user's: pass --kubeContext and --registry, or set them here.
      prod: {
        namespace: options.prodNamespace,
        imageDelivery: 'registry',
        valuesFiles: ['deploy/helm/todo-app/values-prod.yaml'],
      },
    },
  };
}

export default async function deployTargetsGenerator(
  tree: Tree,
  schema: DeployTargetsGeneratorSchema,
) {
  const project = readProjectConfiguration(tree, schema.project);
  if (project.projectType && project.projectType !== 'application') {
    throw new Error(
      `Invalid option "project": ${schema.project} is a ${project.projectType}, deploy targets belong on an application`,
    );
  }
  const options: Required<DeployTargetsGeneratorSchema> = {
    project: schema.project,
    chartKey: schema.chartKey ?? schema.project,
    image: schema.image ?? `localhost/todo/${schema.project}`,
    from: schema.from ?? 'backend',
    servicePort: schema.servicePort ?? 'http',
    devNamespace: schema.devNamespace ?? 'todo-dev',
    prodNamespace: schema.prodNamespace ?? 'todo',
  };
  if (project.targets?.['deploy']) {
    throw new Error(
      `Invalid option "project": ${schema.project} already has a deploy target — edit it instead`,
    );
  }

  // Every deploy target of the release learns about the new app, so deploying any of them keeps
  // the new app's deployed tag.
  const releaseApps: Record<string, string> = { ...DEFAULT_RELEASE_APPS };
  for (const [, other] of getProjects(tree)) {
    const deploy = other.targets?.['deploy'];
    if (deploy?.executor !== DEPLOY_EXECUTOR) continue;
    Object.assign(releaseApps, (deploy.options?.releaseApps as Record<string, string>) ?? {});
  }
  releaseApps[options.chartKey] = options.project;
  for (const [name, other] of getProjects(tree)) {
    const deploy = other.targets?.['deploy'];
    if (deploy?.executor !== DEPLOY_EXECUTOR || name === options.project) continue;
    deploy.options = { ...(deploy.options ?? {}), releaseApps };
    updateProjectConfiguration(tree, name, other);
  }

  project.targets = {
    ...(project.targets ?? {}),
    'docker-build':
      project.targets?.['docker-build'] ?? dockerBuildTarget(tree, options, project.root),
    deploy: deployTarget(options, releaseApps),
  };
  updateProjectConfiguration(tree, options.project, project);
  await formatFiles(tree);
  logger.info(
    `Added docker-build and deploy to ${options.project}. The chart needs a "${options.chartKey}" section (image.repository, image.tag) in deploy/helm/todo-app.`,
  );
}
