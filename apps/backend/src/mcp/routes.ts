import type { FastifyPluginAsync, FastifyReply } from 'fastify';
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
}

/**
 * The task tools for MCP clients at /mcp over the Streamable HTTP transport, stateless: each
 * POST carries its own bearer token and gets a fresh server bound to that token's user. GET
 * (a server-to-client event stream) and DELETE (ending a session) need sessions, so they
 * answer 405 as the transport specification allows.
 */
export const mcpRoutes: FastifyPluginAsync<McpRoutesOptions> = async (app, { tasks }) => {
  const tools = new TaskTools(tasks);

  app.post('/mcp', { schema: { hide: true } }, async (request, reply) => {
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
    // From here the transport writes the answer itself.
    reply.hijack();
    try {
      await transport.handleRequest(request.raw, reply.raw, request.body);
    } catch (error) {
      request.log.error({ err: error }, 'MCP request failed');
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'content-type': 'application/json' });
        reply.raw.end(
          JSON.stringify({
            jsonrpc: '2.0',
            error: { code: -32603, message: 'Internal server error' },
            id: null,
          }),
        );
      }
    }
  });

  const sessionless = async (_request: unknown, reply: FastifyReply) =>
    reply
      .code(405)
      .header('allow', 'POST')
      .send({
        jsonrpc: '2.0',
        error: {
          code: -32000,
          message: 'Method not allowed: this MCP endpoint is stateless; use POST.',
        },
        id: null,
      });
  app.get('/mcp', { schema: { hide: true } }, sessionless);
  app.delete('/mcp', { schema: { hide: true } }, sessionless);
};
