import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { installFakeApi } from '../testing/fake-api';
import { SiteHeader } from './SiteHeader';

// The App Router's router only exists inside a running Next app; this stand-in records where the
// header sends the person.
const router = { replace: jest.fn(), push: jest.fn(), refresh: jest.fn() };
jest.mock('next/navigation', () => ({ useRouter: () => router }));

beforeEach(() => jest.clearAllMocks());

describe('SiteHeader', () => {
  it('offers log in and sign up to a visitor', () => {
    render(<SiteHeader signedIn={false} />);
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(nav).toContainElement(screen.getByRole('link', { name: 'Log in' }));
    expect(screen.getByRole('link', { name: 'Sign up' })).toHaveAttribute('href', '/register');
    expect(screen.queryByRole('link', { name: 'Tasks' })).not.toBeInTheDocument();
  });

  it('shows who is signed in, the app’s pages, and logs out through the API', async () => {
    const user = userEvent.setup();
    const api = installFakeApi();
    render(<SiteHeader signedIn email="ada@example.com" />);
    expect(screen.getByText('ada@example.com')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Tasks' })).toHaveAttribute('href', '/tasks');
    expect(screen.getByRole('link', { name: 'Chat' })).toHaveAttribute('href', '/chat');

    await user.click(screen.getByRole('button', { name: 'Log out' }));
    await waitFor(() => expect(router.replace).toHaveBeenCalledWith('/login'));
    expect(api.calls).toContainEqual({ method: 'POST', path: '/api/auth/logout', body: undefined });
  });

  it('stays put and says so when logging out fails', async () => {
    const user = userEvent.setup();
    installFakeApi({
      override: (_method, path) =>
        path === '/api/auth/logout' ? { status: 500, body: { detail: 'Server error' } } : undefined,
    });
    render(<SiteHeader signedIn email="ada@example.com" />);
    await user.click(screen.getByRole('button', { name: 'Log out' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Server error');
    expect(router.replace).not.toHaveBeenCalled();
  });
});
