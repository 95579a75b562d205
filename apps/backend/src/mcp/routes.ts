import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken } from '../auth/plugin';
import { TaskTools, type TaskOperations } from '../chat/tools';
import { unauthorized } from '../http/errors';

/**
 * The MCP SDK loads on the first /mcp request rather than at start-up: many deployments never
 * get one, and loading it at start-up cost 11 MB of idle RSS on Node 22 (102 → 91 MB).
 */
function importSdk() {
  return Promise.all([
    import('@modelcontextprotocol/sdk/server/streamableHttp.js'),
    import('./server'),
  ]);
}
let sdk: ReturnType<typeof importSdk> | undefined;

export interface McpRoutesOptions {
  tasks: TaskOperations;
  /** Origins (besides loopback ones) whose pages may call /mcp: the frontend's and configured ones. */
  allowedOrigins: readonly string[];
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** A page on this machine, on any port: MCP inspectors and desktop clients run there. */
function isLoopbackOrigin(origin: string): boolean {
  try {
    const { protocol, hostname } = new URL(origin);
    return (protocol === 'http:' || protocol === 'https:') && LOOPBACK_HOSTS.has(hostname);
  } catch {
    return false;
  }
}

function jsonRpcError(code: number, message: string) {
  return { jsonrpc: '2.0', error: { code, message }, id: null };
}

/**
 * The task tools for MCP clients at /mcp over the Streamable HTTP transport, stateless: each
 * POST carries its own bearer token and gets a fresh server bound to that token's user. GET
 * (a server-to-client event stream) and DELETE (ending a session) need sessions, so they
 * answer 405 as the transport specification allows.
 */
export const mcpRoutes: FastifyPluginAsync<McpRoutesOptions> = async (
  app,
  { tasks, allowedOrigins },
) => {
  const tools = new TaskTools(tasks);
  const allowed = new Set(allowedOrigins);

  // The transport specification: a server MUST validate Origin, and answer 403 to one that is
  // present and not allowed, so that a page on another site (or a DNS-rebound name) cannot
  // drive a local or signed-in client's tools. Clients that are not browsers send no Origin.
  const checkOrigin = async (request: FastifyRequest, reply: FastifyReply) => {
    const { origin } = request.headers;
    if (origin === undefined || allowed.has(origin) || isLoopbackOrigin(origin)) return;
    request.log.warn({ origin }, 'MCP request from an origin that is not allowed');
    return reply
      .code(403)
      .send(jsonRpcError(-32000, `Forbidden: the origin ${origin} may not call this endpoint.`));
  };

  app.post('/mcp', { schema: { hide: true }, onRequest: checkOrigin }, async (request, reply) => {
    const token = bearerToken(request.headers.authorization);
    if (!token) throw unauthorized('Not authenticated');
    const user = await app.verifyAccessToken(token);

    const [{ StreamableHTTPServerTransport }, { createTaskMcpServer }] = await (sdk ??=
      importSdk());
    const server = createTaskMcpServer(tools, user.id);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    reply.raw.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    // From here the transport writes the answer itself, on the raw response: the headers set so
    // far (request id, CORS) go there first, and the user's tasks must not be cached.
    reply.header('cache-control', 'no-store');
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) reply.raw.setHeader(name, value);
    }
    reply.hijack();
    try {
      await transport.handleRequest(request.raw, reply.raw, request.body);
    } catch (error) {
      request.log.error({ err: error }, 'MCP request failed');
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'content-type': 'application/json' });
        reply.raw.end(JSON.stringify(jsonRpcError(-32603, 'Internal server error')));
      }
    }
  });

  const sessionless = async (_request: unknown, reply: FastifyReply) =>
    reply
      .code(405)
      .header('allow', 'POST')
      .send(jsonRpcError(-32000, 'Method not allowed: this MCP endpoint is stateless; use POST.'));
  app.get('/mcp', { schema: { hide: true }, onRequest: checkOrigin }, sessionless);
  app.delete('/mcp', { schema: { hide: true }, onRequest: checkOrigin }, sessionless);
};
