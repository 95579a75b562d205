import type { Task, TaskFilter } from '../lib/types';

/** Newest first; ties (same timestamp) by the higher id, which the database gave out later. */
export function newestFirst(tasks: readonly Task[]): Task[] {
  return [...tasks].sort((a, b) => {
    const byTime = Date.parse(b.created_at) - Date.parse(a.created_at);
    return byTime !== 0 && !Number.isNaN(byTime) ? byTime : b.id - a.id;
  });
}

export function matchesFilter(task: Task, filter: TaskFilter): boolean {
  if (filter === 'pending') return !task.completed;
  if (filter === 'completed') return task.completed;
  return true;
}
