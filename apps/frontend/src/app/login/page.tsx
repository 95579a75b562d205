import type { Metadata } from 'next';
import { LoginForm } from '../../components/LoginForm';
import { safeNextPath } from '../../lib/redirects';

export const metadata: Metadata = { title: 'Log in' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export default async function LoginPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  return (
    <LoginForm
      next={safeNextPath(first(params.next))}
      registered={first(params.registered) === '1'}
    />
  );
}
