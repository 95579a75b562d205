// Shapes of the API as the browser sees it through the frontend's own /api routes: the backend's
// shapes from @todo/api-contract (type-only imports, so no schema code reaches the browser).
import type { ChatMessage as ContractChatMessage } from '@todo/api-contract';

export type {
  ChatResponse as ChatReply,
  PublicUser as User,
  Task,
  TaskStatus as TaskFilter,
} from '@todo/api-contract';

export interface ChatMessage extends Omit<ContractChatMessage, 'created_at'> {
  created_at?: string;
  /** Names of the tools the assistant ran for this reply (known for replies of this visit). */
  tool_calls?: string[];
}
