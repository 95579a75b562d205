import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  chatRequestSchema,
  chatResponseSchema,
  conversationHistorySchema,
  errorResponseSchema,
  messageResponseSchema,
  userPathSchema,
} from '@todo/api-contract';
import type { BackendConfig } from '@todo/config';
import { requireUser } from '../auth/plugin';
import type { Database } from '../db/client';
import type { TaskService } from '../tasks/service';
import type { AssistantLogger } from './model-assistant';
import { createChatService } from './setup';
import { routeRateLimit, type RateLimitRule } from '../http/hardening';

export interface ChatRoutesOptions {
  db: Database;
  tasks: TaskService;
  config: Readonly<BackendConfig>;
  /** Defaults to the app's logger. */
  logger?: AssistantLogger;
  /** Per signed-in user: each message may cost several model requests. */
  rateLimit: RateLimitRule;
}

const errors = { 401: errorResponseSchema, 404: errorResponseSchema, 422: errorResponseSchema };
const security = [{ bearerAuth: [] }];

/** The assistant under /api/{user_id}/chat and the conversation under /api/{user_id}/conversations. */
export const chatRoutes: FastifyPluginAsync<ChatRoutesOptions> = async (app, options) => {
  const chat = createChatService({ ...options, logger: options.logger ?? app.log });
  app.log.info({ assistant: chat.assistantKind }, 'chat assistant ready');

  const routes = app.withTypeProvider<ZodTypeProvider>();
  routes.addHook('onRequest', app.authenticate);
  const userId = (request: FastifyRequest) => requireUser(request).id;

  routes.post(
    '/api/:user_id/chat',
    {
      config: { rateLimit: routeRateLimit(options.rateLimit, 'chat messages', 'user') },
      schema: {
        tags: ['chat'],
        operationId: 'chat',
        summary: 'Send a message to the task assistant',
        description:
          "Runs the assistant, which may add, list, complete, delete or update the caller's tasks. `tool_calls` names the tools that ran.",
        security,
        params: userPathSchema,
        body: chatRequestSchema,
        response: { 200: chatResponseSchema, ...errors, 429: errorResponseSchema },
      },
    },
    async (request) => chat.send(userId(request), request.body.message),
  );

  routes.get(
    '/api/:user_id/conversations/history',
    {
      schema: {
        tags: ['chat'],
        operationId: 'getConversationHistory',
        summary: 'The conversation with the assistant, oldest message first',
        security,
        params: userPathSchema,
        response: { 200: conversationHistorySchema, ...errors },
      },
    },
    async (request) => chat.history(userId(request)),
  );

  routes.delete(
    '/api/:user_id/conversations/clear',
    {
      schema: {
        tags: ['chat'],
        operationId: 'clearConversation',
        summary: 'Forget the conversation with the assistant',
        security,
        params: userPathSchema,
        response: { 200: messageResponseSchema, ...errors },
      },
    },
    async (request) => {
      await chat.clear(userId(request));
      return { message: 'Conversation history cleared' };
    },
  );
};
