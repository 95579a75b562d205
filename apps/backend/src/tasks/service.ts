import { and, desc, eq, sql } from 'drizzle-orm';
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

/** The wire shape: timestamps as ISO strings. */
export function toTask(row: TaskRow): Task {
  return {
    id: row.id,
    user_id: row.user_id,
    title: row.title,
    description: row.description,
    completed: row.completed,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

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
      .select()
      .from(tasks)
      .where(owned)
      .orderBy(...newestFirst)
      .prepare('tasks_list_all');
    this.listByCompleted = db
      .select()
      .from(tasks)
      .where(and(owned, eq(tasks.completed, sql.placeholder('completed'))))
      .orderBy(...newestFirst)
      .prepare('tasks_list_by_completed');
  }

  /** Newest first; ties (same timestamp) by id, newest first. */
  async list(userId: string, status: TaskStatus = 'all'): Promise<Task[]> {
    const rows =
      status === 'all'
        ? await this.listAll.execute({ userId })
        : await this.listByCompleted.execute({ userId, completed: status === 'completed' });
    return rows.map(toTask);
  }

  async create(userId: string, input: NewTask): Promise<Task> {
    const [row] = await this.db
      .insert(tasks)
      .values({ user_id: userId, title: input.title, description: input.description ?? null })
      .returning();
    return toTask(row);
  }

  async get(userId: string, id: number): Promise<Task | null> {
    const [row] = await this.db
      .select()
      .from(tasks)
      .where(and(eq(tasks.id, id), eq(tasks.user_id, userId)))
      .limit(1);
    return row ? toTask(row) : null;
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
      .returning();
    return row ? toTask(row) : null;
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
