// Types of engine.cjs for the TypeScript that uses it (the deploy plugin, the tests).
export type EngineName = 'docker' | 'podman';

export interface Command {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

export declare class InvalidEngineError extends Error {
  readonly source: 'engine' | 'CONTAINER_ENGINE';
  readonly rule: string;
}

export interface ContainerEngine {
  readonly name: EngineName;
  readonly env: NodeJS.ProcessEnv;
  command(args: string[]): Command;
  version(): Command;
  imageId(ref: string): Command;
  readImageId(stdout: string): string;
  save(ref: string, archive: string): Command;
  tag(source: string, target: string): Command;
  push(ref: string): Command;
  untag(ref: string): Command;
  remoteImageExists(ref: string): Command;
}

export declare function resolveEngine(
  option: string | undefined,
  env?: NodeJS.ProcessEnv,
): EngineName;
export declare function createEngine(name: EngineName, env?: NodeJS.ProcessEnv): ContainerEngine;
export declare function engineEnv(env?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
export declare function imageManifestPath(workspaceRoot: string, project: string): string;
