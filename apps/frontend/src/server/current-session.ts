import { cookies } from 'next/headers';
import { readSession, SESSION_COOKIE, type Session } from '../lib/session';

/** The signed-in visitor of the page being rendered, if any. */
export async function currentSession(): Promise<Session | null> {
  const store = await cookies();
  return readSession(store.get(SESSION_COOKIE)?.value);
}
