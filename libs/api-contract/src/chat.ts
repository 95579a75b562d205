import { z } from 'zod';
import { text } from './common';

export const CHAT_MESSAGE_MAX = 2000;

export const chatRequestSchema = z
  .object({
    message: text({
      min: 1,
      max: CHAT_MESSAGE_MAX,
      trim: true,
      message: `must be 1-${CHAT_MESSAGE_MAX} characters`,
    }),
  })
  .meta({ id: 'ChatRequest' });

export const chatResponseSchema = z
  .object({
    conversation_id: z.string().describe('`user_<user id>`: one conversation per user'),
    response: z.string(),
    tool_calls: z.array(z.string()).describe('Names of the tools that ran, in order'),
  })
  .meta({ id: 'ChatResponse' });

export const CHAT_ROLES = ['user', 'assistant'] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];

export const chatMessageSchema = z
  .object({
    role: z.enum(CHAT_ROLES),
    content: z.string(),
    created_at: z.string().describe('ISO 8601 timestamp'),
  })
  .meta({ id: 'ChatMessage' });

export const conversationHistorySchema = z
  .object({
    conversation_id: z.string(),
    messages: z.array(chatMessageSchema).describe('Oldest first'),
  })
  .meta({ id: 'ConversationHistory' });

export type ChatRequest = z.input<typeof chatRequestSchema>;
export type ChatResponse = z.infer<typeof chatResponseSchema>;
export type ChatMessage = z.infer<typeof chatMessageSchema>;
export type ConversationHistory = z.infer<typeof conversationHistorySchema>;
