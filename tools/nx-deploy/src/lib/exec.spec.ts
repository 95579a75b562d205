/** The long-running port-forward helper and the HTTP GET, with real processes and sockets on 127.0.0.1. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpGet, startPortForward } from './exec';

const node = process.execPath;
/** Prints kubectl's line for a server it starts, then serves until killed. */
const FORWARDER = `
const http = require('node:http');
const server = http.createServer((req, res) => { res.writeHead(200); res.end('{"status":"ok"}'); });
server.listen(0, '127.0.0.1', () => {
  console.log('Forwarding from 127.0.0.1:' + server.address().port + ' -> 8000');
});
process.on('SIGTERM', () => process.exit(0));
`;

describe('startPortForward', () => {
  it('resolves with the local port kubectl printed; stop() ends the child', async () => {
    const forward = await startPortForward(node, ['-e', FORWARDER]);
    if (!forward.ok) throw new Error(forward.error);
    expect(forward.remotePort).toBe(8000);
    const answer = await httpGet(`http://127.0.0.1:${forward.localPort}/ready`, 5000);
    expect(answer).toEqual({ ok: true, status: 200, body: '{"status":"ok"}' });
    await forward.stop();
    const after = await httpGet(`http://127.0.0.1:${forward.localPort}/ready`, 2000);
    expect(after.ok).toBe(false);
  });

  it('a child that exits gives its first error line', async () => {
    const forward = await startPortForward(node, [
      '-e',
      'console.error("error: unable to forward port because pod is not running. Current status=Pending"); process.exit(1)',
    ]);
    expect(forward).toEqual({
      ok: false,
      error: 'error: unable to forward port because pod is not running. Current status=Pending',
    });
  });

  it('a child that prints nothing and exits non-zero says so; a missing binary is named', async () => {
    expect(await startPortForward(node, ['-e', 'process.exit(3)'])).toEqual({
      ok: false,
      error: `${node} exited with code 3 and printed nothing`,
    });
    expect(await startPortForward('no-such-kubectl-binary', [])).toEqual({
      ok: false,
      error: 'no-such-kubectl-binary: command not found',
    });
  });

  it('a child that never prints the line times out and is stopped', async () => {
    const started = Date.now();
    const forward = await startPortForward(node, ['-e', 'setInterval(() => {}, 1000)'], {
      timeoutMs: 500,
    });
    expect(forward).toEqual({ ok: false, error: 'no "Forwarding from" line within 1s' });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

it('httpGet: a refused connection is an answer, not an exception', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  const answer = await httpGet(`http://127.0.0.1:${port}/ready`, 2000);
  expect(answer).toEqual({ ok: false, error: 'ECONNREFUSED' });
});
