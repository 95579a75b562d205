'use client';

import { useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../lib/api-client';
import type { FieldErrors } from '../lib/errors';
import { FormAlert } from './FormAlert';
import { TaskFields } from './TaskFields';

export interface TaskDraft {
  title: string;
  description: string;
}

interface TaskFormProps {
  /** Saves the draft; throws an ApiError to show its messages. */
  onAdd: (draft: TaskDraft) => Promise<void>;
}

/** The "add a task" form; it empties itself and returns focus to the title after a save. */
export function TaskForm({ onAdd }: TaskFormProps) {
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [fields, setFields] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string>();
  const [pending, setPending] = useState(false);
  const titleRef = useRef<HTMLInputElement>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setFields({});
    setMessage(undefined);
    try {
      await onAdd({ title, description });
      setTitle('');
      setDescription('');
      titleRef.current?.focus();
    } catch (error) {
      const apiError =
        error instanceof ApiError ? error : new ApiError(0, 'The task could not be added.');
      setFields(apiError.fields);
      setMessage(Object.keys(apiError.fields).length ? undefined : apiError.message);
    } finally {
      setPending(false);
    }
  }

  return (
    <form
      // On a phone the description waits until the form is used (see globals.css).
      className={`card form add-task${description || fields.description ? ' has-description' : ''}`}
      onSubmit={submit}
      noValidate
      aria-labelledby="add-task-title"
    >
      <h2 id="add-task-title">Add a task</h2>
      <FormAlert message={message} />
      <TaskFields
        title={title}
        description={description}
        onTitleChange={setTitle}
        onDescriptionChange={setDescription}
        errors={fields}
        titleRef={titleRef}
      />
      <button type="submit" className="button primary" disabled={pending}>
        {pending ? 'Adding…' : 'Add task'}
      </button>
    </form>
  );
}
