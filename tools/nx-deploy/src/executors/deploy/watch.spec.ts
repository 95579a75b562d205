import { cycleLine, describeFiles } from './watch';

describe('the dev loop cycle line', () => {
  const rolledSteps = [
    { title: 'preflight', ms: 300, ok: true },
    { title: 'build backend', ms: 3200, ok: true },
    { title: 'helm upgrade todo-app', ms: 620, ok: true, note: 'revision 7' },
    { title: 'status check todo-app', ms: 1200, ok: true },
  ];

  it('names the files, the revision and each step but preflight', () => {
    expect(
      cycleLine(
        'backend',
        ['apps/backend/src/main.ts'],
        { success: true, outcome: 'rolled' },
        rolledSteps,
        5400,
      ),
    ).toBe(
      '⟳ backend: apps/backend/src/main.ts changed → revision 7 rolled out in 5.4s (build backend 3.2s · helm upgrade todo-app 620ms · status check todo-app 1.2s)',
    );
  });

  it('says a change that leaves the content tag alone rolls nothing', () => {
    expect(
      cycleLine(
        'backend',
        ['apps/backend/src/app.spec.ts'],
        { success: true, outcome: 'up-to-date' },
        [],
        700,
      ),
    ).toBe(
      "⟳ backend: apps/backend/src/app.spec.ts changed → the image's content tag did not change: nothing built, nothing rolled (700ms)",
    );
  });

  it('says a failed cycle waits for the next change', () => {
    expect(
      cycleLine('backend', undefined, { success: false, outcome: 'failed' }, [], 1800),
    ).toMatch(/^✖ backend: first deploy → deploy failed in 1\.8s .* waiting for the next change$/);
  });

  it('names at most three files', () => {
    expect(describeFiles(['a', 'b', 'c', 'd', 'e'])).toBe('a, b, c +2 more');
  });
});
