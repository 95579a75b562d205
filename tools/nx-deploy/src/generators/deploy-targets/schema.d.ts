export interface DeployTargetsGeneratorSchema {
  project: string;
  chartKey?: string;
  image?: string;
  from?: string;
  servicePort?: string;
  devNamespace?: string;
  prodNamespace?: string;
}
