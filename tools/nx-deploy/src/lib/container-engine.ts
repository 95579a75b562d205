import type { ContainerEngineName } from '../executors/deploy/schema';
import type { Command } from './tools';

/**
 * One adapter per container engine behind one interface (the shape of nx-container's engines).
 * Adapters only describe commands; the apply layer runs them and judges their exit codes.
 */
export interface ContainerEngine {
  readonly name: ContainerEngineName;
  imageExists(ref: string): Command;
  save(ref: string, archive: string): Command;
  tag(source: string, target: string): Command;
  push(ref: string): Command;
  /** Removes one name of an image (the image stays while other names point at it). */
  untag(ref: string): Command;
  remoteImageExists(ref: string): Command;
}

class CliEngine implements ContainerEngine {
  constructor(readonly name: ContainerEngineName) {}

  imageExists(ref: string): Command {
    return { command: this.name, args: ['image', 'inspect', '--format', '{{.Id}}', ref] };
  }

  save(ref: string, archive: string): Command {
    return { command: this.name, args: ['save', '-o', archive, ref] };
  }

  tag(source: string, target: string): Command {
    return { command: this.name, args: ['tag', source, target] };
  }

  push(ref: string): Command {
    return { command: this.name, args: ['push', ref] };
  }

  untag(ref: string): Command {
    return { command: this.name, args: ['rmi', ref] };
  }

  remoteImageExists(ref: string): Command {
    return { command: this.name, args: ['manifest', 'inspect', ref] };
  }
}

export function createContainerEngine(name: ContainerEngineName): ContainerEngine {
  return new CliEngine(name);
}
