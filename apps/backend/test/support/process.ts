import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const workspaceRoot = join(__dirname, '../../../..');

/** Runs src/main.ts as a real process (through tsx), the way `nx serve` does; env beside PATH. */
export function spawnMain(env: Record<string, string>): ChildProcess {
  return spawn(
    process.execPath,
    [
      join(workspaceRoot, 'node_modules/tsx/dist/cli.mjs'),
      '--tsconfig',
      'tsconfig.base.json',
      'apps/backend/src/main.ts',
    ],
    {
      cwd: workspaceRoot,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}
