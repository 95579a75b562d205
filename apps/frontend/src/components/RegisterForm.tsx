'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { ApiError, apiRequest } from '../lib/api-client';
import type { FieldErrors } from '../lib/errors';
import { FormAlert } from './FormAlert';
import { TextField } from './TextField';

export function RegisterForm({ next }: { next: string }) {
  const router = useRouter();
  const [name, setName] = useState('');
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
      await apiRequest('/api/auth/register', { method: 'POST', body: { name, email, password } });
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError(0, 'Registration failed.');
      // "Email already registered" (409) belongs beside the email field.
      setFields(apiError.status === 409 ? { email: apiError.message } : apiError.fields);
      setMessage(apiError.status === 409 ? undefined : apiError.message);
      setPending(false);
      return;
    }
    // The new account signs in at once; should that fail (the login limit, say), the login page
    // confirms the account and asks for the password again.
    try {
      await apiRequest('/api/auth/login', { method: 'POST', body: { email, password } });
      router.replace(next);
      router.refresh();
    } catch {
      router.push(`/login?${new URLSearchParams({ registered: '1', next })}`);
    }
  }

  return (
    <form className="card form" onSubmit={submit} noValidate aria-labelledby="register-title">
      <h1 id="register-title">Create an account</h1>
      <FormAlert message={message} />
      <TextField
        label="Name"
        name="name"
        autoComplete="name"
        required
        maxLength={100}
        value={name}
        onChange={setName}
        error={fields.name}
      />
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
        autoComplete="new-password"
        required
        hint="At least 8 characters."
        value={password}
        onChange={setPassword}
        error={fields.password}
      />
      <button type="submit" className="button primary" disabled={pending}>
        {pending ? 'Creating account…' : 'Create account'}
      </button>
      <p className="muted">
        Already registered? <Link href={`/login?${new URLSearchParams({ next })}`}>Log in</Link>
      </p>
    </form>
  );
}
