export type ImageDelivery = 'minikube' | 'kind' | 'registry';
export type ContainerEngineName = 'docker' | 'podman';

export interface DeployExecutorSchema {
  release?: string;
  chart?: string;
  namespace: string;
  kubeContext?: string;
  imageDelivery?: ImageDelivery;
  minikubeProfile?: string;
  kindCluster?: string;
  registry?: string;
  valuesFiles?: string[];
  set?: Record<string, string>;
  timeout?: string;
  engine?: ContainerEngineName;
  chartKey?: string;
  releaseApps?: Record<string, string>;
  buildTarget?: string;
  deployment?: string;
  service?: string;
  servicePort?: string | number;
  readyPath?: string;
  lockTimeout?: number;
  dryRun?: boolean;
  verbose?: boolean;
  watch?: boolean;
  forwardPort?: number;
  logs?: boolean;
  watchDebounceMs?: number;
  cleanup?: boolean;
}
