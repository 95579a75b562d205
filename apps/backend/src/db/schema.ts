import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: varchar('name', { length: 100 }).notNull(),
    /** Always stored lower-cased (the API lower-cases before writing); unique. */
    email: varchar('email', { length: 320 }).notNull(),
    password_hash: text('password_hash').notNull(),
    created_at: createdAt(),
  },
  (t) => [
    uniqueIndex('users_email_key').on(t.email),
    check('users_email_lower', sql`${t.email} = lower(${t.email})`),
  ],
);

export const tasks = pgTable(
  'tasks',
  {
    id: serial('id').primaryKey(),
    user_id: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    title: varchar('title', { length: 200 }).notNull(),
    description: varchar('description', { length: 1000 }),
    completed: boolean('completed').notNull().default(false),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  (t) => [index('tasks_user_id_created_at_idx').on(t.user_id, t.created_at)],
);

/** One conversation per user: the wire id is `user_<user id>`. */
export const conversations = pgTable(
  'conversations',
  {
    id: serial('id').primaryKey(),
    user_id: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  (t) => [uniqueIndex('conversations_user_id_key').on(t.user_id)],
);

export const messages = pgTable(
  'messages',
  {
    id: serial('id').primaryKey(),
    conversation_id: integer('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    user_id: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: varchar('role', { length: 16, enum: ['user', 'assistant'] }).notNull(),
    content: text('content').notNull(),
    /** Names and arguments of the tools the assistant ran for this message, if any. */
    tool_calls: jsonb('tool_calls'),
    created_at: createdAt(),
  },
  (t) => [
    index('messages_conversation_id_created_at_idx').on(t.conversation_id, t.created_at),
    check('messages_role_check', sql`${t.role} in ('user', 'assistant')`),
  ],
);

export type UserRow = typeof users.$inferSelect;
export type TaskRow = typeof tasks.$inferSelect;
export type ConversationRow = typeof conversations.$inferSelect;
export type MessageRow = typeof messages.$inferSelect;

/**
 * Failed logins per email, shared by every replica on PostgreSQL (auth/lockout.ts); the embedded
 * database's single process keeps them in memory instead.
 */
export const loginFailures = pgTable(
  'login_failures',
  {
    id: serial('id').primaryKey(),
    /** Lower-cased, as users.email. */
    email: varchar('email', { length: 320 }).notNull(),
    failed_at: timestamp('failed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('login_failures_email_failed_at').on(t.email, t.failed_at),
    index('login_failures_failed_at').on(t.failed_at),
  ],
);

/** The rate limits' counters on PostgreSQL, one per key and window (http/rate-limit-store.ts). */
export const rateLimitCounters = pgTable(
  'rate_limit_counters',
  {
    key: text('key').primaryKey(),
    hits: integer('hits').notNull(),
    window_ends_at: timestamp('window_ends_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('rate_limit_counters_window_ends_at').on(t.window_ends_at)],
);
