import * as path from 'node:path';
import type { DeployOptions } from './deploy-options';
import type { ContainerEngine, EngineCommand as Command } from './container-engine';
import type { CommandResult } from './exec';
import { fullyQualified, repositoryInRegistry, sameImage } from './image-ref';
import type { ToolName } from './tools';

/**
 * How an image reaches the cluster: one adapter per way (Minikube, kind, a registry), chosen by
 * a factory — the same shape as a container-engine adapter.
 */
export interface ImageDeliveryAdapter {
  /** The extra CLI this way needs, if any. */
  readonly tool?: ToolName;
  /** Verb for status lines: "load into minikube", "push to ghcr.io/acme". */
  readonly verb: string;
  /** The repository pods pull from, given the local one. */
  clusterRepository(localRepository: string): string;
  presenceCheck(clusterRef: string): Command;
  isPresent(result: CommandResult, clusterRef: string): boolean;
  deliver(localRef: string, clusterRef: string, scratchDir: string): Command[];
}

function archiveName(ref: string, scratchDir: string): string {
  return path.join(scratchDir, `${ref.replace(/[^A-Za-z0-9_.-]+/g, '_')}.tar`);
}

/**
 * Podman names a local build `localhost/app:tag`, which a pod asking for `app:tag` never finds;
 * the archive carries the name the runtime resolves (`docker.io/library/app:tag`) instead.
 */
function archiveCommands(
  engine: ContainerEngine,
  localRef: string,
  clusterRef: string,
  scratchDir: string,
) {
  const archivedAs = fullyQualified(clusterRef);
  const archive = archiveName(localRef, scratchDir);
  if (archivedAs === localRef) return { archive, commands: [engine.save(localRef, archive)] };
  // The extra name exists only for the archive; it is removed again so the engine keeps its names.
  return {
    archive,
    commands: [
      engine.tag(localRef, archivedAs),
      engine.save(archivedAs, archive),
      engine.untag(archivedAs),
    ],
  };
}

class MinikubeDelivery implements ImageDeliveryAdapter {
  readonly tool = 'minikube' as const;
  readonly verb: string;
  constructor(
    private readonly profile: string,
    private readonly engine: ContainerEngine,
  ) {
    this.verb = `load into minikube (${profile})`;
  }
  clusterRepository(localRepository: string): string {
    return localRepository;
  }
  presenceCheck(): Command {
    return { command: 'minikube', args: ['-p', this.profile, 'image', 'ls'] };
  }
  isPresent(result: CommandResult, clusterRef: string): boolean {
    return (
      result.exitCode === 0 &&
      result.stdout.split('\n').some((line) => line.trim() && sameImage(line, clusterRef))
    );
  }
  deliver(localRef: string, clusterRef: string, scratchDir: string): Command[] {
    // `minikube image load <ref>` reads Docker's daemon; Podman's images travel as an archive.
    if (this.engine.name === 'docker') {
      return [{ command: 'minikube', args: ['-p', this.profile, 'image', 'load', localRef] }];
    }
    const { archive, commands } = archiveCommands(this.engine, localRef, clusterRef, scratchDir);
    return [
      ...commands,
      { command: 'minikube', args: ['-p', this.profile, 'image', 'load', archive] },
    ];
  }
}

class KindDelivery implements ImageDeliveryAdapter {
  readonly tool = 'kind' as const;
  readonly verb: string;
  constructor(
    private readonly cluster: string,
    private readonly engine: ContainerEngine,
  ) {
    this.verb = `load into kind (${cluster})`;
  }
  clusterRepository(localRepository: string): string {
    return localRepository;
  }
  presenceCheck(clusterRef: string): Command {
    // kind nodes are containers of the engine; crictl answers for the node's containerd.
    return this.engine.command([
      'exec',
      `${this.cluster}-control-plane`,
      'crictl',
      'inspecti',
      '-q',
      clusterRef,
    ]);
  }
  isPresent(result: CommandResult): boolean {
    return result.exitCode === 0;
  }
  deliver(localRef: string, clusterRef: string, scratchDir: string): Command[] {
    if (this.engine.name === 'docker') {
      return [
        { command: 'kind', args: ['load', 'docker-image', localRef, '--name', this.cluster] },
      ];
    }
    const { archive, commands } = archiveCommands(this.engine, localRef, clusterRef, scratchDir);
    return [
      ...commands,
      { command: 'kind', args: ['load', 'image-archive', archive, '--name', this.cluster] },
    ];
  }
}

class RegistryDelivery implements ImageDeliveryAdapter {
  readonly verb: string;
  constructor(
    private readonly registry: string,
    private readonly engine: ContainerEngine,
  ) {
    this.verb = `push to ${registry}`;
  }
  clusterRepository(localRepository: string): string {
    return repositoryInRegistry(this.registry, localRepository);
  }
  presenceCheck(clusterRef: string): Command {
    return this.engine.remoteImageExists(clusterRef);
  }
  isPresent(result: CommandResult): boolean {
    return result.exitCode === 0;
  }
  deliver(localRef: string, clusterRef: string): Command[] {
    return [this.engine.tag(localRef, clusterRef), this.engine.push(clusterRef)];
  }
}

export function createImageDelivery(
  options: Pick<DeployOptions, 'imageDelivery' | 'minikubeProfile' | 'kindCluster' | 'registry'>,
  engine: ContainerEngine,
): ImageDeliveryAdapter {
  switch (options.imageDelivery) {
    case 'minikube':
      return new MinikubeDelivery(options.minikubeProfile, engine);
    case 'kind':
      return new KindDelivery(options.kindCluster, engine);
    case 'registry':
      return new RegistryDelivery(options.registry as string, engine);
  }
}
