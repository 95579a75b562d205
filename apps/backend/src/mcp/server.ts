import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  TOOL_NAMES,
  toolDescriptions,
  toolInputShapes,
  type TaskTools,
  type ToolName,
} from '../chat/tools';
import { APP_VERSION } from '../version';

const ANNOTATIONS: Record<
  ToolName,
  { readOnlyHint?: boolean; destructiveHint?: boolean; idempotentHint?: boolean }
> = {
  add_task: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  list_tasks: { readOnlyHint: true },
  complete_task: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  delete_task: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
  update_task: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
};

/**
 * An MCP server exposing the five task tools for one signed-in user. It is built per request
 * (the transport is stateless), so the user it acts for is fixed by the bearer token and no
 * argument can point it at someone else's tasks.
 */
export function createTaskMcpServer(tools: TaskTools, userId: string): McpServer {
  const server = new McpServer(
    { name: 'todo-tasks', title: 'Todo tasks', version: APP_VERSION },
    {
      instructions:
        "Manage the signed-in user's todo list. Tasks are identified by their number (list_tasks shows them).",
    },
  );
  for (const name of TOOL_NAMES) {
    server.registerTool(
      name,
      {
        description: toolDescriptions[name],
        inputSchema: toolInputShapes[name],
        annotations: ANNOTATIONS[name],
      },
      async (args: unknown): Promise<CallToolResult> => {
        const outcome = await tools.run(userId, name, args);
        const data = outcome.tasks
          ? { tasks: outcome.tasks }
          : outcome.task
            ? { task: outcome.task }
            : undefined;
        return {
          content: [{ type: 'text', text: outcome.message }],
          ...(data ? { structuredContent: data } : {}),
          isError: !outcome.ok,
        };
      },
    );
  }
  return server;
}
