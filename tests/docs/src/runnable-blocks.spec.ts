import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { RUNNABLE, runnableBlocks, workspaceRoot } from './markdown';

/**
 * Every shell block marked `sh runnable` in README.md and docs/ runs here, from the workspace
 * root, exactly as a reader would paste it. They are chosen to need no cluster: the CI machine
 * cannot run one. Nothing is added to PATH beyond what `npm ci` gives a reader: with no Helm
 * installed, the deploy executor takes the workspace's own (tools/scripts/helm.sh) and says so.
 */
const blocks = runnableBlocks();

it('the docs contain runnable blocks to check', () => {
  // README: project list and config-docs check at least; docs: the dry runs and chart lint.
  expect(blocks.length).toBeGreaterThanOrEqual(5);
  expect(blocks.some((block) => block.file === 'README.md')).toBe(true);
});

describe.each(blocks.map((block) => [`${block.file}:${block.line}`, block] as const))(
  `\`\`\`${RUNNABLE} block at %s`,
  (_where, block) => {
    it('exits 0', () => {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        PATH: `${path.join(workspaceRoot, 'node_modules/.bin')}${path.delimiter}${process.env.PATH}`,
        NX_DAEMON: 'false',
        NX_NO_CLOUD: 'true',
        NX_TUI: 'false',
        NEXT_TELEMETRY_DISABLED: '1',
      };
      // A block's own test runs must not count as this suite's results.
      delete env.TEST_RESULTS_DIR;
      const result = spawnSync('bash', ['-euo', 'pipefail', '-c', block.body], {
        cwd: workspaceRoot,
        env,
        encoding: 'utf8',
        timeout: 170_000,
        maxBuffer: 64 * 1024 * 1024,
      });
      const output = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-40).join('\n');
      // On failure the diff shows the block and the last lines it printed.
      expect({
        exitCode: result.status,
        signal: result.signal,
        block: block.body,
        output,
      }).toMatchObject({
        exitCode: 0,
        signal: null,
      });
    });
  },
);
