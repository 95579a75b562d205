'use client';

import { useId, type ChangeEvent, type Ref } from 'react';

interface TextFieldProps {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  hint?: string;
  type?: 'text' | 'email' | 'password';
  multiline?: boolean;
  required?: boolean;
  autoComplete?: string;
  maxLength?: number;
  inputRef?: Ref<HTMLInputElement>;
  onKeyDown?: (event: React.KeyboardEvent<HTMLInputElement | HTMLTextAreaElement>) => void;
  /** Added to the wrapper's `field` class, for layout. */
  className?: string;
}

/**
 * A labelled input whose error is shown right under it and announced with it
 * (aria-describedby + aria-invalid), so a screen reader hears which field is wrong and why.
 */
export function TextField({
  label,
  name,
  value,
  onChange,
  error,
  hint,
  type = 'text',
  multiline = false,
  required = false,
  autoComplete,
  maxLength,
  inputRef,
  onKeyDown,
  className,
}: TextFieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  // While there is an error it says what the hint said ("must be at least 8 characters").
  const shownHint = error ? undefined : hint;
  const describedBy =
    [shownHint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    name,
    value,
    required,
    maxLength,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy,
    onChange: (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
      onChange(event.target.value),
    onKeyDown,
  };
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label htmlFor={id}>
        {label}
        {required ? null : <span className="optional"> (optional)</span>}
      </label>
      {multiline ? (
        <textarea rows={3} {...common} />
      ) : (
        <input type={type} autoComplete={autoComplete} ref={inputRef} {...common} />
      )}
      {shownHint ? (
        <p className="hint" id={hintId}>
          {shownHint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={errorId}>
          {sentence(label, error)}
        </p>
      ) : null}
    </div>
  );
}

/** A rule ("must be 1-100 characters") becomes "Name must be 1-100 characters."; a sentence stays. */
function sentence(label: string, error: string): string {
  if (!/^[a-z]/.test(error)) return error;
  return `${label} ${error}${/[.!?]$/.test(error) ? '' : '.'}`;
}
