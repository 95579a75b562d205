import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  containerEnv,
  engine,
  engineCommandSync,
  type PostgresCluster,
  startPostgres,
} from '@todo/test-support';
import { type K8sObject, RELEASE, workspaceRoot } from './helm';
import { find, podTemplate } from './k8s';

export const APPS = ['backend', 'frontend'] as const;
export type App = (typeof APPS)[number];

export interface ImageManifest {
  image: string;
  tag: string;
}

/** The image `npx nx run-many -t docker-build` built for `app` (dist/images/<app>.json names it). */
export function builtImage(app: App): ImageManifest {
  const manifest = path.join(workspaceRoot, 'dist/images', `${app}.json`);
  if (!existsSync(manifest)) {
    throw new Error(
      `${manifest} is missing: build the images first (CONTAINER_ENGINE=${engine} npx nx run-many -t docker-build -p backend frontend)`,
    );
  }
  const image = JSON.parse(readFileSync(manifest, 'utf8')) as ImageManifest;
  const exists = engineCommandSync(['image', 'exists', `${image.image}:${image.tag}`]);
  if (engine === 'podman' && exists.status !== 0) {
    throw new Error(
      `${image.image}:${image.tag} (from ${manifest}) is not in ${engine}: rebuild it`,
    );
  }
  return image;
}

/** The container's last log lines, to append to an error. */
export async function logs(name: string): Promise<string> {
  const result = engineCommandSync(['logs', '--tail', '40', name]);
  return `--- last logs of ${name} ---\n${result.stdout}${result.stderr}`;
}

/** Removes containers at once, whatever their state. */
export function removeContainers(names: string[]): void {
  for (const name of names) {
    engineCommandSync(
      engine === 'podman' ? ['rm', '--force', '--time', '0', name] : ['rm', '--force', name],
    );
  }
}

/**
 * This machine's PostgreSQL standing in for the chart's postgres:15-alpine StatefulSet (its image
 * cannot be pulled here), set up from the rendered StatefulSet's user, database and password. It
 * requires the password (scram-sha-256), so a backend given the wrong credentials fails as it
 * would in the cluster.
 */
export function startChartPostgres(objects: K8sObject[], port: number): Promise<PostgresCluster> {
  const statefulSet = find(objects, 'StatefulSet', `${RELEASE}-postgresql`);
  const env = containerEnv(objects, podTemplate(statefulSet).spec.containers[0]);
  return startPostgres({
    port,
    user: env.POSTGRES_USER,
    database: env.POSTGRES_DB,
    password: env.POSTGRES_PASSWORD,
  });
}
