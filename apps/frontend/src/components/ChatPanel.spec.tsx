import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { installFakeApi } from '../testing/fake-api';
import { ChatPanel } from './ChatPanel';

describe('ChatPanel', () => {
  it('shows the earlier conversation on load', async () => {
    installFakeApi({
      history: [
        { role: 'user', content: 'show my tasks', created_at: '2026-01-01T09:00:00Z' },
        { role: 'assistant', content: 'You have 2 tasks.', created_at: '2026-01-01T09:00:01Z' },
      ],
    });
    render(<ChatPanel />);
    expect(await screen.findByText('You have 2 tasks.')).toBeInTheDocument();
    expect(screen.getByText('show my tasks')).toBeInTheDocument();
  });

  it('sends a message with Enter and shows the reply with the tools that ran', async () => {
    const user = userEvent.setup();
    const api = installFakeApi();
    render(<ChatPanel />);
    await screen.findByText(/No messages yet/);

    await user.type(screen.getByLabelText('Message'), 'add a task to water plants{Enter}');

    const reply = await screen.findByText('Added "water plants".');
    const item = reply.closest('li') as HTMLElement;
    expect(within(item).getByText('add_task')).toBeInTheDocument();
    expect(within(item).getByText(/Tools used/)).toBeInTheDocument();
    expect(screen.getByText('add a task to water plants')).toBeInTheDocument();
    expect(screen.getByLabelText('Message')).toHaveValue('');
    expect(api.calls).toContainEqual({
      method: 'POST',
      path: '/api/chat',
      body: { message: 'add a task to water plants' },
    });
  });

  it('asks for text instead of sending an empty message', async () => {
    const user = userEvent.setup();
    const api = installFakeApi();
    render(<ChatPanel />);
    await screen.findByText(/No messages yet/);
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(screen.getByLabelText('Message')).toHaveAccessibleDescription(/Type a message first/);
    expect(api.calls.filter((call) => call.path === '/api/chat')).toHaveLength(0);
  });

  it('gives the typed text back when the assistant cannot be reached', async () => {
    const user = userEvent.setup();
    installFakeApi({
      override: (method, path) =>
        path === '/api/chat'
          ? { status: 502, body: { detail: 'The task service is not reachable right now.' } }
          : undefined,
    });
    render(<ChatPanel />);
    await screen.findByText(/No messages yet/);
    await user.type(screen.getByLabelText('Message'), 'list my tasks');
    await user.click(screen.getByRole('button', { name: 'Send' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('not reachable right now');
    expect(screen.getByLabelText('Message')).toHaveValue('list my tasks');
  });

  it('clears the conversation after confirmation', async () => {
    const user = userEvent.setup();
    const api = installFakeApi({
      history: [{ role: 'assistant', content: 'Hello again', created_at: '2026-01-01T09:00:00Z' }],
    });
    render(<ChatPanel />);
    await screen.findByText('Hello again');

    await user.click(screen.getByRole('button', { name: 'Clear conversation' }));
    await user.click(screen.getByRole('button', { name: 'Keep it' }));
    expect(screen.getByText('Hello again')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Clear conversation' }));
    await user.click(screen.getByRole('button', { name: 'Yes, clear' }));
    await waitFor(() => expect(screen.queryByText('Hello again')).not.toBeInTheDocument());
    expect(api.history()).toEqual([]);
  });
});
