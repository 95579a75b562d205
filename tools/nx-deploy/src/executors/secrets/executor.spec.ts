/**
 * secrets: the real kubectl renders the Secret (`create secret generic --dry-run=client`); the
 * apply goes to the kubectl shim (no cluster can run in CI), which records what reached it.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ShimWorld } from '../../../test/harness';
import { parseDotenv } from '../../lib/dotenv';
import { execCommand } from '../../lib/exec';
import { normalizeSecretsOptions, runSecrets, selectSecretValues } from './executor';

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
  ) {
    const lines: string[] = [];
    const result = await runSecrets(
      normalizeSecretsOptions(
        { name: 'todo-app-backend-env', namespace: 'todo-dev', ...options },
        world.root,
      ),
      { runner: execCommand, write: (l) => lines.push(l), env, prompt },
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

  it('updates an existing Secret on a second run', async () => {
    writeFileSync(path.join(world.root, '.env'), `JWT_SECRET_KEY=${JWT}\n`);
    await run({ envFile: '.env' }, { CI: 'true' });
    writeFileSync(path.join(world.root, '.env'), `JWT_SECRET_KEY=${JWT}-rotated\n`);
    const result = await run({ envFile: '.env' }, { CI: 'true' });
    expect(result.output).toContain('✔ secret todo-app-backend-env updated in todo-dev');
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

  it('refuses to write into another cluster than the configured one', async () => {
    world.update((s) => (s.kube.currentContext = 'prod-eu'));
    writeFileSync(path.join(world.root, '.env'), `JWT_SECRET_KEY=${JWT}\n`);
    const result = await run({ envFile: '.env' }, { CI: 'true' });
    expect(result.success).toBe(false);
    expect(result.output).toContain(
      'current kube context is "prod-eu", this secret belongs to "minikube"',
    );
    expect(world.state().secrets).toBeUndefined();
  });
});
