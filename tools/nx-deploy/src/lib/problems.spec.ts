import * as problems from './problems';

const claim: problems.UnboundClaim = {
  name: 'data-todo-app-postgresql-0',
  phase: 'Pending',
  value: 'postgresql.persistence.storageClass',
  lastEvent: '',
};

/** One example of each message: a catalogue of what the executors print when something is wrong. */
const examples: Record<string, string> = {
  toolNotInstalled: problems.toolNotInstalled('helm'),
  toolNotAnswering: problems.toolNotAnswering('docker', 'permission denied'),
  helmUnsupported: problems.helmUnsupported('v2.17.0'),
  toolPrintedNoVersion: problems.toolPrintedNoVersion('kind', 'kind version', '""'),
  dockerDaemonDown: problems.dockerDaemonDown('Cannot connect to the Docker daemon'),
  podmanNotWorking: problems.podmanNotWorking('cannot find newuidmap'),
  engineInfoWithoutVersion: problems.engineInfoWithoutVersion('docker 28.2.2', 'docker'),
  minikubeNotRunning: problems.minikubeNotRunning('minikube', 'host Stopped', 'minikube start'),
  minikubeStatusUnreadable: problems.minikubeStatusUnreadable('minikube v1', 'minikube', '"x"'),
  kindClusterMissing: problems.kindClusterMissing('kind'),
  wrongKubeContext: problems.wrongKubeContext('prod-eu', 'minikube', 'expected'),
  noCurrentKubeContext: problems.noCurrentKubeContext(),
  kubeconfigUnreadable: problems.kubeconfigUnreadable('error: yaml: bad'),
  clusterNotAnswering: problems.clusterNotAnswering('refused', problems.CLUSTER_FIX.checkCurrent),
  readyzUnexpected: problems.readyzUnexpected('kubectl v1.33.9', 'nothing', 'minikube'),
  nodesNotListed: problems.nodesNotListed('Forbidden'),
  nodesUnreadable: problems.nodesUnreadable('kubectl v1.33.9', 'printed nothing', 'minikube'),
  nodeTooSmall: problems.nodeTooSmall({ cpu: 1, memoryMiB: 900 }, { cpus: 2, memoryMiB: 4096 }),
  tooFewCpus: problems.tooFewCpus(1, 2),
  lowFreeMemory: problems.lowFreeMemory(1000, 4096),
  kubectlAnswerUnusable: problems.kubectlAnswerUnusable('pods', 'printed nothing', 'kubectl get'),
  podsOutlivedTimeout: problems.podsOutlivedTimeout(
    { release: 'todo-app', namespace: 'todo-dev', timeout: '5m' },
    ['todo-app-test-ready (terminating)'],
    'kubectl get pods',
  ),
  KEPT_DATA_NEEDS_PASSWORD: problems.KEPT_DATA_NEEDS_PASSWORD,
  envFileMissing: problems.envFileMissing('/ws/.env'),
  secretKeysMissing: problems.secretKeysMissing(['JWT_SECRET_KEY'], '.env', true),
  NO_SECRET_KEYS: problems.NO_SECRET_KEYS,
  kubectlApplyFailed: problems.kubectlApplyFailed(
    'namespaces "todo" not found',
    problems.createNamespaceFix('minikube', 'todo'),
  ),
  imageNeverPulled: problems.imageNeverPulled('container backend', 'todo/backend:1'),
  imagePullFailed: problems.imagePullFailed('container backend', 'todo/backend:1', 'x', false),
  invalidImageName: problems.invalidImageName('container backend', 'Todo:'),
  crashLoopOutOfMemory: problems.crashLoopOutOfMemory('container backend', 3),
  killedOutOfMemory: problems.killedOutOfMemory('container backend'),
  claimLost: problems.claimLost({ ...claim, phase: 'Lost' }, 'pvc-1'),
  claimWithoutDefaultClass: problems.claimWithoutDefaultClass(claim),
  claimWithoutClassOrVolume: problems.claimWithoutClassOrVolume(claim),
  claimWithEmptyClass: problems.claimWithEmptyClass(claim),
  claimClassMissing: problems.claimClassMissing(claim, 'fast'),
  claimWaitsForConsumer: problems.claimWaitsForConsumer(claim, 'standard'),
  claimNotProvisioned: problems.claimNotProvisioned(claim, 'standard', 'k8s.io/minikube-hostpath'),
};

/** Parts of messages, not messages. */
const FIXES = ['INSTALL_FIX', 'CLUSTER_FIX', 'createNamespaceFix'];

it('has an example of every message', () => {
  const messages = Object.keys(problems).filter((name) => !FIXES.includes(name));
  expect(messages.sort()).toEqual(Object.keys(examples).sort());
});

it.each(Object.entries(examples))('%s is one line: the problem, a dash, its fix', (_, text) => {
  expect(text).not.toContain('\n');
  const [problem, fix] = text.split(' — ');
  expect(problem.length).toBeGreaterThan(0);
  expect(fix?.trim().length).toBeGreaterThan(0);
});
