import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const workspaceRoot = path.resolve(__dirname, '../../../..');

/** The engine the suite runs containers with: podman (no daemon) unless CONTAINER_ENGINE=docker. */
export const engine: 'docker' | 'podman' =
  process.env.CONTAINER_ENGINE === 'docker' ? 'docker' : 'podman';

export type AppName = 'backend' | 'frontend';

export interface ImageManifest {
  image: string;
  tag: string;
  id: string;
}

/** dist/images/<app>.json as the docker-build target wrote it. */
export function readManifest(app: AppName): ImageManifest {
  const file = path.join(workspaceRoot, 'dist/images', `${app}.json`);
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: the global setup should have run docker-build for ${app}`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as ImageManifest;
}

export function imageRef(app: AppName): string {
  const { image, tag } = readManifest(app);
  return `${image}:${tag}`;
}
