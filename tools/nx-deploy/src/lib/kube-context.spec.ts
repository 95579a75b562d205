import type { CommandResult } from './exec';
import { kubeContextProblem, localClusterContext, readCurrentContext } from './kube-context';

const answered = (stdout: string, stderr = '', exitCode = 0): CommandResult => ({
  command: 'kubectl',
  args: ['config', 'current-context'],
  stdout,
  stderr,
  exitCode,
  notFound: false,
  durationMs: 1,
});

describe('readCurrentContext', () => {
  it('reads the context, none set, a missing kubectl and a broken kubeconfig', () => {
    expect(readCurrentContext(answered('minikube\n'))).toEqual({ current: 'minikube' });
    expect(readCurrentContext(answered('', 'error: current-context is not set', 1))).toEqual({
      kubectlError: 'error: current-context is not set',
    });
    expect(
      readCurrentContext({ ...answered('', 'kubectl: command not found', 127), notFound: true }),
    ).toEqual({
      kubectlError: 'kubectl: command not found',
      problem:
        'kubectl is not installed — install kubectl: https://kubernetes.io/docs/tasks/tools/',
    });
    expect(
      readCurrentContext(answered('', 'error: error loading config file "/x": yaml: bad', 1)),
    ).toEqual({
      kubectlError: 'error: error loading config file "/x": yaml: bad',
      problem:
        'kubectl config current-context failed: error: error loading config file "/x": yaml: bad — check your kubeconfig (kubectl config view)',
    });
  });
});

describe('kubeContextProblem', () => {
  const target = { context: 'minikube', wants: 'this teardown targets' };

  it('accepts the target, or any context when there is no target', () => {
    expect(kubeContextProblem({ current: 'minikube' }, target)).toBeUndefined();
    expect(kubeContextProblem({ current: 'prod-eu' })).toBeUndefined();
  });

  it('names the way out of each wrong state', () => {
    expect(kubeContextProblem({ current: 'prod-eu' }, target)).toBe(
      'current kube context is "prod-eu", this teardown targets "minikube" — run: kubectl config use-context minikube, or pass --kubeContext=prod-eu',
    );
    expect(kubeContextProblem({}, target)).toBe(
      'no current kube context, this teardown targets "minikube" — run: kubectl config use-context minikube',
    );
    expect(kubeContextProblem({})).toBe(
      'no current kube context — run: kubectl config use-context <context>',
    );
    expect(kubeContextProblem({ problem: 'kubectl is not installed — …' }, target)).toBe(
      'kubectl is not installed — …',
    );
  });
});

it('localClusterContext names the context minikube and kind write', () => {
  const names = { minikubeProfile: 'todo', kindCluster: 'dev' };
  expect(['minikube', 'kind', 'any'].map((c) => localClusterContext(c, names))).toEqual([
    'todo',
    'kind-dev',
    undefined,
  ]);
});
