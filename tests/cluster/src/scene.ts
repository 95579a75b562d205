import { ensureControlPlane, type CommandResult, World } from './cluster';
import { gateReadiness, KubeletStandIn } from './kubelet-stand-in';

/** A copy of the workspace on the control plane, with a kubelet stand-in serving one namespace. */
export interface Scene {
  world: World;
  /** Throws with the command's output and what the stand-in did, unless it exited 0. */
  expectSuccess(result: CommandResult): void;
  /** Stops the stand-in, deletes the namespaces, removes the copy, stops what it started. */
  end(): Promise<void>;
}

export async function startScene(
  helmMajor: 3 | 4,
  namespace: string,
  otherNamespaces: string[] = [],
): Promise<Scene> {
  const controlPlane = ensureControlPlane();
  const world = new World(controlPlane.kubeconfig, helmMajor);
  const namespaces = [namespace, ...otherNamespaces];
  for (const name of namespaces)
    await world.kubectl('delete', 'namespace', name, '--ignore-not-found', '--wait');
  const ungate = await gateReadiness(world);
  const kubelet = new KubeletStandIn(world, namespace);
  kubelet.start();
  return {
    world,
    expectSuccess(result) {
      if (result.exitCode === 0) return;
      throw new Error(
        `command failed: exit ${result.exitCode}\n${result.output}\nkubelet stand-in:\n${kubelet.events.join('\n')}`,
      );
    },
    async end() {
      await kubelet.stop();
      await ungate();
      for (const name of namespaces)
        await world.kubectl('delete', 'namespace', name, '--ignore-not-found', '--wait');
      world.remove();
      controlPlane.stop();
    },
  };
}
