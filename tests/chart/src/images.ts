import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { engine, engineCommandSync } from '@todo/test-support';
import { workspaceRoot } from './helm';

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
