import { asc, desc, eq } from 'drizzle-orm';
import type { ChatResponse, ConversationHistory } from '@todo/api-contract';
import type { Database } from '../db/client';
import { conversations, messages } from '../db/schema';
import type { ChatAssistant, ConversationTurn } from './assistant';
import { HISTORY_CONTEXT } from './assistant';

/** One conversation per user; this is its id on the wire. */
export function conversationIdOf(userId: string): string {
  return `user_${userId}`;
}

/**
 * The chat of each user: runs the assistant on a new message and keeps the exchange, so the
 * history survives restarts and the assistant sees the recent context.
 */
export class ChatService {
  constructor(
    private readonly db: Database,
    private readonly assistant: ChatAssistant,
  ) {}

  get assistantKind(): ChatAssistant['kind'] {
    return this.assistant.kind;
  }

  async send(userId: string, message: string): Promise<ChatResponse> {
    const receivedAt = new Date();
    const history = await this.recentTurns(userId);
    const reply = await this.assistant.reply({ userId, message, history });
    // The reply is stored strictly after the question, even when both land in the same millisecond.
    const repliedAt = new Date(Math.max(Date.now(), receivedAt.getTime() + 1));
    await this.db.transaction(async (tx) => {
      const conversationId = await ensureConversation(tx, userId);
      await tx.insert(messages).values([
        {
          conversation_id: conversationId,
          user_id: userId,
          role: 'user',
          content: message,
          created_at: receivedAt,
        },
        {
          conversation_id: conversationId,
          user_id: userId,
          role: 'assistant',
          content: reply.response,
          tool_calls: reply.toolCalls.length > 0 ? reply.toolCalls : null,
          created_at: repliedAt,
        },
      ]);
      await tx
        .update(conversations)
        .set({ updated_at: repliedAt })
        .where(eq(conversations.id, conversationId));
    });
    return {
      conversation_id: conversationIdOf(userId),
      response: reply.response,
      tool_calls: reply.toolCalls.map((call) => call.name),
    };
  }

  async history(userId: string): Promise<ConversationHistory> {
    const rows = await this.db
      .select({ role: messages.role, content: messages.content, created_at: messages.created_at })
      .from(messages)
      .where(eq(messages.user_id, userId))
      .orderBy(asc(messages.created_at), asc(messages.id));
    return {
      conversation_id: conversationIdOf(userId),
      messages: rows.map((row) => ({
        role: row.role,
        content: row.content,
        created_at: row.created_at.toISOString(),
      })),
    };
  }

  /** Forgets the whole conversation (its messages go with it). */
  async clear(userId: string): Promise<void> {
    await this.db.delete(conversations).where(eq(conversations.user_id, userId));
  }

  private async recentTurns(userId: string): Promise<ConversationTurn[]> {
    const rows = await this.db
      .select({ role: messages.role, content: messages.content })
      .from(messages)
      .where(eq(messages.user_id, userId))
      .orderBy(desc(messages.created_at), desc(messages.id))
      .limit(HISTORY_CONTEXT);
    return rows.reverse();
  }
}

type Executor = Pick<Database, 'insert' | 'select'>;

async function ensureConversation(db: Executor, userId: string): Promise<number> {
  const [created] = await db
    .insert(conversations)
    .values({ user_id: userId })
    .onConflictDoNothing({ target: conversations.user_id })
    .returning({ id: conversations.id });
  if (created) return created.id;
  const [existing] = await db
    .select({ id: conversations.id })
    .from(conversations)
    .where(eq(conversations.user_id, userId))
    .limit(1);
  return existing.id;
}
