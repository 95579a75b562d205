import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { installFakeApi, task } from '../testing/fake-api';
import { TaskBoard } from './TaskBoard';

function taskItems() {
  return within(screen.getByRole('list', { name: /tasks/i })).getAllByRole('listitem');
}

function titles() {
  return taskItems().map((item) => item.querySelector('.task-title')?.textContent);
}

describe('TaskBoard', () => {
  it('shows an empty state when there are no tasks', async () => {
    installFakeApi();
    render(<TaskBoard />);
    expect(await screen.findByText(/No tasks yet/)).toBeInTheDocument();
  });

  it('lists tasks newest first whatever order they arrive in', async () => {
    const older = task(1, 'Older');
    const newer = task(2, 'Newer');
    installFakeApi({ tasks: [older, newer] });
    render(<TaskBoard />);
    await screen.findByText('Newer');
    expect(titles()).toEqual(['Newer', 'Older']);
  });

  it('shows on each task the number the assistant knows it by', async () => {
    installFakeApi({ tasks: [task(7, 'Water plants'), task(12, 'Call mom')] });
    render(<TaskBoard />);
    await screen.findByText('Call mom');
    expect(taskItems().map((item) => item.querySelector('.task-number')?.textContent)).toEqual([
      'Task #12',
      'Task #7',
    ]);
  });

  it('adds a task with title and description at the top and clears the form', async () => {
    const user = userEvent.setup();
    const api = installFakeApi({ tasks: [task(1, 'Existing')] });
    render(<TaskBoard />);
    await screen.findByText('Existing');

    await user.type(screen.getByLabelText('Title'), 'Buy milk');
    await user.type(screen.getByLabelText(/Description/), '2 litres');
    await user.click(screen.getByRole('button', { name: 'Add task' }));

    await screen.findByText('Buy milk');
    expect(titles()).toEqual(['Buy milk', 'Existing']);
    expect(screen.getByText('2 litres')).toBeInTheDocument();
    expect(screen.getByLabelText('Title')).toHaveValue('');
    expect(screen.getByLabelText('Title')).toHaveFocus();
    expect(api.calls).toContainEqual({
      method: 'POST',
      path: '/api/tasks',
      body: { title: 'Buy milk', description: '2 litres' },
    });
  });

  it('shows the backend’s field error beside the title and keeps what was typed', async () => {
    const user = userEvent.setup();
    installFakeApi();
    render(<TaskBoard />);
    await screen.findByText(/No tasks yet/);

    await user.type(screen.getByLabelText(/Description/), 'no title given');
    await user.click(screen.getByRole('button', { name: 'Add task' }));

    const title = screen.getByLabelText('Title');
    await waitFor(() => expect(title).toHaveAttribute('aria-invalid', 'true'));
    expect(title).toHaveAccessibleDescription('Title must be 1-200 characters.');
    expect(screen.getByLabelText(/Description/)).toHaveValue('no title given');
  });

  it('edits a task in place, and Escape cancels without saving', async () => {
    const user = userEvent.setup();
    const api = installFakeApi({ tasks: [task(1, 'Water plant', { description: 'kitchen' })] });
    render(<TaskBoard />);
    await screen.findByText('Water plant');

    await user.click(screen.getByRole('button', { name: 'Edit “Water plant”' }));
    const editor = screen.getByRole('form', { name: 'Edit “Water plant”' });
    const titleInput = within(editor).getByLabelText('Title');
    expect(titleInput).toHaveFocus();
    await user.type(titleInput, ' ignored');
    await user.keyboard('{Escape}');
    expect(screen.getByText('Water plant')).toBeInTheDocument();
    expect(api.calls.some((call) => call.method === 'PUT')).toBe(false);

    await user.click(screen.getByRole('button', { name: 'Edit “Water plant”' }));
    const again = within(screen.getByRole('form', { name: 'Edit “Water plant”' }));
    await user.clear(again.getByLabelText('Title'));
    await user.type(again.getByLabelText('Title'), 'Water plants');
    await user.clear(again.getByLabelText(/Description/));
    await user.click(again.getByRole('button', { name: 'Save' }));

    await screen.findByText('Water plants');
    expect(screen.queryByText('kitchen')).not.toBeInTheDocument();
    expect(api.calls).toContainEqual({
      method: 'PUT',
      path: '/api/tasks/1',
      body: { title: 'Water plants', description: null },
    });
    expect(screen.getByRole('button', { name: 'Edit “Water plants”' })).toHaveFocus();
  });

  it('toggles completion and filters by pending and completed with counts', async () => {
    const user = userEvent.setup();
    installFakeApi({ tasks: [task(1, 'First'), task(2, 'Second')] });
    render(<TaskBoard />);
    await screen.findByText('First');

    await user.click(screen.getByRole('checkbox', { name: 'Completed: First' }));
    await waitFor(() =>
      expect(screen.getByRole('checkbox', { name: 'Completed: First' })).toBeChecked(),
    );

    await user.click(screen.getByRole('button', { name: /Completed \(1\)/ }));
    expect(screen.getByRole('button', { name: /Completed \(1\)/ })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    expect(titles()).toEqual(['First']);

    await user.click(screen.getByRole('button', { name: /Pending \(1\)/ }));
    expect(titles()).toEqual(['Second']);

    await user.click(screen.getByRole('checkbox', { name: 'Completed: Second' }));
    expect(await screen.findByText('Nothing pending. Well done!')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: /All \(2\)/ }));
    expect(titles()).toEqual(['Second', 'First']);
  });

  it('ticks the checkbox at once and unticks it again when the backend refuses', async () => {
    const user = userEvent.setup();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    installFakeApi({
      tasks: [task(1, 'Stubborn')],
      override: (method, path) =>
        path === '/api/tasks/1/complete'
          ? { status: 404, body: { detail: 'Task not found' } }
          : undefined,
    });
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async (...args: Parameters<typeof fetch>) => {
      if (String(args[0]).endsWith('/complete')) await held;
      return realFetch(...args);
    }) as typeof fetch;
    render(<TaskBoard />);
    const checkbox = await screen.findByRole('checkbox', { name: 'Completed: Stubborn' });

    await user.click(checkbox);
    expect(checkbox).toBeChecked();
    release();

    expect(await screen.findByRole('alert')).toHaveTextContent('Task not found');
    expect(screen.getByRole('checkbox', { name: 'Completed: Stubborn' })).not.toBeChecked();
  });

  it('deletes only after confirmation', async () => {
    const user = userEvent.setup();
    const api = installFakeApi({ tasks: [task(1, 'Keep me'), task(2, 'Remove me')] });
    render(<TaskBoard />);
    await screen.findByText('Remove me');

    await user.click(screen.getByRole('button', { name: 'Delete “Remove me”' }));
    const confirm = screen.getByRole('group', { name: 'Confirm deleting “Remove me”' });
    expect(within(confirm).getByRole('button', { name: 'Keep it' })).toHaveFocus();
    await user.click(within(confirm).getByRole('button', { name: 'Keep it' }));
    expect(api.calls.some((call) => call.method === 'DELETE')).toBe(false);
    expect(screen.getByText('Remove me')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Delete “Remove me”' }));
    await user.click(screen.getByRole('button', { name: 'Yes, delete' }));
    await waitFor(() => expect(screen.queryByText('Remove me')).not.toBeInTheDocument());
    expect(titles()).toEqual(['Keep me']);
    expect(api.calls).toContainEqual({ method: 'DELETE', path: '/api/tasks/2', body: undefined });
    // The deleted task's buttons are gone: focus waits on the list's heading, not on <body>.
    expect(screen.getByRole('heading', { name: 'Tasks' })).toHaveFocus();
  });

  it('explains an unreachable backend and loads again on request', async () => {
    const user = userEvent.setup();
    let down = true;
    installFakeApi({
      tasks: [task(1, 'Back again')],
      override: (method, path) =>
        down && path === '/api/tasks'
          ? {
              status: 502,
              body: {
                detail:
                  'The task service is not reachable right now. Please try again in a moment.',
              },
            }
          : undefined,
    });
    render(<TaskBoard />);
    expect(await screen.findByRole('alert')).toHaveTextContent('not reachable right now');
    // Nothing is known about the tasks, so no filter claims a count.
    expect(screen.getByRole('button', { name: 'All' })).toBeInTheDocument();
    expect(screen.queryByText(/\(0\)/)).not.toBeInTheDocument();

    down = false;
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Back again')).toBeInTheDocument();
  });
});
