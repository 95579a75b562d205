'use client';

import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { ApiError } from '../lib/api-client';
import type { FieldErrors } from '../lib/errors';
import type { Task } from '../lib/types';
import { FormAlert } from './FormAlert';
import { TaskFields } from './TaskFields';
import type { TaskDraft } from './TaskForm';

interface TaskItemProps {
  task: Task;
  onToggle: (task: Task) => Promise<void>;
  onSave: (task: Task, draft: TaskDraft) => Promise<void>;
  onDelete: (task: Task) => Promise<void>;
}

type Mode = 'view' | 'edit' | 'confirm-delete';

function describeError(error: unknown, fallback: string): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, fallback);
}

/** One task: toggle, edit in place (Escape cancels), delete after an explicit confirmation. */
export function TaskItem({ task, onToggle, onSave, onDelete }: TaskItemProps) {
  const [mode, setMode] = useState<Mode>('view');
  const [title, setTitle] = useState(task.title);
  const [description, setDescription] = useState(task.description ?? '');
  const [fields, setFields] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string>();
  const [pending, setPending] = useState(false);
  const titleRef = useRef<HTMLInputElement>(null);
  const editButtonRef = useRef<HTMLButtonElement>(null);
  const cancelDeleteRef = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);

  useEffect(() => {
    if (mode === 'edit') titleRef.current?.focus();
    if (mode === 'confirm-delete') cancelDeleteRef.current?.focus();
    if (mode === 'view' && returnFocus.current) {
      returnFocus.current = false;
      editButtonRef.current?.focus();
    }
  }, [mode]);

  function startEditing() {
    setTitle(task.title);
    setDescription(task.description ?? '');
    setFields({});
    setMessage(undefined);
    setMode('edit');
  }

  function backToView() {
    returnFocus.current = true;
    setMode('view');
  }

  async function run(action: () => Promise<void>, fallback: string, onDone?: () => void) {
    setPending(true);
    setMessage(undefined);
    try {
      await action();
      onDone?.();
    } catch (error) {
      const apiError = describeError(error, fallback);
      setFields(apiError.fields);
      setMessage(Object.keys(apiError.fields).length ? undefined : apiError.message);
    } finally {
      setPending(false);
    }
  }

  function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFields({});
    void run(
      () => onSave(task, { title, description }),
      'The task could not be saved.',
      backToView,
    );
  }

  function cancelOnEscape(event: KeyboardEvent<HTMLElement>) {
    if (event.key === 'Escape') {
      event.preventDefault();
      backToView();
    }
  }

  if (mode === 'edit') {
    return (
      <li className="task editing">
        <form
          className="form"
          onSubmit={save}
          onKeyDown={cancelOnEscape}
          noValidate
          aria-label={`Edit “${task.title}”`}
        >
          <FormAlert message={message} />
          <TaskFields
            title={title}
            description={description}
            onTitleChange={setTitle}
            onDescriptionChange={setDescription}
            errors={fields}
            titleRef={titleRef}
          />
          <div className="actions">
            <button type="submit" className="button primary" disabled={pending}>
              {pending ? 'Saving…' : 'Save'}
            </button>
            <button type="button" className="button" onClick={backToView} disabled={pending}>
              Cancel
            </button>
          </div>
        </form>
      </li>
    );
  }

  const checkboxId = `task-${task.id}-done`;
  return (
    <li className={`task${task.completed ? ' done' : ''}`}>
      <div className="task-main">
        <input
          id={checkboxId}
          type="checkbox"
          checked={task.completed}
          // Not `disabled`: Chrome takes focus away from a control that becomes disabled.
          aria-disabled={pending || undefined}
          aria-label={`Completed: ${task.title}`}
          onChange={() => {
            if (!pending) void run(() => onToggle(task), 'The task could not be updated.');
          }}
        />
        <div className="task-text">
          <span className="task-title">{task.title}</span>
          {task.description ? <p className="task-description">{task.description}</p> : null}
          <p className="task-meta">
            {/* The number the assistant uses: "complete task 12". */}
            <span className="task-number">Task #{task.id}</span> ·{' '}
            {task.completed ? 'Completed' : 'Pending'} · added{' '}
            <time dateTime={task.created_at}>{new Date(task.created_at).toLocaleString()}</time>
          </p>
        </div>
      </div>
      <FormAlert message={message} />
      {mode === 'confirm-delete' ? (
        <div
          className="confirm"
          role="group"
          aria-label={`Confirm deleting “${task.title}”`}
          onKeyDown={cancelOnEscape}
        >
          <p>Delete “{task.title}”? This cannot be undone.</p>
          <div className="actions">
            <button
              type="button"
              className="button danger"
              disabled={pending}
              onClick={() => void run(() => onDelete(task), 'The task could not be deleted.')}
            >
              {pending ? 'Deleting…' : 'Yes, delete'}
            </button>
            <button
              type="button"
              className="button"
              ref={cancelDeleteRef}
              onClick={backToView}
              disabled={pending}
            >
              Keep it
            </button>
          </div>
        </div>
      ) : (
        <div className="actions">
          <button
            type="button"
            className="button"
            ref={editButtonRef}
            onClick={startEditing}
            aria-label={`Edit “${task.title}”`}
          >
            Edit
          </button>
          <button
            type="button"
            className="button danger-outline"
            onClick={() => setMode('confirm-delete')}
            aria-label={`Delete “${task.title}”`}
          >
            Delete
          </button>
        </div>
      )}
    </li>
  );
}
