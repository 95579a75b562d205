export interface DoctorExecutorSchema {
  engine?: 'docker' | 'podman';
  cluster?: 'minikube' | 'kind' | 'any';
  minikubeProfile?: string;
  kindCluster?: string;
  kubeContext?: string;
  minCpus?: number;
  minMemoryMiB?: number;
}
