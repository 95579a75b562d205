import Link from 'next/link';
import { LogoutButton } from './LogoutButton';

/** Top navigation; `email` is set when someone is signed in. */
export function SiteHeader({ signedIn, email }: { signedIn: boolean; email?: string }) {
  return (
    <header className="site-header">
      <nav aria-label="Main" className="nav">
        <Link href="/" className="brand">
          Todo
        </Link>
        {signedIn ? (
          <>
            <Link href="/tasks">Tasks</Link>
            <Link href="/chat">Chat</Link>
            <span className="nav-spacer" />
            {email ? <span className="muted user-email">{email}</span> : null}
            <LogoutButton />
          </>
        ) : (
          <>
            <span className="nav-spacer" />
            <Link href="/login">Log in</Link>
            <Link href="/register" className="button primary small">
              Sign up
            </Link>
          </>
        )}
      </nav>
    </header>
  );
}
