import Link from 'next/link';
import { currentSession } from '../server/current-session';

export default async function HomePage() {
  const signedIn = (await currentSession()) !== null;
  return (
    <div className="stack hero">
      <h1>Keep track of what matters</h1>
      <p className="lead">
        A simple task list with an assistant: add, edit, complete and delete tasks yourself, or just
        tell the assistant what to do — “add a task to water plants”.
      </p>
      <div className="actions">
        {signedIn ? (
          <>
            <Link href="/tasks" className="button primary">
              Go to your tasks
            </Link>
            <Link href="/chat" className="button">
              Talk to the assistant
            </Link>
          </>
        ) : (
          <>
            <Link href="/register" className="button primary">
              Create an account
            </Link>
            <Link href="/login" className="button">
              Log in
            </Link>
          </>
        )}
      </div>
      <ul className="features">
        <li>
          <strong>Tasks</strong> — newest first, filter by pending or completed, edit in place.
        </li>
        <li>
          <strong>Assistant</strong> — manages the same tasks through chat and shows which tools it
          used.
        </li>
        <li>
          <strong>Private</strong> — your session stays in a secure cookie; only you see your tasks.
        </li>
      </ul>
    </div>
  );
}
