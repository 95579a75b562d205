// The workspace's one container-engine module (shared with docker-build), typed for the plugin:
// one adapter per engine that only describes commands, with the environment each engine needs.
export {
  createEngine as createContainerEngine,
  imageManifestPath,
  type Command as EngineCommand,
  type ContainerEngine,
} from '../../../scripts/container-image/src/lib/engine.cjs';
export {
  imageSettings,
  isImageTarget,
} from '../../../scripts/container-image/src/lib/normalize-options.cjs';
