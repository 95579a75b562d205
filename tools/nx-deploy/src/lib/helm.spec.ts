import { failureOutcome, helmUpgradeArgs, parseHelmList, rollbackOnFailureFlag } from './helm';

describe('helm command lines', () => {
  it('chooses the rollback flag from the major version', () => {
    expect(rollbackOnFailureFlag(3)).toBe('--atomic');
    expect(rollbackOnFailureFlag(4)).toBe('--rollback-on-failure');
  });

  it('passes tags with --set-string so a numeric-looking tag stays a string', () => {
    const args = helmUpgradeArgs({
      release: 'todo-app',
      chartDir: 'chart',
      namespace: 'ns',
      kubeContext: 'minikube',
      valuesFiles: ['a.yaml', 'b.yaml'],
      setStrings: [['frontend.image.tag', '1234e5']],
      timeout: '5m',
      helmMajor: 3,
    });
    expect(args).toEqual([
      'upgrade',
      '--install',
      'todo-app',
      'chart',
      '--namespace',
      'ns',
      '--create-namespace',
      '--kube-context',
      'minikube',
      '-f',
      'a.yaml',
      '-f',
      'b.yaml',
      '--set-string',
      'frontend.image.tag=1234e5',
      '--wait',
      '--timeout',
      '5m',
      '--atomic',
    ]);
  });

  it('reads what Helm did after a failure from its own messages (Helm 3 and 4)', () => {
    expect(
      failureOutcome(
        'Error: UPGRADE FAILED: release x failed, and has been rolled back due to atomic being set: context deadline exceeded',
      ),
    ).toBe('rolled-back');
    expect(
      failureOutcome(
        'Error: UPGRADE FAILED: release x failed, and has been rolled back due to rollback-on-failure being set: timeout',
      ),
    ).toBe('rolled-back');
    expect(
      failureOutcome(
        'Error: INSTALL FAILED: release x failed, and has been uninstalled due to atomic being set: timeout',
      ),
    ).toBe('uninstalled');
    expect(
      failureOutcome(
        'Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress',
      ),
    ).toBe('unknown');
  });

  it('finds the release in `helm list -o json`', () => {
    const out =
      '[{"name":"todo-app-2","revision":"1"},{"name":"todo-app","namespace":"ns","revision":"3","status":"deployed","chart":"todo-app-0.1.0"}]';
    expect(parseHelmList(out, 'todo-app')).toMatchObject({ revision: '3', status: 'deployed' });
    expect(parseHelmList('[]', 'todo-app')).toBeUndefined();
  });
});
