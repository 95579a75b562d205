import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';

export interface RunningServer {
  name: string;
  url: string;
  child: ChildProcess;
  logFile: string;
  stop: () => Promise<void>;
}

/**
 * Starts `node <entry>` with `env`, its output in `<logDir>/<name>.log`, and waits until
 * `readyPath` answers 200. Fails with the log's location if the process exits or never gets ready.
 */
export async function startNodeServer(options: {
  name: string;
  entry: string;
  env: NodeJS.ProcessEnv;
  url: string;
  readyPath: string;
  logDir: string;
  cwd: string;
  timeoutMs?: number;
}): Promise<RunningServer> {
  mkdirSync(options.logDir, { recursive: true });
  const logFile = path.join(options.logDir, `${options.name}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [options.entry], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let exited: string | undefined;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = signal ? `signal ${signal}` : `exit code ${code}`;
      resolve();
    }),
  );

  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exitPromise;
    clearTimeout(killer);
    log.end();
  };

  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    if (exited) {
      throw new Error(`${options.name} stopped (${exited}) before it was ready; see ${logFile}`);
    }
    try {
      const response = await fetch(`${options.url}${options.readyPath}`, {
        signal: AbortSignal.timeout(2000),
      });
      if (response.ok) return { name: options.name, url: options.url, child, logFile, stop };
      lastError = `${options.readyPath} answered ${response.status}: ${await response.text()}`;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`${options.name} was not ready in time (${lastError}); see ${logFile}`);
}
