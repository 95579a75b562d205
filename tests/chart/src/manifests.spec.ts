import type { IContainer } from 'kubernetes-models/v1';
import { HELM_MAJORS, type K8sObject, RELEASE, renderValuesFile, TAGS, VALUES_FILES } from './helm';
import {
  container,
  containerPort,
  find,
  findAll,
  openApiErrors,
  podTemplate,
  quantity,
  workloads,
} from './k8s';

const NAME = RELEASE; // a release named like the chart: objects are <release>-<component>
const APPS = [
  { component: 'backend', port: 8000 },
  { component: 'frontend', port: 3000 },
] as const;

function allContainers(objects: K8sObject[]): { owner: string; container: IContainer }[] {
  return workloads(objects).flatMap(({ object, podSpec }) =>
    [...(podSpec.initContainers ?? []), ...podSpec.containers].map((c) => ({
      owner: `${object.kind}/${object.metadata.name}`,
      container: c,
    })),
  );
}

function configMapData(objects: K8sObject[], name: string): Record<string, string> {
  return find(objects, 'ConfigMap', name).data as Record<string, string>;
}

describe.each(HELM_MAJORS)('Helm %i', (major) => {
  describe.each(VALUES_FILES)('helm template with %s', (valuesFile) => {
    let objects: K8sObject[];
    beforeAll(() => {
      objects = renderValuesFile(major, valuesFile);
    });

    it('renders objects that all validate against the Kubernetes OpenAPI schemas', () => {
      expect(objects.length).toBeGreaterThan(10);
      const errors = objects
        .map((object) => ({
          object: `${object.kind}/${object.metadata.name}`,
          error: openApiErrors(object),
        }))
        .filter(({ error }) => error !== undefined);
      expect(errors).toEqual([]);
    });

    it('renders the frontend and backend Deployments, Services, ConfigMaps, PDBs and ServiceAccounts', () => {
      for (const { component } of APPS) {
        const name = `${NAME}-${component}`;
        for (const kind of [
          'Deployment',
          'Service',
          'ConfigMap',
          'PodDisruptionBudget',
          'ServiceAccount',
        ]) {
          expect(find(objects, kind, name).metadata.name).toBe(name);
        }
      }
    });

    it('labels every object with the app.kubernetes.io labels of helm create', () => {
      for (const object of objects) {
        expect(object.metadata.labels).toMatchObject({
          'app.kubernetes.io/name': 'todo-app',
          'app.kubernetes.io/instance': RELEASE,
          'app.kubernetes.io/managed-by': 'Helm',
          'app.kubernetes.io/version': expect.any(String),
          'app.kubernetes.io/component': expect.any(String),
          'helm.sh/chart': expect.stringMatching(/^todo-app-\d+\.\d+\.\d+/),
        });
      }
    });

    it('runs the images by the content tags passed on the command line', () => {
      for (const { component } of APPS) {
        const image = container(
          find(objects, 'Deployment', `${NAME}-${component}`),
          component,
        ).image;
        expect(image).toMatch(new RegExp(`(^|/)todo[-/]${component}:${TAGS[component]}$`));
      }
    });

    it('probes liveness on /health, readiness on /ready and start-up on /health, at the app port', () => {
      for (const { component, port } of APPS) {
        const c = container(find(objects, 'Deployment', `${NAME}-${component}`), component);
        expect(c.livenessProbe?.httpGet?.path).toBe('/health');
        expect(c.readinessProbe?.httpGet?.path).toBe('/ready');
        expect(c.startupProbe?.httpGet?.path).toBe('/health');
        for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
          expect(containerPort(c, probe?.httpGet?.port as number | string)).toBe(port);
        }
        const config = configMapData(objects, `${NAME}-${component}`);
        expect(Number(config.PORT)).toBe(port);
      }
    });

    it('drains within the grace period: preStop sleep + SHUTDOWN_TIMEOUT_MS < terminationGracePeriodSeconds', () => {
      for (const { component } of APPS) {
        const deployment = find(objects, 'Deployment', `${NAME}-${component}`);
        const c = container(deployment, component);
        const preStopSeconds = Number(c.lifecycle?.preStop?.sleep?.seconds);
        const drainSeconds =
          Number(configMapData(objects, `${NAME}-${component}`).SHUTDOWN_TIMEOUT_MS) / 1000;
        const grace = Number(podTemplate(deployment).spec.terminationGracePeriodSeconds);

        expect(preStopSeconds).toBeGreaterThanOrEqual(1);
        expect(drainSeconds).toBeGreaterThan(0);
        expect(preStopSeconds + drainSeconds).toBeLessThan(grace);
        // The images have no shell: a preStop that execs `sleep` would fail.
        expect(c.lifecycle?.preStop?.exec).toBeUndefined();
      }
    });

    it('rolls out with maxUnavailable 0', () => {
      for (const deployment of findAll(objects, 'Deployment')) {
        expect(deployment.spec).toMatchObject({
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } },
        });
      }
    });

    it('runs the apps and the test pod as uid/gid 1001, non-root, read-only root, no capabilities, seccomp RuntimeDefault', () => {
      const appPods = workloads(objects).filter(
        ({ podLabels }) => podLabels['app.kubernetes.io/component'] !== 'postgresql',
      );
      expect(appPods.length).toBeGreaterThanOrEqual(3);
      for (const { podSpec } of appPods) {
        expect(podSpec.securityContext).toMatchObject({
          runAsNonRoot: true,
          runAsUser: 1001,
          runAsGroup: 1001,
          fsGroup: 1001,
          seccompProfile: { type: 'RuntimeDefault' },
        });
        for (const c of podSpec.containers) {
          expect(c.securityContext).toMatchObject({
            runAsNonRoot: true,
            runAsUser: 1001,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          });
          expect(c.securityContext?.capabilities?.add ?? []).toEqual([]);
          expect(c.securityContext?.privileged ?? false).toBe(false);
        }
      }
    });

    it('gives each app a writable /tmp from an emptyDir', () => {
      for (const { component } of APPS) {
        const spec = podTemplate(find(objects, 'Deployment', `${NAME}-${component}`)).spec;
        const mount = container(
          find(objects, 'Deployment', `${NAME}-${component}`),
          component,
        ).volumeMounts?.find((m) => m.mountPath === '/tmp');
        expect(mount).toBeDefined();
        expect(spec.volumes?.find((v) => v.name === mount?.name)?.emptyDir).toBeDefined();
      }
    });

    it('sets requests and limits of cpu and memory on every container', () => {
      const containers = allContainers(objects);
      expect(containers.length).toBeGreaterThanOrEqual(3);
      for (const { owner, container: c } of containers) {
        const { requests = {}, limits = {} } = c.resources ?? {};
        for (const resource of ['cpu', 'memory']) {
          const request = quantity(requests[resource] as string);
          const limit = quantity(limits[resource] as string);
          expect({ owner, resource, request: request > 0 }).toEqual({
            owner,
            resource,
            request: true,
          });
          expect({ owner, resource, limitAtLeastRequest: limit >= request }).toEqual({
            owner,
            resource,
            limitAtLeastRequest: true,
          });
        }
      }
    });

    it('mounts no ServiceAccount token in any pod', () => {
      for (const { object, podSpec } of workloads(objects)) {
        expect({
          pod: object.metadata.name,
          automount: podSpec.automountServiceAccountToken,
        }).toEqual({
          pod: object.metadata.name,
          automount: false,
        });
      }
      for (const account of findAll(objects, 'ServiceAccount')) {
        expect(account.automountServiceAccountToken).toBe(false);
      }
    });

    it('lets only the frontend (and the helm test pod) reach the backend', () => {
      const policy = find(objects, 'NetworkPolicy', `${NAME}-backend`).spec as NetworkPolicySpec;
      expect(policy.podSelector.matchLabels).toMatchObject({
        'app.kubernetes.io/component': 'backend',
      });
      expect(policy.policyTypes).toEqual(['Ingress']);
      expect(policy.ingress).toHaveLength(1);
      const sources = policy.ingress[0].from?.map(
        (peer) => peer.podSelector?.matchLabels?.['app.kubernetes.io/component'],
      );
      expect(sources).toEqual(['frontend', 'test']);
      for (const peer of policy.ingress[0].from ?? []) {
        expect(peer.namespaceSelector).toBeUndefined();
        expect(peer.ipBlock).toBeUndefined();
        expect(peer.podSelector?.matchLabels?.['app.kubernetes.io/instance']).toBe(RELEASE);
      }
      const testPod = findAll(objects, 'Pod')[0];
      expect(testPod.metadata.labels?.['app.kubernetes.io/component']).toBe('test');
      const frontendPods = podTemplate(find(objects, 'Deployment', `${NAME}-frontend`)).metadata
        ?.labels;
      expect(frontendPods).toMatchObject(
        policy.ingress[0].from?.[0].podSelector?.matchLabels ?? { none: 'x' },
      );
    });

    it('keeps the frontend reachable on its HTTP port only', () => {
      const policy = find(objects, 'NetworkPolicy', `${NAME}-frontend`).spec as NetworkPolicySpec;
      expect(policy.podSelector.matchLabels).toMatchObject({
        'app.kubernetes.io/component': 'frontend',
      });
      expect(policy.ingress).toEqual([{ ports: [{ port: 'http', protocol: 'TCP' }] }]);
    });

    it('points the frontend at the release backend Service, whose port reaches the backend container', () => {
      const backendUrl = new URL(configMapData(objects, `${NAME}-frontend`).BACKEND_URL);
      const service = find(objects, 'Service', backendUrl.hostname).spec as ServiceSpec;
      const port = service.ports.find((p) => p.port === Number(backendUrl.port));
      const backend = container(find(objects, 'Deployment', `${NAME}-backend`), 'backend');

      expect(backendUrl.hostname).toBe(`${NAME}-backend`);
      expect(service.type).toBe('ClusterIP');
      expect(containerPort(backend, port?.targetPort as string)).toBe(8000);
      expect(
        podTemplate(find(objects, 'Deployment', `${NAME}-backend`)).metadata?.labels,
      ).toMatchObject(service.selector);
    });

    it('has a helm test pod that checks /ready of both Services with the image’s node binary', () => {
      const [testPod] = findAll(objects, 'Pod');
      const c = (testPod.spec as { containers: IContainer[] }).containers[0];

      expect(testPod.metadata.annotations?.['helm.sh/hook']).toBe('test');
      expect(c.command?.[0]).toBe('node');
      expect(c.image).toBe(
        container(find(objects, 'Deployment', `${NAME}-backend`), 'backend').image,
      );
      expect(c.command).toEqual(
        expect.arrayContaining([
          `http://${NAME}-backend:8000/ready`,
          `http://${NAME}-frontend:3000/ready`,
        ]),
      );
      expect((testPod.spec as { restartPolicy: string }).restartPolicy).toBe('Never');
    });

    it('rolls the pods on a new ConfigMap: a checksum annotation on each pod template', () => {
      for (const { component } of APPS) {
        const annotations = podTemplate(find(objects, 'Deployment', `${NAME}-${component}`))
          .metadata?.annotations;
        expect(annotations?.['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
      }
      const backend = podTemplate(find(objects, 'Deployment', `${NAME}-backend`)).metadata
        ?.annotations;
      expect(backend?.['checksum/secret']).toMatch(/^[0-9a-f]{64}$/);
    });

    it('puts no secret setting in a ConfigMap', () => {
      for (const configMap of findAll(objects, 'ConfigMap')) {
        const keys = Object.keys(configMap.data as Record<string, string>);
        expect(keys).not.toEqual(
          expect.arrayContaining([expect.stringMatching(/SECRET|PASSWORD|API_KEY|DATABASE_URL/)]),
        );
      }
    });
  });

  describe('values-dev.yaml (Minikube)', () => {
    let objects: K8sObject[];
    beforeAll(() => {
      objects = renderValuesFile(major, 'values-dev.yaml');
    });

    it('runs one replica of each app from images loaded into the cluster, never pulled', () => {
      for (const { component } of APPS) {
        const deployment = find(objects, 'Deployment', `${NAME}-${component}`);
        expect((deployment.spec as { replicas: number }).replicas).toBe(1);
        expect(container(deployment, component).imagePullPolicy).toBe('Never');
        // The names `nx docker-build` gives the images, as `minikube image load` makes them known.
        expect(container(deployment, component).image).toBe(
          `localhost/todo/${component}:${TAGS[component]}`,
        );
      }
      expect(findAll(objects, 'HorizontalPodAutoscaler')).toEqual([]);
    });

    it('exposes the frontend on node port 30000 and keeps the backend internal', () => {
      const frontend = find(objects, 'Service', `${NAME}-frontend`).spec as ServiceSpec;
      expect(frontend.type).toBe('NodePort');
      expect(frontend.ports[0].nodePort).toBe(30000);
      expect((find(objects, 'Service', `${NAME}-backend`).spec as ServiceSpec).type).toBe(
        'ClusterIP',
      );
    });

    it("probes a new pod's start every second (a rollout waits for it), within the same 60 s", () => {
      for (const { component } of APPS) {
        const probe = container(find(objects, 'Deployment', `${NAME}-${component}`), component)
          .startupProbe as { periodSeconds: number; failureThreshold: number };
        expect(probe.periodSeconds).toBe(1);
        expect(probe.periodSeconds * probe.failureThreshold).toBe(60);
      }
    });

    it('keeps the original dev limits: frontend 512Mi/500m, backend 1Gi/1000m', () => {
      const limits = (component: string) =>
        container(find(objects, 'Deployment', `${NAME}-${component}`), component).resources?.limits;
      expect(quantity(limits('frontend')?.memory as string)).toBe(512 * 2 ** 20);
      expect(quantity(limits('frontend')?.cpu as string)).toBe(0.5);
      expect(quantity(limits('backend')?.memory as string)).toBe(2 ** 30);
      expect(quantity(limits('backend')?.cpu as string)).toBe(1);
    });

    it('runs an in-chart PostgreSQL StatefulSet with a PVC, as uid 70, reachable only from the backend', () => {
      const statefulSet = find(objects, 'StatefulSet', `${NAME}-postgresql`);
      const spec = statefulSet.spec as {
        serviceName: string;
        volumeClaimTemplates: {
          metadata: { name: string };
          spec: { resources: { requests: { storage: string } } };
        }[];
      };
      const pod = podTemplate(statefulSet).spec;
      const postgres = pod.containers[0];

      expect(spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('1Gi');
      expect(postgres.volumeMounts?.map((m) => m.name)).toContain(
        spec.volumeClaimTemplates[0].metadata.name,
      );
      expect(find(objects, 'Service', spec.serviceName).metadata.name).toBe(`${NAME}-postgresql`);
      expect(postgres.image).toMatch(/^postgres:15-alpine$/);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 70, fsGroup: 70 });
      expect(postgres.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });

      const policy = find(objects, 'NetworkPolicy', `${NAME}-postgresql`).spec as NetworkPolicySpec;
      expect(policy.podSelector.matchLabels).toMatchObject({
        'app.kubernetes.io/component': 'postgresql',
      });
      expect(policy.ingress).toHaveLength(1);
      expect(policy.ingress[0].from).toEqual([
        {
          podSelector: {
            matchLabels: {
              'app.kubernetes.io/name': 'todo-app',
              'app.kubernetes.io/instance': RELEASE,
              'app.kubernetes.io/component': 'backend',
            },
          },
        },
      ]);
    });

    it('connects the backend to the in-chart PostgreSQL with the password from its Secret', () => {
      const backend = container(find(objects, 'Deployment', `${NAME}-backend`), 'backend');
      const env = Object.fromEntries((backend.env ?? []).map((e) => [e.name, e]));
      const passwordSecret = env.POSTGRES_PASSWORD.valueFrom?.secretKeyRef;

      expect(passwordSecret?.name).toBe(`${NAME}-postgresql`);
      expect(Object.keys(find(objects, 'Secret', `${NAME}-postgresql`).data as object)).toContain(
        passwordSecret?.key,
      );
      expect(env.DATABASE_URL.value).toBe(
        `postgresql://todo:$(POSTGRES_PASSWORD)@${NAME}-postgresql:5432/todo`,
      );
      // $(VAR) is expanded by Kubernetes only from variables defined before it.
      const names = (backend.env ?? []).map((e) => e.name);
      expect(names.indexOf('POSTGRES_PASSWORD')).toBeLessThan(names.indexOf('DATABASE_URL'));
      expect(configMapData(objects, `${NAME}-backend`).DATA_DIR).toBeUndefined();
    });
  });

  describe('values.yaml (defaults)', () => {
    let objects: K8sObject[];
    beforeAll(() => {
      objects = renderValuesFile(major, 'values.yaml');
    });

    it('serves the frontend on a ClusterIP Service and renders no PostgreSQL', () => {
      expect((find(objects, 'Service', `${NAME}-frontend`).spec as ServiceSpec).type).toBe(
        'ClusterIP',
      );
      expect(findAll(objects, 'StatefulSet')).toEqual([]);
    });

    it('keeps the embedded database on a writable emptyDir named by DATA_DIR', () => {
      const deployment = find(objects, 'Deployment', `${NAME}-backend`);
      const dataDir = configMapData(objects, `${NAME}-backend`).DATA_DIR;
      const mount = container(deployment, 'backend').volumeMounts?.find((m) =>
        dataDir.startsWith(`${m.mountPath}/`),
      );

      expect(mount).toBeDefined();
      expect(
        podTemplate(deployment).spec.volumes?.find((v) => v.name === mount?.name)?.emptyDir,
      ).toBeDefined();
      expect((deployment.spec as { replicas: number }).replicas).toBe(1);
    });
  });

  describe('values-prod.yaml', () => {
    let objects: K8sObject[];
    beforeAll(() => {
      objects = renderValuesFile(major, 'values-prod.yaml');
    });

    it('scales each app between two or more replicas with an HPA', () => {
      for (const { component } of APPS) {
        const hpa = find(objects, 'HorizontalPodAutoscaler', `${NAME}-${component}`).spec as {
          minReplicas: number;
          maxReplicas: number;
          scaleTargetRef: { kind: string; name: string };
        };
        expect(hpa.minReplicas).toBeGreaterThanOrEqual(2);
        expect(hpa.maxReplicas).toBeGreaterThanOrEqual(hpa.minReplicas);
        expect(hpa.scaleTargetRef).toMatchObject({
          kind: 'Deployment',
          name: `${NAME}-${component}`,
        });
        // The HPA owns the replica count: a fixed one would be reset on every upgrade.
        expect(find(objects, 'Deployment', `${NAME}-${component}`).spec).not.toHaveProperty(
          'replicas',
        );
      }
    });

    it('reads DATABASE_URL and JWT_SECRET_KEY from the existing Secret and renders none itself', () => {
      const backend = container(find(objects, 'Deployment', `${NAME}-backend`), 'backend');
      const env = Object.fromEntries((backend.env ?? []).map((e) => [e.name, e]));

      expect(env.DATABASE_URL.valueFrom?.secretKeyRef).toMatchObject({
        name: 'todo-app-secrets',
        key: 'DATABASE_URL',
      });
      expect(env.JWT_SECRET_KEY.valueFrom?.secretKeyRef).toMatchObject({
        name: 'todo-app-secrets',
        key: 'JWT_SECRET_KEY',
      });
      expect(findAll(objects, 'Secret')).toEqual([]);
      expect(findAll(objects, 'StatefulSet')).toEqual([]);
    });

    it('pulls the images from the registry by content tag', () => {
      for (const { component } of APPS) {
        const c = container(find(objects, 'Deployment', `${NAME}-${component}`), component);
        expect(c.image).toBe(`registry.example.com/todo/todo-${component}:${TAGS[component]}`);
        expect(c.imagePullPolicy).toBe('IfNotPresent');
      }
    });
  });
});

interface NetworkPolicyPeer {
  podSelector?: { matchLabels?: Record<string, string> };
  namespaceSelector?: unknown;
  ipBlock?: unknown;
}
interface NetworkPolicySpec {
  podSelector: { matchLabels: Record<string, string> };
  policyTypes: string[];
  ingress: { from?: NetworkPolicyPeer[]; ports?: { port: string | number; protocol: string }[] }[];
}
interface ServiceSpec {
  type: string;
  selector: Record<string, string>;
  ports: { port: number; targetPort: string | number; nodePort?: number }[];
}
