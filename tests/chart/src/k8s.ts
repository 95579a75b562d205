import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Pod, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import type { IContainer, IPodSpec } from 'kubernetes-models/v1';
import type { K8sObject } from './helm';

export { decodeSecret } from '@todo/test-support';

type ModelClass = new (data: never) => { validate(): void };

/**
 * kubernetes-models classes (generated from the Kubernetes OpenAPI document) of every kind the
 * chart may render. A kind missing here fails the validation test instead of being skipped.
 */
const MODELS: Record<string, ModelClass> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Pod': Pod,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

/** Validates one object against its Kubernetes OpenAPI schema; returns the errors, if any. */
export function openApiErrors(object: K8sObject): string | undefined {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) return `no kubernetes-models class for ${object.apiVersion} ${object.kind}`;
  try {
    new Model(object as never).validate();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) {
    const rendered = objects.map((object) => `${object.kind}/${object.metadata.name}`).join(', ');
    throw new Error(`no ${kind}/${name} rendered; rendered: ${rendered}`);
  }
  return found;
}

export function findAll(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((object) => object.kind === kind);
}

export interface Workload {
  object: K8sObject;
  podSpec: IPodSpec;
  podLabels: Record<string, string>;
  podAnnotations: Record<string, string>;
}

/** Every object that runs containers, with its pod spec (Deployment, StatefulSet, Pod). */
export function workloads(objects: K8sObject[]): Workload[] {
  return objects.flatMap((object): Workload[] => {
    if (object.kind === 'Pod') {
      return [
        {
          object,
          podSpec: object.spec as IPodSpec,
          podLabels: object.metadata.labels ?? {},
          podAnnotations: object.metadata.annotations ?? {},
        },
      ];
    }
    if (object.kind === 'Deployment' || object.kind === 'StatefulSet') {
      const template = (object.spec as { template: PodTemplate }).template;
      return [
        {
          object,
          podSpec: template.spec,
          podLabels: template.metadata?.labels ?? {},
          podAnnotations: template.metadata?.annotations ?? {},
        },
      ];
    }
    return [];
  });
}

interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: IPodSpec;
}

export function podTemplate(deployment: K8sObject): PodTemplate {
  return (deployment.spec as { template: PodTemplate }).template;
}

export function container(deployment: K8sObject, name: string): IContainer {
  const found = podTemplate(deployment).spec.containers.find((c) => c.name === name);
  if (!found) throw new Error(`${deployment.metadata.name} has no container ${name}`);
  return found;
}

/** The container port a probe or Service names (`http`), resolved like the kubelet does. */
export function containerPort(c: IContainer, port: number | string): number {
  if (typeof port === 'number') return port;
  const found = c.ports?.find((p) => p.name === port);
  if (!found) throw new Error(`container ${c.name} has no port named ${port}`);
  return found.containerPort;
}

/** Kubernetes quantity → number (cores for cpu, bytes for memory), for comparisons. */
export function quantity(value: string | number | undefined): number {
  if (value === undefined) return Number.NaN;
  const text = String(value);
  const units: Record<string, number> = {
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
  };
  const match = /^([0-9.]+)([a-zA-Z]*)$/.exec(text);
  if (!match) return Number.NaN;
  const unit = match[2];
  if (unit === '') return Number(match[1]);
  const factor = units[unit];
  return factor === undefined ? Number.NaN : Number(match[1]) * factor;
}
