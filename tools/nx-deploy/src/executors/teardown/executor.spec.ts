/** teardown against the recorded helm/kubectl shims (no cluster can run in CI). */
import { REAL_CHART, ShimWorld } from '../../../test/harness';
import { execCommand } from '../../lib/exec';
import { normalizeTeardownOptions, runTeardown, teardownCommands } from './executor';

describe('teardown', () => {
  it('uninstalls with --wait and deletes the namespace only when asked', () => {
    const options = normalizeTeardownOptions({ namespace: 'todo-dev', deleteNamespace: true });
    expect(teardownCommands(options)).toEqual([
      {
        command: 'helm',
        args: [
          'uninstall',
          'todo-app',
          '--wait',
          '--timeout',
          '5m',
          '--namespace',
          'todo-dev',
          '--kube-context',
          'minikube',
        ],
      },
      {
        command: 'kubectl',
        args: ['--context', 'minikube', 'delete', 'namespace', 'todo-dev', '--timeout=5m'],
      },
    ]);
    expect(teardownCommands(normalizeTeardownOptions({ namespace: 'todo-dev' }))).toHaveLength(1);
    expect(() => normalizeTeardownOptions({ namespace: 'todo-dev', timeout: 'soon' })).toThrow(
      'Invalid option "timeout"',
    );
  });

  describe('against the shims', () => {
    let world: ShimWorld;
    afterEach(() => world.leave());

    async function run(extra: Record<string, unknown> = {}) {
      const lines: string[] = [];
      const result = await runTeardown(
        normalizeTeardownOptions({ namespace: 'todo-dev', ...extra }),
        execCommand,
        (l) => lines.push(l),
      );
      return { ...result, output: lines.join('\n') };
    }

    it('removes an installed release and its namespace', async () => {
      world = new ShimWorld();
      world.enter();
      await execCommand('helm', [
        'upgrade',
        '--install',
        'todo-app',
        REAL_CHART,
        '-n',
        'todo-dev',
        '--create-namespace',
        '--set-string',
        'backend.image.tag=a,frontend.image.tag=b',
      ]);
      expect(world.state().releases?.['todo-dev/todo-app']).toBeDefined();

      const result = await run({ deleteNamespace: true });

      expect(result.success).toBe(true);
      expect(result.output).toMatch(/✔ helm uninstall todo-app \(\d+ms\)/);
      expect(result.output).toMatch(/✔ delete namespace todo-dev/);
      expect(world.state().releases?.['todo-dev/todo-app']).toBeUndefined();
      expect(world.state().namespaces).not.toContain('todo-dev');
    });

    it('is a success with a skip line when nothing is installed', async () => {
      world = new ShimWorld();
      world.enter();
      const result = await run();
      expect(result.success).toBe(true);
      expect(result.output).toContain(
        '- skip helm uninstall: release todo-app is not installed in todo-dev',
      );
    });

    it('refuses to tear down another cluster than the configured one', async () => {
      world = new ShimWorld({ state: { kube: { currentContext: 'prod-eu' } } });
      world.enter();
      const result = await run();
      expect(result.success).toBe(false);
      expect(world.calls('helm')).toEqual([]);
    });
  });
});
