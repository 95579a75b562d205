'use client';

import type { RefObject } from 'react';
import type { FieldErrors } from '../lib/errors';
import { TextField } from './TextField';

interface TaskFieldsProps {
  title: string;
  description: string;
  onTitleChange: (value: string) => void;
  onDescriptionChange: (value: string) => void;
  /** Field errors from the backend's 422, shown beside their field. */
  errors: FieldErrors;
  titleRef: RefObject<HTMLInputElement | null>;
}

/** The title and description inputs a task is added and edited with. */
export function TaskFields(props: TaskFieldsProps) {
  return (
    <>
      <TextField
        label="Title"
        name="title"
        required
        value={props.title}
        onChange={props.onTitleChange}
        error={props.errors.title}
        inputRef={props.titleRef}
      />
      <TextField
        label="Description"
        name="description"
        className="description-field"
        multiline
        value={props.description}
        onChange={props.onDescriptionChange}
        error={props.errors.description}
      />
    </>
  );
}
