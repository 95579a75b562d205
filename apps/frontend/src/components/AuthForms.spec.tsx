import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { LoginForm } from './LoginForm';
import { RegisterForm } from './RegisterForm';

// The App Router's router only exists inside a running Next app; the tests watch where the forms
// navigate through this stand-in.
const router = { replace: jest.fn(), push: jest.fn(), refresh: jest.fn() };
jest.mock('next/navigation', () => ({ useRouter: () => router }));

function answer(status: number, body?: unknown) {
  const fetchMock = jest.fn(async () => ({
    ok: status >= 200 && status < 300,
    status,
    text: async () => (body === undefined ? '' : JSON.stringify(body)),
  }));
  globalThis.fetch = fetchMock as unknown as typeof fetch;
  return fetchMock;
}

beforeEach(() => jest.clearAllMocks());

describe('LoginForm', () => {
  it('logs in and goes on to the page the visitor wanted', async () => {
    const user = userEvent.setup();
    const fetchMock = answer(200, { user: { id: 'u1', name: 'Ada', email: 'ada@example.com' } });
    render(<LoginForm next="/chat" />);

    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct-horse');
    await user.click(screen.getByRole('button', { name: 'Log in' }));

    await waitFor(() => expect(router.replace).toHaveBeenCalledWith('/chat'));
    expect(fetchMock).toHaveBeenCalledWith(
      '/api/auth/login',
      expect.objectContaining({
        method: 'POST',
        body: JSON.stringify({ email: 'ada@example.com', password: 'correct-horse' }),
      }),
    );
  });

  it('shows validation errors beside their fields', async () => {
    const user = userEvent.setup();
    answer(422, {
      detail: [
        {
          loc: ['body', 'email'],
          msg: 'email: must be a valid email address',
          type: 'invalid_format',
        },
      ],
    });
    render(<LoginForm next="/tasks" />);

    await user.type(screen.getByLabelText('Email'), 'not-an-email');
    await user.keyboard('{Enter}');

    await waitFor(() =>
      expect(screen.getByLabelText('Email')).toHaveAccessibleDescription(
        'Email must be a valid email address.',
      ),
    );
    expect(screen.getByLabelText('Password')).not.toHaveAttribute('aria-invalid');
    expect(router.replace).not.toHaveBeenCalled();
  });

  it('says when the credentials are wrong', async () => {
    const user = userEvent.setup();
    answer(401, { detail: 'Incorrect email or password' });
    render(<LoginForm next="/tasks" />);
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'wrong-pass');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Incorrect email or password');
  });

  it('confirms a fresh registration', () => {
    render(<LoginForm next="/tasks" registered />);
    expect(screen.getByRole('status')).toHaveTextContent('Account created');
  });
});

describe('RegisterForm', () => {
  async function registerAda(next: string) {
    const user = userEvent.setup();
    render(<RegisterForm next={next} />);
    await user.type(screen.getByLabelText('Name'), 'Ada');
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'long-enough');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
  }

  it('creates the account, signs in with it and goes on to where the person was going', async () => {
    const fetchMock = answer(201, {
      id: 'u1',
      name: 'Ada',
      email: 'ada@example.com',
      message: 'User registered successfully',
    });
    await registerAda('/chat');

    await waitFor(() => expect(router.replace).toHaveBeenCalledWith('/chat'));
    expect(fetchMock.mock.calls.map((call) => (call as unknown[])[0])).toEqual([
      '/api/auth/register',
      '/api/auth/login',
    ]);
    expect(fetchMock).toHaveBeenLastCalledWith(
      '/api/auth/login',
      expect.objectContaining({
        body: JSON.stringify({ email: 'ada@example.com', password: 'long-enough' }),
      }),
    );
  });

  it('sends the person to log in when the sign-in after registering fails', async () => {
    const responses = [
      { status: 201, body: { id: 'u1', name: 'Ada', email: 'ada@example.com', message: 'ok' } },
      { status: 429, body: { detail: 'Too many login attempts' } },
    ];
    globalThis.fetch = jest.fn(async () => {
      const { status, body } = responses.shift() as (typeof responses)[number];
      return { ok: status < 300, status, text: async () => JSON.stringify(body) };
    }) as unknown as typeof fetch;
    await registerAda('/chat');

    await waitFor(() =>
      expect(router.push).toHaveBeenCalledWith('/login?registered=1&next=%2Fchat'),
    );
    expect(router.replace).not.toHaveBeenCalled();
  });

  it('puts "email already registered" beside the email field', async () => {
    const user = userEvent.setup();
    answer(409, { detail: 'Email already registered' });
    render(<RegisterForm next="/tasks" />);
    await user.type(screen.getByLabelText('Name'), 'Ada');
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'long-enough');
    await user.click(screen.getByRole('button', { name: 'Create account' }));

    await waitFor(() =>
      expect(screen.getByLabelText('Email')).toHaveAccessibleDescription(
        'Email already registered',
      ),
    );
  });

  it('shows each field’s rule from a 422 beside that field', async () => {
    const user = userEvent.setup();
    answer(422, {
      detail: [
        { loc: ['body', 'name'], msg: 'name: must be 1-100 characters', type: 'too_small' },
        {
          loc: ['body', 'password'],
          msg: 'password: must be at least 8 characters',
          type: 'too_small',
        },
      ],
    });
    render(<RegisterForm next="/tasks" />);
    await user.click(screen.getByRole('button', { name: 'Create account' }));

    await waitFor(() =>
      expect(screen.getByLabelText('Name')).toHaveAccessibleDescription(
        'Name must be 1-100 characters.',
      ),
    );
    // The hint said the same: while the error shows, it is not repeated.
    expect(screen.getByLabelText('Password')).toHaveAccessibleDescription(
      'Password must be at least 8 characters.',
    );
    expect(screen.getByLabelText('Email')).not.toHaveAttribute('aria-invalid');
  });
});
