'use client';

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, apiRequest, redirectToLogin } from '../lib/api-client';
import type { Task, TaskFilter } from '../lib/types';
import { FormAlert } from './FormAlert';
import { TaskFilterBar } from './TaskFilterBar';
import { TaskForm, type TaskDraft } from './TaskForm';
import { TaskItem } from './TaskItem';
import { matchesFilter, newestFirst } from './tasks-order';

const EMPTY_TEXT: Record<TaskFilter, string> = {
  all: 'No tasks yet. Add your first one above, or ask the assistant in Chat.',
  pending: 'Nothing pending. Well done!',
  completed: 'No completed tasks yet.',
};

/** A description left empty is sent as null, so "no description" stays distinguishable from "". */
function toBody(draft: TaskDraft) {
  const description = draft.description.trim();
  return { title: draft.title.trim(), description: description === '' ? null : description };
}

/** The task list page: loads the person's tasks and keeps them in step with every change. */
export function TaskBoard() {
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [loadError, setLoadError] = useState<string>();
  const [filter, setFilter] = useState<TaskFilter>('all');
  const [announcement, setAnnouncement] = useState('');
  const listHeading = useRef<HTMLHeadingElement>(null);

  /** Calls the API; an ended session sends the person to log in (and back here after). */
  const call = useCallback(async <T,>(path: string, init?: { method?: string; body?: unknown }) => {
    try {
      return await apiRequest<T>(path, init);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) redirectToLogin();
      throw error;
    }
  }, []);

  const load = useCallback(async () => {
    setLoadError(undefined);
    try {
      const { tasks: loaded } = await call<{ tasks: Task[] }>('/api/tasks');
      setTasks(newestFirst(loaded));
    } catch (error) {
      setLoadError(error instanceof ApiError ? error.message : 'Your tasks could not be loaded.');
    }
  }, [call]);

  useEffect(() => {
    void load();
  }, [load]);

  const replace = (updated: Task) =>
    setTasks((current) =>
      newestFirst((current ?? []).map((task) => (task.id === updated.id ? updated : task))),
    );

  async function add(draft: TaskDraft) {
    const created = await call<Task>('/api/tasks', { method: 'POST', body: toBody(draft) });
    setTasks((current) => newestFirst([created, ...(current ?? [])]));
    setAnnouncement(`Added “${created.title}”.`);
  }

  async function save(task: Task, draft: TaskDraft) {
    const updated = await call<Task>(`/api/tasks/${task.id}`, {
      method: 'PUT',
      body: toBody(draft),
    });
    replace(updated);
    setAnnouncement(`Saved “${updated.title}”.`);
  }

  async function toggle(task: Task) {
    // Show the new state at once (a checkbox that lags behind the click feels broken), and put
    // the old one back if the backend refuses.
    replace({ ...task, completed: !task.completed });
    try {
      const updated = await call<Task>(`/api/tasks/${task.id}/complete`, {
        method: 'PATCH',
        body: { completed: !task.completed },
      });
      replace(updated);
      setAnnouncement(`“${updated.title}” marked ${updated.completed ? 'completed' : 'pending'}.`);
    } catch (error) {
      replace(task);
      throw error;
    }
  }

  async function remove(task: Task) {
    await call<void>(`/api/tasks/${task.id}`, { method: 'DELETE' });
    setTasks((current) => (current ?? []).filter((item) => item.id !== task.id));
    setAnnouncement(`Deleted “${task.title}”.`);
    // The deleted task's buttons are gone; the list's heading keeps the place in the page.
    listHeading.current?.focus();
  }

  // No counts until the tasks are known: "All (0)" while loading or after a failure is untrue.
  const counts = useMemo(
    () =>
      tasks
        ? {
            all: tasks.length,
            pending: tasks.filter((task) => !task.completed).length,
            completed: tasks.filter((task) => task.completed).length,
          }
        : undefined,
    [tasks],
  );
  const visible = (tasks ?? []).filter((task) => matchesFilter(task, filter));

  return (
    <div className="stack">
      <h1>Your tasks</h1>
      <TaskForm onAdd={add} />
      <section className="stack" aria-labelledby="task-list-title">
        <div className="list-header">
          <h2 id="task-list-title" ref={listHeading} tabIndex={-1}>
            Tasks
          </h2>
          <TaskFilterBar value={filter} counts={counts} onChange={setFilter} />
        </div>
        <p className="visually-hidden" role="status" aria-live="polite">
          {announcement}
        </p>
        {loadError ? (
          <div className="stack">
            <FormAlert message={loadError} />
            <button type="button" className="button" onClick={() => void load()}>
              Try again
            </button>
          </div>
        ) : tasks === null ? (
          <p className="muted" role="status">
            Loading your tasks…
          </p>
        ) : visible.length === 0 ? (
          <p className="empty">{EMPTY_TEXT[filter]}</p>
        ) : (
          <ul
            className="task-list"
            aria-label={`${filter === 'all' ? 'All' : filter === 'pending' ? 'Pending' : 'Completed'} tasks`}
          >
            {visible.map((task) => (
              <TaskItem
                key={task.id}
                task={task}
                onToggle={toggle}
                onSave={save}
                onDelete={remove}
              />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
