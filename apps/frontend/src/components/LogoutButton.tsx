'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ApiError, apiRequest } from '../lib/api-client';

export function LogoutButton() {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();

  async function logout() {
    setPending(true);
    setError(undefined);
    try {
      await apiRequest('/api/auth/logout', { method: 'POST' });
      router.replace('/login');
      router.refresh();
    } catch (caught) {
      setError(
        caught instanceof ApiError ? caught.message : 'Logging out failed. Please try again.',
      );
    } finally {
      setPending(false);
    }
  }

  return (
    <>
      <button
        type="button"
        className="button link-button"
        onClick={() => void logout()}
        disabled={pending}
      >
        {pending ? 'Logging out…' : 'Log out'}
      </button>
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </>
  );
}
