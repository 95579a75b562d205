import type { Metadata } from 'next';
import { RegisterForm } from '../../components/RegisterForm';
import { safeNextPath } from '../../lib/redirects';

export const metadata: Metadata = { title: 'Create an account' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function RegisterPage({ searchParams }: { searchParams: SearchParams }) {
  const { next } = await searchParams;
  return <RegisterForm next={safeNextPath(Array.isArray(next) ? next[0] : next)} />;
}
