import { createServer, type Server } from 'node:net';
import { freePort } from './free-port';

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

it('gives a port that a server can then listen on', async () => {
  const port = await freePort();
  expect(port).toBeGreaterThan(0);
  const server = await listen(port);
  try {
    expect(server.address()).toMatchObject({ address: '127.0.0.1', port });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

it('does not give a port that is taken', async () => {
  const taken = await listen(0);
  try {
    const takenPort = (taken.address() as { port: number }).port;
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    expect(ports).not.toContain(takenPort);
  } finally {
    await new Promise((resolve) => taken.close(resolve));
  }
});
