import http from 'node:http';

/**
 * Opening the database can take seconds (PGlite runs initdb on an empty volume; PostgreSQL may
 * not be up yet), yet liveness must answer at once and a kubelet must not restart a pod that is
 * merely starting. So the backend listens first with this small handler — /health 200, /ready
 * 503, everything else 503 with Retry-After — and hands the same server to Fastify once the app
 * is ready (see `attachApp`), so the port is never closed in between.
 */
export async function listenEarly(port: number, host: string): Promise<http.Server> {
  // Node reads this interval once, at listen: http/hardening.ts sets the request and header
  // timeouts it enforces, so check at least every second, as hardening.ts would.
  const server = http.createServer({ connectionsCheckingInterval: 1000 }, whileStarting);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** Routes the server's requests to the app's handler from now on. */
export function attachApp(server: http.Server, handler: http.RequestListener): void {
  // Only this module's handler goes: others (the shutdown manager's request tracking) stay.
  server.off('request', whileStarting);
  server.on('request', handler);
}

function whileStarting(request: http.IncomingMessage, response: http.ServerResponse): void {
  const path = (request.url ?? '/').split('?')[0];
  if (path === '/health') {
    send(response, 200, { status: 'ok', checks: {}, state: 'starting' });
  } else if (path === '/ready') {
    send(response, 503, {
      status: 'error',
      checks: { database: { status: 'error', duration_ms: 0, error: 'starting' } },
      state: 'starting',
    });
  } else {
    send(
      response,
      503,
      { detail: 'The service is starting. Please try again in a moment.' },
      {
        'retry-after': '1',
      },
    );
  }
}

function send(
  response: http.ServerResponse,
  status: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders = {},
): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(payload);
}
