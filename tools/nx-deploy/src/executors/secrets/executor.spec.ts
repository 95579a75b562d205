/**
 * secrets: the real kubectl renders the Secret (`create secret generic --dry-run=client`); the
 * apply goes to the kubectl shim (no cluster can run in CI), which records what reached it.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import { ShimWorld } from '../../../test/harness';
import { parseDotenv } from '../../lib/dotenv';
import { execCommand, type CommandRunner } from '../../lib/exec';
import {
  REFUSED_COMMAND_LINE,
  realKubectl,
  refusingKubeconfig,
  runReal,
} from '../teardown/real-cli.testing';
import { runSecrets } from './executor';
import { normalizeSecretsOptions } from './options';
import { selectSecretValues } from './values';

const JWT = 'a-very-long-jwt-signing-key-0123456789abcdef';
const OPENAI = 'sk-test-4f9a8b7c6d5e';

describe('parseDotenv and selectSecretValues', () => {
  it('reads comments, export, quotes and escaped newlines', () => {
    const { values, errors } = parseDotenv(
      '# comment\nexport A=1\nB="two words\\nsecond line"\nC=\'single # kept\'\nD=plain # trailing comment\n\nnot a pair\n',
    );
    expect(values).toEqual({ A: '1', B: 'two words\nsecond line', C: 'single # kept', D: 'plain' });
    expect(errors).toEqual(['line 7 is not KEY=value']);
  });

  it('lists the required keys that are missing or empty', () => {
    expect(
      selectSecretValues({ A: '1', B: '' }, { keys: ['A', 'B', 'C'], optionalKeys: ['D'] }),
    ).toEqual({
      values: { A: '1' },
      missing: ['B', 'C'],
    });
  });

  it('refuses names that Kubernetes or the environment would refuse', () => {
    expect(() => normalizeSecretsOptions({ name: 'Todo_Secret', namespace: 'ns' }, '/ws')).toThrow(
      'Invalid option "name"',
    );
    expect(() =>
      normalizeSecretsOptions({ name: 'todo', namespace: 'ns', keys: ['JWT-KEY'] }, '/ws'),
    ).toThrow(
      'Invalid option "keys": "JWT-KEY" must be an environment variable name (letters, digits, _)',
    );
  });
});

describe('secrets executor', () => {
  let world: ShimWorld;
  beforeEach(() => {
    world = new ShimWorld({ state: { namespaces: ['todo-dev'] } });
    world.enter();
  });
  afterEach(() => world.leave());

  async function run(
    options: Record<string, unknown>,
    env: NodeJS.ProcessEnv,
    prompt?: (key: string) => Promise<string>,
    runner: CommandRunner = execCommand,
  ) {
    const lines: string[] = [];
    const result = await runSecrets(
      normalizeSecretsOptions(
        { name: 'todo-app-backend-env', namespace: 'todo-dev', ...options },
        world.root,
      ),
      { runner, write: (l) => lines.push(l), env, prompt },
    );
    return { ...result, output: lines.join('\n') };
  }

  it('creates the Secret from a .env file and never prints or passes a value on the command line', async () => {
    writeFileSync(
      path.join(world.root, '.env'),
      `JWT_SECRET_KEY=${JWT}\nOPENAI_API_KEY="${OPENAI}"\nUNRELATED=1\n`,
    );

    const result = await run(
      {
        envFile: '.env',
        keys: ['JWT_SECRET_KEY'],
        optionalKeys: ['OPENAI_API_KEY'],
        verbose: true,
      },
      { CI: 'true' },
    );

    expect(result.success).toBe(true);
    expect(result.output).toMatch(
      /✔ secret todo-app-backend-env created in todo-dev — keys JWT_SECRET_KEY, OPENAI_API_KEY/,
    );
    expect(result.output).not.toContain(JWT);
    expect(result.output).not.toContain(OPENAI);
    const calls = JSON.stringify(world.calls());
    expect(calls).not.toContain(JWT);
    expect(calls).not.toContain(OPENAI);
    const stored = world.state().secrets?.['todo-dev/todo-app-backend-env']?.data ?? {};
    expect(Object.keys(stored).sort()).toEqual(['JWT_SECRET_KEY', 'OPENAI_API_KEY']);
    expect(Buffer.from(stored['JWT_SECRET_KEY'], 'base64').toString()).toBe(JWT);
  });

  it('updates an existing Secret on a second run, and says when nothing changed', async () => {
    writeFileSync(path.join(world.root, '.env'), `JWT_SECRET_KEY=${JWT}\n`);
    await run({ envFile: '.env' }, { CI: 'true' });
    writeFileSync(path.join(world.root, '.env'), `JWT_SECRET_KEY=${JWT}-rotated\n`);
    const rotated = await run({ envFile: '.env' }, { CI: 'true' });
    expect(rotated.output).toMatch(
      /^✔ secret todo-app-backend-env updated in todo-dev — keys JWT_SECRET_KEY \((?:\d+ms|\d+\.\ds)\)$/,
    );
    // Real kubectl patches an object rendered with `creationTimestamp: null` on every apply
    // ("configured"); the executor drops that line, so an unchanged value reads "unchanged".
    const again = await run({ envFile: '.env' }, { CI: 'true' });
    expect(again.output).toMatch(
      /^✔ secret todo-app-backend-env unchanged in todo-dev — keys JWT_SECRET_KEY \((?:\d+ms|\d+\.\ds)\)$/,
    );
  });

  it('renders the Secret with the real kubectl 1.33, whose apply flags kubectl 1.33 accepts', async () => {
    const kubectl = realKubectl();
    const rendered: string[][] = [];
    // `create … --dry-run=client` needs no cluster: the real binary renders, the shim applies.
    const runner: CommandRunner = (command, args, options) => {
      if (command !== 'kubectl' || args[0] !== 'create') return execCommand(command, args, options);
      rendered.push(args);
      return execCommand(kubectl, args, {
        ...options,
        env: { ...process.env, KUBECONFIG: path.join(world.dir, 'no-kubeconfig') },
      });
    };
    writeFileSync(
      path.join(world.root, '.env'),
      `JWT_SECRET_KEY=${JWT}\nOPENAI_API_KEY=${OPENAI}\n`,
    );
    const result = await run({ envFile: '.env' }, { CI: 'true' }, undefined, runner);

    expect(result.success).toBe(true);
    expect(rendered).toHaveLength(1);
    expect(JSON.stringify(rendered)).not.toContain(JWT);
    const stored = world.state().secrets?.['todo-dev/todo-app-backend-env']?.data ?? {};
    expect(Buffer.from(stored['OPENAI_API_KEY'], 'base64').toString()).toBe(OPENAI);

    const apply = world.calls('kubectl').find((c) => c.args.includes('apply'));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'secrets-cli-'));
    try {
      const stderr = runReal(
        'kubectl',
        apply?.args ?? [],
        refusingKubeconfig(dir, ['minikube']),
        'apiVersion: v1\nkind: Secret\nmetadata:\n  name: probe\n',
      );
      expect(stderr).not.toMatch(REFUSED_COMMAND_LINE);
      expect(stderr).toMatch(/127\.0\.0\.1:1.*connection refused|was refused/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('into a namespace that does not exist, says so and how to create it', async () => {
    writeFileSync(path.join(world.root, '.env'), `JWT_SECRET_KEY=${JWT}\n`);
    const result = await run({ envFile: '.env', namespace: 'todo' }, { CI: 'true' });
    expect(result.success).toBe(false);
    expect(result.output).toBe(
      '✖ kubectl apply failed: Error from server (NotFound): error when creating "STDIN": namespaces "todo" not found — create it first: kubectl --context minikube create namespace todo',
    );
  });

  it('with CI=true a missing key fails by name and nothing is applied', async () => {
    writeFileSync(path.join(world.root, '.env'), 'OTHER=1\n');
    let asked = false;
    const result = await run(
      { envFile: '.env', keys: ['JWT_SECRET_KEY'] },
      { CI: 'true' },
      async () => {
        asked = true;
        return 'x';
      },
    );
    expect(result.success).toBe(false);
    expect(asked).toBe(false);
    expect(result.output).toBe(
      '✖ missing JWT_SECRET_KEY in .env — add it to the env file (CI=true never prompts)',
    );
    expect(world.calls('kubectl')).toEqual([]);
  });

  it('prompts for missing keys when interactive, and the answer is not printed', async () => {
    const asked: string[] = [];
    const result = await run({ keys: ['JWT_SECRET_KEY'] }, {}, async (key) => {
      asked.push(key);
      return JWT;
    });
    expect(result.success).toBe(true);
    expect(asked).toEqual(['JWT_SECRET_KEY']);
    expect(result.output).not.toContain(JWT);
  });

  it('refuses to write into another cluster than the configured one, naming both fixes', async () => {
    world.update((s) => (s.kube.currentContext = 'prod-eu'));
    writeFileSync(path.join(world.root, '.env'), `JWT_SECRET_KEY=${JWT}\n`);
    const result = await run({ envFile: '.env' }, { CI: 'true' });
    expect(result.success).toBe(false);
    expect(result.output).toBe(
      '✖ current kube context is "prod-eu", this secret belongs to "minikube" — run: kubectl config use-context minikube, or pass --kubeContext=prod-eu',
    );
    expect(world.state().secrets).toBeUndefined();
  });

  it('writes when --kubeContext names the current context', async () => {
    world.update((s) => (s.kube.currentContext = 'prod-eu'));
    writeFileSync(path.join(world.root, '.env'), `JWT_SECRET_KEY=${JWT}\n`);
    const result = await run({ envFile: '.env', kubeContext: 'prod-eu' }, { CI: 'true' });
    expect(result.success).toBe(true);
    const apply = world.calls('kubectl').find((c) => c.args.includes('apply'));
    expect(apply?.args.slice(0, 2)).toEqual(['--context', 'prod-eu']);
    expect(Object.keys(world.state().secrets ?? {})).toEqual(['todo-dev/todo-app-backend-env']);
  });
});
