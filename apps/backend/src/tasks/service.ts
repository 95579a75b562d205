import { and, desc, eq, sql, type Column } from 'drizzle-orm';
import type { Task, TaskStatus } from '@todo/api-contract';
import type { Database } from '../db/client';
import { tasks, type TaskRow } from '../db/schema';

export interface NewTask {
  title: string;
  description?: string | null;
}

export interface TaskChanges {
  title?: string;
  description?: string | null;
  completed?: boolean;
}

/**
 * A timestamp in the wire format (ISO 8601 in UTC with milliseconds, as `Date#toISOString`
 * writes it), formatted by the database. Parsing PostgreSQL's text into a Date and formatting it
 * again was the largest item of the backend's own code when profiling a list of 50 tasks.
 */
function isoTimestamp(column: Column) {
  return sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** Every task query selects (or returns) exactly the wire shape. */
const taskFields = {
  id: tasks.id,
  user_id: tasks.user_id,
  title: tasks.title,
  description: tasks.description,
  completed: tasks.completed,
  created_at: isoTimestamp(tasks.created_at),
  updated_at: isoTimestamp(tasks.updated_at),
};

/**
 * Tasks of one user. Every method takes the owner's id and touches only that owner's rows, so
 * a caller (HTTP route, chat tool, MCP tool) cannot reach another user's task by its id.
 */
export class TaskService {
  // The list is the hottest query: prepared once (per connection on PostgreSQL) instead of
  // built and planned on every request.
  private readonly listAll;
  private readonly listByCompleted;

  constructor(private readonly db: Database) {
    const owned = eq(tasks.user_id, sql.placeholder('userId'));
    const newestFirst = [desc(tasks.created_at), desc(tasks.id)] as const;
    this.listAll = db
      .select(taskFields)
      .from(tasks)
      .where(owned)
      .orderBy(...newestFirst)
      .prepare('tasks_list_all');
    this.listByCompleted = db
      .select(taskFields)
      .from(tasks)
      .where(and(owned, eq(tasks.completed, sql.placeholder('completed'))))
      .orderBy(...newestFirst)
      .prepare('tasks_list_by_completed');
  }

  /** Newest first; ties (same timestamp) by id, newest first. */
  list(userId: string, status: TaskStatus = 'all'): Promise<Task[]> {
    return status === 'all'
      ? this.listAll.execute({ userId })
      : this.listByCompleted.execute({ userId, completed: status === 'completed' });
  }

  async create(userId: string, input: NewTask): Promise<Task> {
    const [row] = await this.db
      .insert(tasks)
      .values({ user_id: userId, title: input.title, description: input.description ?? null })
      .returning(taskFields);
    return row;
  }

  async get(userId: string, id: number): Promise<Task | null> {
    const [row] = await this.db
      .select(taskFields)
      .from(tasks)
      .where(and(eq(tasks.id, id), eq(tasks.user_id, userId)))
      .limit(1);
    return row ?? null;
  }

  async update(userId: string, id: number, changes: TaskChanges): Promise<Task | null> {
    const values: Partial<TaskRow> = { updated_at: new Date() };
    if (changes.title !== undefined) values.title = changes.title;
    if (changes.description !== undefined) values.description = changes.description;
    if (changes.completed !== undefined) values.completed = changes.completed;
    const [row] = await this.db
      .update(tasks)
      .set(values)
      .where(and(eq(tasks.id, id), eq(tasks.user_id, userId)))
      .returning(taskFields);
    return row ?? null;
  }

  setCompleted(userId: string, id: number, completed: boolean): Promise<Task | null> {
    return this.update(userId, id, { completed });
  }

  async remove(userId: string, id: number): Promise<boolean> {
    const deleted = await this.db
      .delete(tasks)
      .where(and(eq(tasks.id, id), eq(tasks.user_id, userId)))
      .returning({ id: tasks.id });
    return deleted.length > 0;
  }
}
