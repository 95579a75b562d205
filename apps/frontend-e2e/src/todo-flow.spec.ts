import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

// The servers come from global-setup.ts (real backend on embedded PGlite, built frontend).
test.use({ baseURL: process.env.E2E_BASE_URL });

const screenshots = path.resolve(
  __dirname,
  '../../../dist/.playwright/apps/frontend-e2e/screenshots',
);
const unique = Date.now().toString(36);

function taskList(page: Page) {
  return page.getByRole('list', { name: /tasks$/ });
}

function taskTitles(page: Page) {
  return taskList(page).locator('.task-title');
}

async function keepScreenshot(page: Page, name: string) {
  mkdirSync(screenshots, { recursive: true });
  const file = path.join(screenshots, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await test.info().attach(name, { path: file, contentType: 'image/png' });
}

test('a person manages tasks by hand and through the assistant, then logs out', async ({
  page,
}) => {
  const email = `ada-${unique}@example.com`;
  const password = 'correct-horse-battery';

  await test.step('a logged-out visit to /tasks goes to the login page', async () => {
    await page.goto('/tasks');
    await expect(page).toHaveURL(/\/login\?next=%2Ftasks$/);
    await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
  });

  await test.step('register, with the backend’s field error shown beside the password', async () => {
    await page.getByRole('link', { name: 'Create one' }).click();
    await expect(page.getByRole('heading', { name: 'Create an account' })).toBeVisible();
    await page.getByLabel('Name').fill('Ada Lovelace');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    const passwordField = page.getByLabel('Password');
    await expect(passwordField).toHaveAttribute('aria-invalid', 'true');
    await expect(
      page.locator('.field', { has: passwordField }).locator('.field-error'),
    ).toContainText(/8/);

    await expect(page.locator('.field', { has: passwordField }).locator('.field-error')).toHaveText(
      'Password must be at least 8 characters.',
    );

    await passwordField.fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
  });

  await test.step('signed in at once, back on /tasks, which starts empty', async () => {
    await expect(page).toHaveURL(/\/tasks$/);
    await expect(page.getByText(/No tasks yet/)).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Your tasks' })).toBeFocused();
  });

  await test.step('a logged-in visit to /login goes to /tasks', async () => {
    await page.goto('/login');
    await expect(page).toHaveURL(/\/tasks$/);
  });

  await test.step('add two tasks; the newest is listed first', async () => {
    await page.getByLabel('Title').fill('Buy milk');
    await page.getByLabel(/Description/).fill('2 litres');
    await page.getByRole('button', { name: 'Add task' }).click();
    await expect(taskTitles(page)).toHaveText(['Buy milk']);
    await page.getByLabel('Title').fill('Call mom');
    await page.getByRole('button', { name: 'Add task' }).click();
    await expect(taskTitles(page)).toHaveText(['Call mom', 'Buy milk']);
    await expect(page.getByText('2 litres')).toBeVisible();
  });

  await test.step('edit one in place', async () => {
    await page.getByRole('button', { name: 'Edit “Buy milk”' }).click();
    const editor = page.getByRole('form', { name: 'Edit “Buy milk”' });
    await editor.getByLabel('Title').fill('Buy oat milk');
    await editor.getByRole('button', { name: 'Save' }).click();
    await expect(taskTitles(page)).toHaveText(['Call mom', 'Buy oat milk']);
  });

  await test.step('complete one, and filter by status', async () => {
    await page.getByRole('checkbox', { name: 'Completed: Call mom' }).check();
    await expect(page.getByRole('checkbox', { name: 'Completed: Call mom' })).toBeChecked();
    await expect(page.getByText('“Call mom” marked completed.')).toBeAttached();
    await expect(page.getByRole('checkbox', { name: 'Completed: Call mom' })).toBeFocused();

    await page.getByRole('button', { name: /^Completed \(1\)/ }).click();
    await expect(taskTitles(page)).toHaveText(['Call mom']);
    await page.getByRole('button', { name: /^Pending \(1\)/ }).click();
    await expect(taskTitles(page)).toHaveText(['Buy oat milk']);
    await page.getByRole('button', { name: /^All \(2\)/ }).click();
    await expect(taskTitles(page)).toHaveText(['Call mom', 'Buy oat milk']);
  });

  await test.step('delete one after confirming; the change survives a reload', async () => {
    await page.getByRole('button', { name: 'Delete “Buy oat milk”' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await expect(taskTitles(page)).toHaveText(['Call mom']);
    await expect(page.getByRole('heading', { name: 'Tasks', exact: true })).toBeFocused();
    await page.reload();
    await expect(taskTitles(page)).toHaveText(['Call mom']);
    await keepScreenshot(page, 'tasks');
  });

  await test.step('ask the assistant to add a task and see which tool ran', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Chat' })
      .click();
    await expect(page).toHaveURL(/\/chat$/);
    await page.getByLabel('Message').fill('add a task to water plants');
    await page.keyboard.press('Enter');
    const reply = page.locator('.message.from-assistant').last();
    await expect(reply).toContainText(/water plants/i);
    await expect(reply.locator('.tool')).toHaveText(['add_task']);
    await keepScreenshot(page, 'chat');
  });

  await test.step('the conversation is still there after a reload', async () => {
    await page.reload();
    await expect(page.locator('.message.from-user .message-text')).toHaveText([
      'add a task to water plants',
    ]);
    await expect(page.locator('.message.from-assistant')).toHaveCount(1);
  });

  await test.step('on a phone, a longer conversation keeps the message field and Send in view', async () => {
    const desktop = page.viewportSize();
    await page.setViewportSize({ width: 390, height: 700 });
    try {
      for (const text of ['list my tasks', 'show my tasks']) {
        await page.getByLabel('Message').fill(text);
        await page.getByRole('button', { name: 'Send' }).click();
        await expect(page.getByRole('button', { name: 'Send' })).toBeEnabled();
      }
      await expect(page.locator('.message.from-assistant')).toHaveCount(3);
      await expect(page.getByRole('button', { name: 'Send' })).toBeInViewport();
      await expect(page.getByLabel('Message')).toBeInViewport();
    } finally {
      if (desktop) await page.setViewportSize(desktop);
    }
  });

  await test.step('the task the assistant added is on /tasks', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Tasks' })
      .click();
    await expect(taskTitles(page)).toHaveText([/water plants/i, 'Call mom']);
  });

  await test.step('the number shown on a task is the one the assistant acts on', async () => {
    const item = taskList(page)
      .getByRole('listitem')
      .filter({ hasText: /water plants/i });
    const number = (await item.locator('.task-number').textContent())?.match(/#(\d+)/)?.[1];
    expect(number).toBeTruthy();
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Chat' })
      .click();
    await page.getByLabel('Message').fill(`complete task ${number}`);
    await page.keyboard.press('Enter');
    const reply = page.locator('.message.from-assistant').last();
    await expect(reply).toContainText(`Marked task #${number} as complete`);
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Tasks' })
      .click();
    await expect(page.getByRole('checkbox', { name: /Completed: water plants/i })).toBeChecked();
  });

  await test.step('on a phone, the first task is in view under the add form', async () => {
    const desktop = page.viewportSize();
    await page.setViewportSize({ width: 390, height: 700 });
    try {
      await page.reload();
      const first = taskList(page).getByRole('listitem').first();
      await expect(first.getByRole('checkbox')).toBeInViewport();
      await expect(first.getByRole('button', { name: /^Edit/ })).toBeInViewport();
      // The description waits until the form is used, then stays while it holds text.
      await expect(page.getByLabel(/Description/)).toBeHidden();
      await page.getByLabel('Title').focus();
      await expect(page.getByLabel(/Description/)).toBeVisible();
    } finally {
      if (desktop) await page.setViewportSize(desktop);
    }
  });

  await test.step('log out; protected pages redirect to login again', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page).toHaveURL(/\/login$/);
    const cookies = await page.context().cookies();
    expect(cookies.find((cookie) => cookie.name === 'todo_session')).toBeUndefined();
    await page.goto('/chat');
    await expect(page).toHaveURL(/\/login\?next=%2Fchat$/);
  });

  await test.step('logging in again returns to the page that was asked for', async () => {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page).toHaveURL(/\/chat$/);
    await expect(page.getByRole('button', { name: 'Clear conversation' })).toBeEnabled();
    await expect(page.getByRole('heading', { name: 'Task assistant' })).toBeFocused();
  });
});

