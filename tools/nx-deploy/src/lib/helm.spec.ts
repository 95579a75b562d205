import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REAL_CHART, runRealHelm } from '../../test/harness';
import {
  helmGetValuesArgs,
  helmHistoryArgs,
  helmListArgs,
  helmRollbackArgs,
  helmUninstallArgs,
  helmUpgradeArgs,
  lastGoodRevision,
  parseHelmHistory,
  parseHelmList,
  parseHelmValues,
} from './helm';

const RECORDED = path.join(__dirname, '../../test/fixtures/recorded');
const recorded = (file: string) => readFileSync(path.join(RECORDED, file), 'utf8');

const upgrade = (helmMajor: number) =>
  helmUpgradeArgs({
    release: 'todo-app',
    chartDir: REAL_CHART,
    namespace: 'todo-dev',
    kubeContext: 'minikube',
    valuesFiles: [path.join(REAL_CHART, 'values-dev.yaml')],
    setStrings: [
      ['frontend.image.tag', '1234e5'],
      ['backend.image.tag', 'abc'],
    ],
    sets: [['backend.replicaCount', '1']],
    timeout: '5m',
    helmMajor,
  });

/** Every helm command line the deploy executor generates, for one Helm major version. */
const commands = (major: 3 | 4): Record<string, string[]> => ({
  'upgrade --install': upgrade(major),
  list: helmListArgs('todo-app', 'todo-dev', 'minikube', major),
  'get values': helmGetValuesArgs('todo-app', 'todo-dev', 'minikube'),
  history: helmHistoryArgs('todo-app', 'todo-dev', 'minikube'),
  rollback: helmRollbackArgs('todo-app', 4, 'todo-dev', 'minikube', '5m'),
  uninstall: helmUninstallArgs('todo-app', 'todo-dev', 'minikube', '5m'),
});

describe('helm command lines', () => {
  it('upgrade: values files, --set-string tags (a hex tag like 1234e5 stays a string), no --wait or --atomic', () => {
    expect(upgrade(3)).toEqual([
      'upgrade',
      '--install',
      'todo-app',
      REAL_CHART,
      '--namespace',
      'todo-dev',
      '--create-namespace',
      '--kube-context',
      'minikube',
      '-f',
      path.join(REAL_CHART, 'values-dev.yaml'),
      '--set-string',
      'frontend.image.tag=1234e5',
      '--set-string',
      'backend.image.tag=abc',
      '--set',
      'backend.replicaCount=1',
      '--timeout',
      '5m',
    ]);
    expect(upgrade(4)).toEqual(upgrade(3));
  });

  it('list: --all only on Helm 3 (Helm 4 lists every status and has no --all)', () => {
    expect(helmListArgs('todo-app', 'ns', 'ctx', 3)).toEqual([
      'list',
      '--all',
      '--filter',
      '^todo-app$',
      '-o',
      'json',
      '--namespace',
      'ns',
      '--kube-context',
      'ctx',
    ]);
    expect(helmListArgs('todo-app', 'ns', 'ctx', 4)).not.toContain('--all');
  });

  describe.each([3, 4] as const)('the real Helm %i', (major) => {
    it.each(Object.entries(commands(major)))(
      'accepts the generated `helm %s` (it fails only for want of a cluster)',
      (_name, args) => {
        const { status, stderr } = runRealHelm(major, args);
        expect(stderr).not.toMatch(
          /unknown flag|unknown shorthand|invalid argument|unknown command/,
        );
        expect(stderr).toMatch(/cluster unreachable|connection refused|127\.0\.0\.1:1/i);
        expect(status).not.toBe(0);
      },
    );
  });

  it('the guard is real: Helm 4 refuses `list --all`, Helm 3 refuses `--rollback-on-failure`', () => {
    expect(runRealHelm(4, helmListArgs('todo-app', 'ns', 'minikube', 3)).stderr).toContain(
      'unknown flag: --all',
    );
    expect(runRealHelm(3, [...upgrade(3), '--rollback-on-failure']).stderr).toContain(
      'unknown flag: --rollback-on-failure',
    );
  });
});

describe('reading what Helm printed (recorded from Helm 3.17.2 and 4.1.4 on a real API server)', () => {
  it('finds the release in `helm list -o json`, with its revision as a number', () => {
    expect(parseHelmList(recorded('helm3-list-failed-install.json'), 'todo-app')).toEqual({
      name: 'todo-app',
      namespace: 'rec-nxd3',
      revision: 1,
      status: 'failed',
      chart: 'todo-app-0.1.0',
      app_version: '0.1.0',
    });
    expect(parseHelmList(recorded('helm4-list-deployed.json'), 'todo-app')).toMatchObject({
      revision: 2,
      status: 'deployed',
    });
    expect(parseHelmList(recorded('helm3-list-none.json'), 'todo-app')).toBeUndefined();
    expect(
      parseHelmList('[{"name":"todo-app-2","revision":"1","status":"deployed"}]', 'todo-app'),
    ).toBeUndefined();
  });

  it.each([
    ['', 'helm list (Helm v4.1.4) answered nothing where JSON was expected'],
    [
      'Error: something',
      'helm list (Helm v4.1.4) answered something that is not JSON: "Error: something"',
    ],
    [
      '{"name":"todo-app"}',
      'helm list (Helm v4.1.4) answered JSON that is not a list: "{\\"name\\":\\"todo-app\\"}"',
    ],
    [
      '[{"name":"todo-app","status":"deployed"}]',
      'helm list (Helm v4.1.4) answered a row without revision or status: "[{\\"name\\":\\"todo-app\\",\\"status\\":\\"deployed\\"}]"',
    ],
  ])(
    'an unusable `helm list` answer %j is one line naming the step and the version',
    (out, message) => {
      expect(() => parseHelmList(out, 'todo-app', 'Helm v4.1.4')).toThrow(message);
    },
  );

  it('`helm get values -o json`: a mapping, or null for a release without user values', () => {
    expect(parseHelmValues(recorded('helm3-get-values.json'))).toMatchObject({
      backend: { image: { tag: '1a2b3c4d5e6f7081' } },
    });
    expect(parseHelmValues('null\n')).toEqual({});
    expect(() => parseHelmValues('[1]', 'Helm v3.17.2')).toThrow(
      'helm get values (Helm v3.17.2) answered JSON that is not a mapping of values: "[1]"',
    );
  });

  it('the revision a failure returns to: the newest deployed one below the failed revision, else superseded', () => {
    const afterRollback = parseHelmHistory(recorded('helm4-history-after-rollback.json'));
    expect(afterRollback.map((e) => `${e.revision} ${e.status}`)).toEqual([
      '1 superseded',
      '2 superseded',
      '3 deployed',
    ]);
    expect(lastGoodRevision(afterRollback)).toBe(3);
    expect(lastGoodRevision(afterRollback, 3)).toBe(2);
    expect(
      lastGoodRevision(parseHelmHistory(recorded('helm3-history-failed-install.json')), 1),
    ).toBeUndefined();
    expect(
      lastGoodRevision([
        { revision: 1, status: 'superseded' },
        { revision: 2, status: 'deployed' },
        { revision: 3, status: 'failed' },
      ]),
    ).toBe(2);
  });
});
