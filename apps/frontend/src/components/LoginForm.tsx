'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { ApiError, apiRequest } from '../lib/api-client';
import type { FieldErrors } from '../lib/errors';
import { FormAlert } from './FormAlert';
import { TextField } from './TextField';

interface LoginFormProps {
  /** Where to go after logging in (already checked to be an in-app path). */
  next: string;
  /** Just came from registering: say the account exists. */
  registered?: boolean;
}

export function LoginForm({ next, registered = false }: LoginFormProps) {
  const router = useRouter();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [fields, setFields] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string>();
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setFields({});
    setMessage(undefined);
    try {
      await apiRequest('/api/auth/login', { method: 'POST', body: { email, password } });
      router.replace(next);
      router.refresh();
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError(0, 'Login failed.');
      setFields(apiError.fields);
      setMessage(apiError.message);
      setPending(false);
    }
  }

  const registerHref =
    next === '/tasks' ? '/register' : `/register?${new URLSearchParams({ next })}`;
  return (
    <form className="card form" onSubmit={submit} noValidate aria-labelledby="login-title">
      <h1 id="login-title">Log in</h1>
      <FormAlert
        tone="success"
        message={registered ? 'Account created. Log in to continue.' : undefined}
      />
      <FormAlert message={message} />
      <TextField
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        required
        value={email}
        onChange={setEmail}
        error={fields.email}
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={setPassword}
        error={fields.password}
      />
      <button type="submit" className="button primary" disabled={pending}>
        {pending ? 'Logging in…' : 'Log in'}
      </button>
      <p className="muted">
        No account yet? <Link href={registerHref}>Create one</Link>
      </p>
    </form>
  );
}
