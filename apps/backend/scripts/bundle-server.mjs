// The built backend as the scripts that drive it over HTTP start it: `node main.js` on a free
// loopback port with only the environment given (plus PATH), and the few requests they all make.
import { spawn } from 'node:child_process';
// eslint-disable-next-line @nx/enforce-module-boundaries -- tools/scripts belongs to no project
import { freePort } from '../../../tools/scripts/free-port.mjs';

/** Starts `node <main>`; `output()` is what it printed when `capture` is set (else it is inherited). */
export async function startBundle({ main, cwd, env, capture = false }) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(process.execPath, [main], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', capture ? 'pipe' : 'inherit', capture ? 'pipe' : 'inherit'],
  });
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  return { base, child, exited, output: () => output };
}

/** True once /ready answers 2xx; false when the process exits first or the time runs out. */
export async function waitForReady({ base, child }, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null) {
    const ready = await fetch(`${base}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

export function postJson(base, path, body, token) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
}
