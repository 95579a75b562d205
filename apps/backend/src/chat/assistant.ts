import type { ChatRole } from '@todo/api-contract';
import type { ToolName } from './tools';

/** How many earlier messages the assistant sees as context. */
export const HISTORY_CONTEXT = 20;

/** One earlier message of the conversation, oldest first, as context for the next reply. */
export interface ConversationTurn {
  role: ChatRole;
  content: string;
}

/** A tool the assistant ran while answering, stored with the reply. */
export interface ToolCallRecord {
  name: ToolName | string;
  arguments: unknown;
  ok: boolean;
}

export interface AssistantReply {
  response: string;
  toolCalls: ToolCallRecord[];
}

export interface AssistantRequest {
  userId: string;
  message: string;
  history: ConversationTurn[];
}

/**
 * Answers one chat message, running task tools on the user's behalf. Implementations never
 * throw for anything the user or the model does; they answer with a friendly sentence instead.
 */
export interface ChatAssistant {
  readonly kind: 'model' | 'commands';
  reply(request: AssistantRequest): Promise<AssistantReply>;
}
