import { normalizeDeployOptions } from './deploy-options';

const normalize = (options: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) =>
  normalizeDeployOptions({ namespace: 'todo-dev', ...options } as never, 'frontend', '/ws', env);

describe('normalizeDeployOptions', () => {
  it('fills the defaults a Minikube dev deploy needs', () => {
    const options = normalize({});
    expect(options).toMatchObject({
      release: 'todo-app',
      chartDir: '/ws/deploy/helm/todo-app',
      kubeContext: 'minikube',
      imageDelivery: 'minikube',
      engine: 'docker',
      chartKey: 'frontend',
      deployment: 'todo-app-frontend',
      service: 'todo-app-frontend',
      servicePort: 'http',
      timeout: '5m',
    });
    expect(options.releaseApps).toEqual([
      { chartKey: 'frontend', project: 'frontend' },
      { chartKey: 'backend', project: 'backend' },
    ]);
    expect(options.manifestPath('backend')).toBe('/ws/dist/images/backend.json');
  });

  it('takes the engine from CONTAINER_ENGINE unless the option says otherwise', () => {
    expect(normalize({}, { CONTAINER_ENGINE: 'podman' }).engine).toBe('podman');
    expect(normalize({ engine: 'docker' }, { CONTAINER_ENGINE: 'podman' }).engine).toBe('docker');
    expect(() => normalize({}, { CONTAINER_ENGINE: 'nerdctl' })).toThrow(
      'Invalid option "CONTAINER_ENGINE": must be "docker" or "podman", got "nerdctl"',
    );
  });

  it.each([
    [
      { namespace: 'Todo_Dev' },
      'Invalid option "namespace": "Todo_Dev" must be a DNS label: lower-case letters, digits and \'-\', at most 63 characters',
    ],
    [
      { imageDelivery: 'registry' },
      'Invalid option "registry": is required when imageDelivery is "registry" (for example ghcr.io/acme)',
    ],
    [
      { imageDelivery: 'registry', registry: 'https://ghcr.io/acme' },
      'Invalid option "registry": "https://ghcr.io/acme" must be a host/path without a scheme',
    ],
    [
      { imageDelivery: 'registry', registry: 'ghcr.io/acme' },
      'Invalid option "kubeContext": is required when imageDelivery is "registry": name the cluster this configuration deploys to',
    ],
    [
      { timeout: '5 minutes' },
      'Invalid option "timeout": "5 minutes" must be a duration such as 90s, 5m or 1h30m',
    ],
    [{ readyPath: 'ready' }, 'Invalid option "readyPath": must start with /'],
    [
      { lockTimeout: -1 },
      'Invalid option "lockTimeout": must be a whole number of seconds, 0 or more',
    ],
  ])('refuses %j with a message naming the option and the rule', (options, message) => {
    expect(() => normalize(options)).toThrow(message);
  });

  it('kind defaults its context to kind-<cluster>', () => {
    expect(normalize({ imageDelivery: 'kind', kindCluster: 'dev' }).kubeContext).toBe('kind-dev');
  });

  it('gives the dev loop its defaults only with --watch', () => {
    expect(normalize({ forwardPort: 8080 }).watch).toBeUndefined();
    expect(normalize({ watch: true, forwardPort: 8080 }).watch).toEqual({
      forwardPort: 8080,
      logs: true,
      debounceMs: 300,
      cleanup: false,
    });
  });

  it.each([
    [{ cleanup: true }, 'Invalid option "cleanup": applies only with --watch'],
    [{ watch: true, dryRun: true }, 'Invalid option "watch": cannot be combined with --dryRun'],
    [
      { watch: true, forwardPort: 70000 },
      'Invalid option "forwardPort": must be a whole number from 0 to 65535, got 70000',
    ],
    [
      { watch: true, watchDebounceMs: 1.5 },
      'Invalid option "watchDebounceMs": must be a whole number from 10 to 10000, got 1.5',
    ],
  ])('refuses a dev loop setting that cannot work: %j', (options, message) => {
    expect(() => normalize(options)).toThrow(message);
  });
});
