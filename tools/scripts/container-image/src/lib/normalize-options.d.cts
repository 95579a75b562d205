// Types of normalize-options.cjs for the TypeScript that uses it (the deploy plugin).
import type { EngineName } from './engine.cjs';

export interface ImageSettings {
  projectName: string;
  engine: EngineName;
  /** The repository, without a tag. */
  image: string;
  /** The content tag. */
  tag: string;
  ref: string;
  manifestPath: string;
}

export declare function imageSettings(
  projectGraph: unknown,
  projectName: string,
  workspaceRoot: string,
  targetName?: string,
): ImageSettings;

export declare function isImageTarget(target: { executor?: string } | undefined): boolean;
