// What the controllers of a real cluster do with what Helm applies, for the recorded shims (see
// README.md): Deployments get ReplicaSets and pods, StatefulSets get pods and claims, Services get
// EndpointSlices, and pods whose image matches `failImages` fail the way real ones do. The shapes
// follow what kube-apiserver 1.34 / kubectl 1.33 printed on a real control plane
// (test/fixtures/recorded). Everything happens at once (a fast kubelet), except that
// `slowRollout: n` shows the newest pods still being created for the next n polls.
const http = require('node:http');
const shim = require('./shim-lib.cjs');

const INSTANCE = 'app.kubernetes.io/instance';
const REVISION = 'deployment.kubernetes.io/revision';
const NOW = () => new Date().toISOString();

function hexHash(text, length = 10) {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (const c of String(text)) {
    a = Math.imul(a ^ c.charCodeAt(0), 16777619) >>> 0;
    b = Math.imul(b ^ c.charCodeAt(0), 2246822519) >>> 0;
  }
  return (a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0')).slice(0, length);
}

const uid = (text) => {
  const h = hexHash(`uid:${text}`, 32).padEnd(32, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

function owner(kind, obj) {
  return [
    {
      apiVersion:
        kind === 'ReplicaSet' || kind === 'StatefulSet' || kind === 'Deployment' ? 'apps/v1' : 'v1',
      blockOwnerDeletion: true,
      controller: true,
      kind,
      name: obj.metadata.name,
      uid: obj.metadata.uid,
    },
  ];
}

const inNs = (ns) => (o) => o.metadata.namespace === ns;
const ofRelease = (release) => (o) => o.metadata.labels?.[INSTANCE] === release;

/** The failure a pod of this image shows: `failImages` entries are patterns, or {pattern, reason}. */
function failureOf(state, containers) {
  for (const entry of state.failImages || []) {
    const { pattern, reason } = typeof entry === 'string' ? { pattern: entry } : entry;
    if (containers.some((c) => new RegExp(pattern).test(c.image)))
      return reason || 'CrashLoopBackOff';
  }
  return undefined;
}

function containerStatus(c, failure, name) {
  if (!failure)
    return {
      image: c.image,
      imageID: '',
      lastState: {},
      name: c.name,
      ready: true,
      restartCount: 0,
      started: true,
      state: { running: { startedAt: NOW() } },
    };
  if (failure === 'CrashLoopBackOff')
    return {
      image: c.image,
      imageID: '',
      lastState: {
        terminated: { exitCode: 1, reason: 'Error', startedAt: NOW(), finishedAt: NOW() },
      },
      name: c.name,
      ready: false,
      restartCount: 4,
      started: false,
      state: {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: `back-off 1m20s restarting failed container=${c.name} pod=${name}`,
        },
      },
    };
  if (failure === 'NotReady')
    return {
      image: c.image,
      imageID: '',
      lastState: {},
      name: c.name,
      ready: false,
      restartCount: 0,
      started: true,
      state: { running: { startedAt: NOW() } },
    };
  const messages = {
    ErrImageNeverPull: `Container image "${c.image}" is not present with pull policy of Never`,
    ImagePullBackOff: `Back-off pulling image "${c.image}"`,
    CreateContainerConfigError: 'secret "todo-app-backend" not found',
  };
  return {
    image: c.image,
    imageID: '',
    lastState: {},
    name: c.name,
    ready: false,
    restartCount: 0,
    started: false,
    state: { waiting: { reason: failure, message: messages[failure] || failure } },
  };
}

function makePod(state, { name, namespace, template, labels, ownerRefs, claims }) {
  const containers = template.spec.containers;
  const failure = failureOf(state, containers);
  const unbound = (claims || []).find((c) => c.status?.phase !== 'Bound');
  const meta = {
    name,
    namespace,
    uid: uid(`${namespace}/${name}/${JSON.stringify(labels)}`),
    labels,
    annotations: template.metadata?.annotations || {},
    ownerReferences: ownerRefs,
    creationTimestamp: NOW(),
  };
  const spec = {
    containers: containers.map((c) => ({
      name: c.name,
      image: c.image,
      imagePullPolicy: c.imagePullPolicy,
      ports: c.ports,
    })),
    volumes: [
      ...(template.spec.volumes || []),
      ...(claims || []).map((c) => ({
        name: c.templateName,
        persistentVolumeClaim: { claimName: c.metadata.name },
      })),
    ],
  };
  if (unbound) {
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta,
      spec,
      status: {
        conditions: [
          {
            lastProbeTime: null,
            lastTransitionTime: NOW(),
            message:
              '0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
            reason: 'Unschedulable',
            status: 'False',
            type: 'PodScheduled',
          },
        ],
        phase: 'Pending',
        qosClass: 'Burstable',
      },
    };
  }
  const ready = !failure;
  const running = !failure || failure === 'CrashLoopBackOff' || failure === 'NotReady';
  const ip = `127.0.100.${(parseInt(hexHash(name, 2), 16) % 250) + 2}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta,
    spec: { ...spec, nodeName: 'minikube' },
    status: {
      conditions: [
        { type: 'Initialized', status: 'True' },
        {
          type: 'Ready',
          status: ready ? 'True' : 'False',
          ...(ready ? {} : { reason: 'ContainersNotReady' }),
        },
        { type: 'ContainersReady', status: ready ? 'True' : 'False' },
        { type: 'PodScheduled', status: 'True' },
      ],
      containerStatuses: containers.map((c) => containerStatus(c, failure, name)),
      hostIP: '192.168.49.2',
      phase: running ? 'Running' : 'Pending',
      podIP: ip,
      qosClass: 'Burstable',
      startTime: NOW(),
    },
  };
}

function podEvents(pod) {
  const involvedObject = {
    kind: 'Pod',
    name: pod.metadata.name,
    namespace: pod.metadata.namespace,
  };
  const base = {
    apiVersion: 'v1',
    kind: 'Event',
    involvedObject,
    lastTimestamp: NOW(),
    firstTimestamp: NOW(),
  };
  const scheduled = pod.status.conditions.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False')
    return [
      {
        ...base,
        type: 'Warning',
        reason: 'FailedScheduling',
        message: scheduled.message,
        count: 1,
      },
    ];
  const waiting = pod.status.containerStatuses?.find((s) => s.state.waiting)?.state.waiting;
  const notReady = pod.status.containerStatuses?.find((s) => s.state.running && !s.ready);
  if (waiting?.reason === 'CrashLoopBackOff')
    return [
      {
        ...base,
        type: 'Normal',
        reason: 'Pulled',
        count: 5,
        message: `Container image "${pod.spec.containers[0].image}" already present on machine`,
      },
      {
        ...base,
        type: 'Warning',
        reason: 'BackOff',
        count: 12,
        message: 'Back-off restarting failed container in pod',
      },
    ];
  if (waiting)
    return [
      {
        ...base,
        type: 'Warning',
        reason: waiting.reason === 'CreateContainerConfigError' ? 'Failed' : 'ErrImageNeverPull',
        count: 3,
        message: waiting.message,
      },
    ];
  if (notReady)
    return [
      {
        ...base,
        type: 'Warning',
        reason: 'Unhealthy',
        count: 7,
        message: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
      },
    ];
  return [];
}

function claimsFor(state, namespace, set, index) {
  state.pvcs = state.pvcs || [];
  const result = [];
  for (const template of set.spec.volumeClaimTemplates || []) {
    const name = `${template.metadata.name}-${set.metadata.name}-${index}`;
    let claim = state.pvcs.find(
      (c) => c.metadata.namespace === namespace && c.metadata.name === name,
    );
    if (!claim) {
      const storage = template.spec.resources.requests.storage;
      const unbound = state.storage === 'unbound';
      const className = template.spec.storageClassName || (unbound ? undefined : 'standard');
      claim = {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: {
          name,
          namespace,
          uid: uid(`${namespace}/${name}`),
          labels: { ...(template.metadata.labels || {}), ...set.spec.selector.matchLabels },
          finalizers: ['kubernetes.io/pvc-protection'],
        },
        spec: {
          accessModes: template.spec.accessModes,
          resources: { requests: { storage } },
          ...(className ? { storageClassName: className } : {}),
          volumeMode: 'Filesystem',
          ...(unbound ? {} : { volumeName: `pvc-${uid(`${namespace}/${name}/pv`)}` }),
        },
        status: unbound
          ? { phase: 'Pending' }
          : { accessModes: template.spec.accessModes, capacity: { storage }, phase: 'Bound' },
      };
      state.pvcs.push(claim);
    }
    result.push({ ...claim, templateName: template.metadata.name });
  }
  return result;
}

function claimEvents(claim) {
  if (claim.status?.phase === 'Bound') return [];
  const involvedObject = {
    kind: 'PersistentVolumeClaim',
    name: claim.metadata.name,
    namespace: claim.metadata.namespace,
  };
  const className = claim.spec.storageClassName;
  return [
    {
      apiVersion: 'v1',
      kind: 'Event',
      involvedObject,
      count: 3,
      lastTimestamp: NOW(),
      ...(className
        ? {
            type: 'Warning',
            reason: 'ProvisioningFailed',
            message: `storageclass.storage.k8s.io "${className}" not found`,
          }
        : {
            type: 'Normal',
            reason: 'FailedBinding',
            message: 'no persistent volumes available for this claim and no storage class is set',
          }),
    },
  ];
}

/** Events as the API server lists them: named <object>.<hex>, in the object's namespace. */
function named(event) {
  const about = event.involvedObject;
  return {
    ...event,
    metadata: {
      name: `${about.name}.${hexHash(`${about.name}/${event.reason}`, 16)}`,
      namespace: about.namespace,
    },
  };
}

function stored(state, namespace, obj) {
  state.objects = state.objects || {};
  const key = `${namespace}/${obj.kind}/${obj.metadata.name}`;
  const before = state.objects[key];
  const specChanged = !before || JSON.stringify(before.spec) !== JSON.stringify(obj.spec);
  const generation = before ? (before.metadata.generation || 1) + (specChanged ? 1 : 0) : 1;
  const next = {
    ...obj,
    metadata: {
      ...obj.metadata,
      namespace,
      uid: before?.metadata.uid || uid(`${namespace}/${obj.kind}/${obj.metadata.name}`),
      generation,
      annotations: { ...(obj.metadata.annotations || {}) },
    },
  };
  state.objects[key] = next;
  return next;
}

/** Makes the cluster hold exactly `objects` for the release, as the controllers would. */
function materialize(state, namespace, release, objects) {
  state.objects = state.objects || {};
  state.replicaSets = state.replicaSets || [];
  state.pods = state.pods || [];
  state.events = state.events || [];
  const keep = new Set(objects.map((o) => `${namespace}/${o.kind}/${o.metadata.name}`));
  for (const key of Object.keys(state.objects)) {
    const o = state.objects[key];
    if (
      key.startsWith(`${namespace}/`) &&
      o.metadata?.labels?.[INSTANCE] === release &&
      !keep.has(key)
    )
      delete state.objects[key];
  }
  const newPods = [];
  for (const obj of objects.filter((o) =>
    ['Deployment', 'StatefulSet', 'Service'].includes(o.kind),
  )) {
    const o = stored(state, namespace, obj);
    if (o.kind === 'Deployment') {
      const hash = hexHash(JSON.stringify(o.spec.template));
      const owned = state.replicaSets.filter(
        (rs) =>
          rs.metadata.namespace === namespace &&
          rs.metadata.ownerReferences?.[0]?.name === o.metadata.name,
      );
      const top = Math.max(0, ...owned.map((rs) => Number(rs.metadata.annotations[REVISION])));
      let rs = owned.find((r) => r.metadata.labels['pod-template-hash'] === hash);
      const previous = owned.find((r) => r !== rs && (r.spec.replicas || 0) > 0);
      const replicas = o.spec.replicas ?? 1;
      if (!rs) {
        const name = `${o.metadata.name}-${hash}`;
        rs = {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          metadata: {
            name,
            namespace,
            uid: uid(`${namespace}/rs/${name}`),
            generation: 1,
            labels: { ...o.spec.template.metadata.labels, 'pod-template-hash': hash },
            annotations: { [REVISION]: String(top + 1) },
            ownerReferences: owner('Deployment', o),
          },
          spec: { replicas },
          status: {},
        };
        state.replicaSets.push(rs);
      } else if (Number(rs.metadata.annotations[REVISION]) !== top) {
        rs.metadata.annotations[REVISION] = String(top + 1);
      }
      o.metadata.annotations[REVISION] = rs.metadata.annotations[REVISION];
      const failure = failureOf(state, o.spec.template.spec.containers);
      const existing = state.pods.filter(
        (p) => p.metadata.ownerReferences?.[0]?.uid === rs.metadata.uid,
      );
      const pods =
        existing.length === replicas && !failure
          ? existing
          : Array.from({ length: replicas }, (_, i) =>
              makePod(state, {
                name: `${rs.metadata.name}-${hexHash(`${rs.metadata.name}/${i}`, 5)}`,
                namespace,
                template: o.spec.template,
                labels: rs.metadata.labels,
                ownerRefs: owner('ReplicaSet', rs),
              }),
            );
      // A new ReplicaSet whose pods never get ready leaves the old one running (maxUnavailable 0).
      const keepOld = failure && previous;
      state.pods = state.pods.filter((p) => {
        const ref = p.metadata.ownerReferences?.[0];
        if (ref?.uid === rs.metadata.uid) return false;
        if (ref?.kind !== 'ReplicaSet') return true;
        const other = owned.find((r) => r.metadata.uid === ref.uid);
        return !other || (keepOld && other === previous);
      });
      for (const other of owned)
        if (other !== rs && !(keepOld && other === previous)) other.spec.replicas = 0;
      state.pods.push(...pods);
      newPods.push(...pods);
      const ready = pods.filter(
        (p) => p.status.conditions.find((c) => c.type === 'Ready')?.status === 'True',
      ).length;
      rs.spec.replicas = replicas;
      rs.status = {
        availableReplicas: ready,
        fullyLabeledReplicas: replicas,
        observedGeneration: rs.metadata.generation,
        readyReplicas: ready,
        replicas,
      };
      const old = keepOld ? previous.spec.replicas : 0;
      if (keepOld)
        previous.status = {
          ...previous.status,
          availableReplicas: old,
          readyReplicas: old,
          replicas: old,
        };
      o.status = {
        availableReplicas: ready + old,
        conditions: [
          ready + old >= replicas
            ? {
                type: 'Available',
                status: 'True',
                reason: 'MinimumReplicasAvailable',
                message: 'Deployment has minimum availability.',
              }
            : {
                type: 'Available',
                status: 'False',
                reason: 'MinimumReplicasUnavailable',
                message: 'Deployment does not have minimum availability.',
              },
          ready === replicas
            ? {
                type: 'Progressing',
                status: 'True',
                reason: 'NewReplicaSetAvailable',
                message: `ReplicaSet "${rs.metadata.name}" has successfully progressed.`,
              }
            : {
                type: 'Progressing',
                status: 'True',
                reason: 'ReplicaSetUpdated',
                message: `ReplicaSet "${rs.metadata.name}" is progressing.`,
              },
        ],
        observedGeneration: o.metadata.generation,
        readyReplicas: ready + old,
        replicas: replicas + old,
        updatedReplicas: replicas,
        ...(replicas - ready > 0 ? { unavailableReplicas: replicas - ready } : {}),
      };
    } else if (o.kind === 'StatefulSet') {
      const revision = `${o.metadata.name}-${hexHash(JSON.stringify(o.spec.template))}`;
      const replicas = o.spec.replicas ?? 1;
      state.pods = state.pods.filter(
        (p) => p.metadata.ownerReferences?.[0]?.uid !== o.metadata.uid,
      );
      const pods = Array.from({ length: replicas }, (_, i) =>
        makePod(state, {
          name: `${o.metadata.name}-${i}`,
          namespace,
          template: o.spec.template,
          labels: {
            ...o.spec.template.metadata.labels,
            'apps.kubernetes.io/pod-index': String(i),
            'controller-revision-hash': revision,
            'statefulset.kubernetes.io/pod-name': `${o.metadata.name}-${i}`,
          },
          ownerRefs: owner('StatefulSet', o),
          claims: claimsFor(state, namespace, o, i),
        }),
      );
      state.pods.push(...pods);
      newPods.push(...pods);
      const ready = pods.filter(
        (p) => p.status.conditions.find((c) => c.type === 'Ready')?.status === 'True',
      ).length;
      o.status = {
        availableReplicas: ready,
        collisionCount: 0,
        currentReplicas: replicas,
        currentRevision: revision,
        observedGeneration: o.metadata.generation,
        ...(ready ? { readyReplicas: ready } : {}),
        replicas,
        updateRevision: revision,
        updatedReplicas: replicas,
      };
    }
  }
  const podNames = new Set(newPods.map((p) => p.metadata.name));
  state.events = state.events.filter((e) => !podNames.has(e.involvedObject?.name));
  state.events.push(...newPods.flatMap(podEvents).map(named));
  for (const claim of (state.pvcs || []).filter(inNs(namespace)).filter(ofRelease(release))) {
    state.events = state.events.filter((e) => e.involvedObject?.name !== claim.metadata.name);
    state.events.push(...claimEvents(claim).map(named));
  }
  state.logs = state.logs || {};
  for (const pod of newPods) {
    if (pod.status.containerStatuses?.some((s) => s.restartCount > 0))
      state.logs[pod.metadata.name] =
        state.failLog || 'Error: JWT_SECRET_KEY is required when NODE_ENV=production';
    else if (pod.status.phase === 'Running')
      state.logs[pod.metadata.name] =
        state.logs[pod.metadata.name] || `{"level":30,"msg":"listening"}`;
  }
  state.rolloutPolls = state.slowRollout || 0;
}

/** `helm uninstall`: the manifest's objects and their pods go; claims and hook pods stay. */
function removeRelease(state, namespace, release) {
  const uids = new Set();
  for (const key of Object.keys(state.objects || {})) {
    const o = state.objects[key];
    if (
      key.startsWith(`${namespace}/`) &&
      (!o.metadata?.labels ||
        o.metadata.labels[INSTANCE] === release ||
        key.split('/')[2].startsWith(`${release}-`))
    ) {
      if (o.metadata?.uid) uids.add(o.metadata.uid);
      delete state.objects[key];
    }
  }
  state.replicaSets = (state.replicaSets || []).filter((rs) => {
    const gone =
      rs.metadata.namespace === namespace && uids.has(rs.metadata.ownerReferences?.[0]?.uid);
    if (gone) uids.add(rs.metadata.uid);
    return !gone;
  });
  return uids;
}

const ready = (pod) => pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';

/** The release objects as `kubectl get a,b,c -l … -o json` lists them, kind by kind. */
function listKinds(state, namespace, kinds, selector) {
  const [labelKey, labelValue] = selector ? selector.split('=') : [];
  const match = (o) =>
    o.metadata.namespace === namespace &&
    (!selector || o.metadata.labels?.[labelKey] === labelValue);
  const objects = Object.values(state.objects || {});
  const slow = (state.rolloutPolls || 0) > 0;
  const byKind = {
    deployments: objects.filter((o) => o.kind === 'Deployment'),
    replicasets: state.replicaSets || [],
    statefulsets: objects.filter((o) => o.kind === 'StatefulSet'),
    pods: state.pods || [],
    persistentvolumeclaims: state.pvcs || [],
    services: objects.filter((o) => o.kind === 'Service'),
  };
  const alias = {
    deployment: 'deployments',
    deploy: 'deployments',
    replicaset: 'replicasets',
    rs: 'replicasets',
    statefulset: 'statefulsets',
    sts: 'statefulsets',
    pod: 'pods',
    po: 'pods',
    pvc: 'persistentvolumeclaims',
    persistentvolumeclaim: 'persistentvolumeclaims',
    service: 'services',
    svc: 'services',
  };
  const items = [];
  for (const kind of kinds) {
    const list = (byKind[alias[kind] || kind] || []).filter(match);
    items.push(...list.map((o) => (slow ? slowed(o) : o)));
  }
  return {
    apiVersion: 'v1',
    items: JSON.parse(JSON.stringify(items)),
    kind: 'List',
    metadata: { resourceVersion: '' },
  };
}

/** During a slow rollout the newest pods are still being created and not counted available. */
function slowed(o) {
  const copy = JSON.parse(JSON.stringify(o));
  if (copy.kind === 'Pod' && copy.status?.phase === 'Running' && ready(copy)) {
    copy.status.conditions = copy.status.conditions.map((c) =>
      c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False' } : c,
    );
    copy.status.containerStatuses = copy.status.containerStatuses.map((s) => ({
      ...s,
      ready: false,
      started: false,
      state: { waiting: { reason: 'ContainerCreating' } },
    }));
    copy.status.phase = 'Pending';
  }
  if (copy.kind === 'Deployment') {
    copy.status = {
      ...copy.status,
      availableReplicas: 0,
      readyReplicas: 0,
      unavailableReplicas: copy.spec.replicas ?? 1,
    };
  }
  if (copy.kind === 'StatefulSet') {
    delete copy.status.readyReplicas;
    copy.status.availableReplicas = 0;
  }
  if (copy.kind === 'ReplicaSet')
    copy.status = { ...copy.status, availableReplicas: 0, readyReplicas: 0 };
  return copy;
}

function endpointSlices(state, namespace) {
  return Object.values(state.objects || {})
    .filter((o) => o.kind === 'Service' && o.metadata.namespace === namespace)
    .map((svc) => {
      const pods = (state.pods || []).filter(
        (p) =>
          p.metadata.namespace === namespace &&
          svc.spec.selector &&
          Object.entries(svc.spec.selector).every(([k, v]) => p.metadata.labels?.[k] === v),
      );
      const endpoints = pods
        .filter((p) => p.status?.podIP)
        .map((p) => ({
          addresses: [p.status.podIP],
          conditions: { ready: ready(p), serving: ready(p), terminating: false },
          targetRef: { kind: 'Pod', name: p.metadata.name, namespace },
        }));
      return {
        addressType: 'IPv4',
        apiVersion: 'discovery.k8s.io/v1',
        endpoints: endpoints.length ? endpoints : null,
        kind: 'EndpointSlice',
        metadata: {
          generateName: `${svc.metadata.name}-`,
          labels: {
            ...svc.metadata.labels,
            'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
            'kubernetes.io/service-name': svc.metadata.name,
          },
          name: `${svc.metadata.name}-${hexHash(svc.metadata.name, 5)}`,
          namespace,
          ownerReferences: owner('Service', svc),
        },
        ports: null,
      };
    });
}

/**
 * `kubectl port-forward pod/NAME :PORT`: listens on 127.0.0.1 and answers the app's /ready from
 * the state (503 for services listed in `notReady`), printing kubectl's own lines, until killed.
 */
function portForward(state, namespace, podName, remotePort) {
  const pod = (state.pods || []).find(
    (p) => p.metadata.namespace === namespace && p.metadata.name === podName,
  );
  if (!pod) shim.fail(`Error from server (NotFound): pods "${podName}" not found`);
  if (pod.status?.phase !== 'Running')
    shim.fail(
      `error: unable to forward port because pod is not running. Current status=${pod.status?.phase || 'Pending'}`,
    );
  if (state.portForwardError) shim.fail(state.portForwardError);
  const services = Object.values(state.objects || {}).filter(
    (o) =>
      o.kind === 'Service' &&
      o.metadata.namespace === namespace &&
      o.spec.selector &&
      Object.entries(o.spec.selector).every(([k, v]) => pod.metadata.labels?.[k] === v),
  );
  const failing = services.some((s) => (state.notReady || []).includes(s.metadata.name));
  const server = http.createServer((req, res) => {
    process.stdout.write(`Handling connection for ${server.address().port}\n`);
    shim.record('kubectl-port-forward-request', [req.method, req.url, podName]);
    const body = failing
      ? {
          status: 'fail',
          checks: {
            database: { status: 'fail', duration_ms: 2003, error: 'timeout after 2000ms' },
          },
        }
      : { status: 'ok', checks: { database: { status: 'ok', duration_ms: 2 } } };
    res.writeHead(req.url === '/ready' ? (failing ? 503 : 200) : 404, {
      'content-type': 'application/json',
    });
    res.end(JSON.stringify(body));
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`Forwarding from 127.0.0.1:${server.address().port} -> ${remotePort}\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

module.exports = { materialize, removeRelease, listKinds, endpointSlices, portForward, hexHash };
