import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { RouteFocus } from '../components/RouteFocus';
import { SiteHeader } from '../components/SiteHeader';
import { currentSession } from '../server/current-session';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Todo', template: '%s · Todo' },
  description: 'Your tasks, with an assistant that manages them for you.',
  icons: { icon: '/favicon.svg' },
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const session = await currentSession();
  return (
    <html lang="en">
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <SiteHeader signedIn={session !== null} email={session?.email} />
        <main id="main" className="container">
          {children}
        </main>
        <RouteFocus />
      </body>
    </html>
  );
}
