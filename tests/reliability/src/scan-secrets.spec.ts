import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// tools/scripts/scan-secrets.mjs on throwaway git repositories and a hand-made saved image, so
// each kind of leak is proven to be caught (and a clean tree to pass). Fake credentials are
// assembled at run time so this file itself holds none.

const run = promisify(execFile);
const script = join(__dirname, '../../../tools/scripts/scan-secrets.mjs');
const awsKeyId = ['AKIA', 'Z7Q2', 'X9L4', 'M3N8', 'P5R1'].join('');
const npmToken = `npm_${'a1B2c3D4e5'.repeat(3)}Zz9Yy8`;
const jwtSecret = [
  'k9',
  'Qx',
  '7v',
  'Lp',
  '2m',
  'Wn',
  '8r',
  'Tz',
  '4b',
  'Yh',
  '6c',
  'Fs',
  '3d',
].join('');

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'scan-secrets-test-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function scan(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [script, ...args]);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

async function repoWith(files: Record<string, string>): Promise<string> {
  const repo = join(work, 'repo');
  await mkdir(repo, { recursive: true });
  await run('git', ['init', '-q'], { cwd: repo });
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(repo, path, '..'), { recursive: true });
    await writeFile(join(repo, path), content);
  }
  await run('git', ['add', '-A'], { cwd: repo });
  return repo;
}

it('passes a clean tree and says images were not scanned when there are none', async () => {
  const repo = await repoWith({
    'src/config.ts': "export const JWT_SECRET_KEY = process.env['JWT_SECRET_KEY'];\n",
    'README.md': 'Set DATABASE_URL=postgres://user:${PASSWORD}@db/todo\n',
  });
  const result = await scan('--root', repo);
  expect(result.code).toBe(0);
  expect(result.output).toContain('no image manifests in dist/images: image layers NOT scanned');
  expect(result.output).toContain('no secret-looking values found');
});

it('fails when images are required but none is there', async () => {
  const repo = await repoWith({ 'a.txt': 'nothing\n' });
  const result = await scan('--root', repo, '--require-images');
  expect(result.code).toBe(1);
  expect(result.output).toMatch(/--require-images, but no image could be scanned/);
});

it('finds keys, tokens, hard-coded secrets and tracked secret files, without printing them', async () => {
  const repo = await repoWith({
    'deploy/aws.ts': `const id = '${awsKeyId}';\n`,
    'src/settings.py': `JWT_SECRET_KEY = "${jwtSecret}"\n`,
    '.npmrc': `//registry.npmjs.org/:_authToken=${npmToken}\n`,
    '.env': 'PORT=8000\n',
  });
  const result = await scan('--root', repo, '--files-only');
  expect(result.code).toBe(1);
  expect(result.output).toContain('deploy/aws.ts:1: AWS access key id');
  expect(result.output).toContain(
    'src/settings.py:1: secret-looking value assigned to JWT_SECRET_KEY',
  );
  expect(result.output).toContain('.npmrc:1: npm token');
  expect(result.output).toContain('.env: a secret file is tracked by git');
  for (const secret of [awsKeyId, npmToken, jwtSecret]) expect(result.output).not.toContain(secret);
});

it('finds secrets in a saved image: its ENV, its build history and files in its layers', async () => {
  const image = join(work, 'image');
  const layerRoot = join(image, 'rootfs');
  await mkdir(join(layerRoot, 'app'), { recursive: true });
  await writeFile(
    join(layerRoot, 'app/main.js'),
    `var a=1;${'x'.repeat(30_000)};var k="${awsKeyId}";`,
  );
  await writeFile(join(layerRoot, 'app/id_rsa'), 'not really a key\n');
  await run('tar', ['-cf', join(image, 'layer.tar'), '-C', layerRoot, '.']);
  await writeFile(
    join(image, 'config.json'),
    JSON.stringify({
      config: { Env: ['PATH=/usr/local/bin', `JWT_SECRET_KEY=${jwtSecret}`] },
      history: [
        { created_by: `/bin/sh -c npm config set //registry.npmjs.org/:_authToken=${npmToken}` },
      ],
    }),
  );
  await writeFile(
    join(image, 'manifest.json'),
    JSON.stringify([{ Config: 'config.json', RepoTags: ['t:1'], Layers: ['layer.tar'] }]),
  );
  const archive = join(work, 'image.tar');
  await run('tar', ['-cf', archive, '-C', image, 'manifest.json', 'config.json', 'layer.tar']);

  const result = await scan('--image-tar', archive);
  expect(result.code).toBe(1);
  expect(result.output).toMatch(/ENV: JWT_SECRET_KEY has a value baked into the image/);
  expect(result.output).toMatch(/history:1: npm auth token in \.npmrc/);
  expect(result.output).toMatch(/layer 1\/1 \/app\/main\.js:1: AWS access key id/);
  expect(result.output).toMatch(/layer 1\/1 \/app\/id_rsa: a secret file is in the image/);
  for (const secret of [awsKeyId, npmToken, jwtSecret]) expect(result.output).not.toContain(secret);
});