test('the session cookie is httpOnly and SameSite=Lax, and the page never sees the token', async ({
  page,
}) => {
  const email = `grace-${unique}@example.com`;
  const register = await page.request.post('/api/auth/register', {
    data: { name: 'Grace', email, password: 'long-enough-pass' },
  });
  expect(register.status()).toBe(201);
  const login = await page.request.post('/api/auth/login', {
    data: { email, password: 'long-enough-pass' },
  });
  expect(login.status()).toBe(200);
  expect(JSON.stringify(await login.json())).not.toMatch(/access_token|eyJ/);

  const session = (await page.context().cookies()).find((cookie) => cookie.name === 'todo_session');
  expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false });
  await page.goto('/tasks');
  expect(await page.evaluate(() => document.cookie)).not.toContain('todo_session');
});

test('at 375 px wide the task page fits and works with the keyboard alone', async ({
  browser,
  baseURL,
}) => {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: 375, height: 812 },
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  const email = `lin-${unique}@example.com`;
  expect(
    (
      await page.request.post('/api/auth/register', {
        data: { name: 'Lin', email, password: 'long-enough-pass' },
      })
    ).status(),
  ).toBe(201);

  await page.goto('/login?next=%2Ftasks');
  await page.getByLabel('Email').focus();
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type('long-enough-pass');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/tasks$/);

  await page.getByLabel('Title').focus();
  await page.keyboard.type('Keyboard task');
  await page.keyboard.press('Enter');
  await expect(taskTitles(page)).toHaveText(['Keyboard task']);
  await expect(page.getByLabel('Title')).toBeFocused();

  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - window.innerWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
  await keepScreenshot(page, 'tasks-375px');
  await page.goto('/chat');
  await expect(page.getByLabel('Message')).toBeVisible();
  expect(
    await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
  ).toBeLessThanOrEqual(0);
  await context.close();
});
