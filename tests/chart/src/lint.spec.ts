import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chartDir, helm, HELM_MAJORS, TAG_ARGS, VALUES_FILES, valuesArgs } from './helm';

describe.each(HELM_MAJORS)('Helm %i', (major) => {
  it.each(VALUES_FILES)('lint --strict passes with %s and the content tags', (valuesFile) => {
    const result = helm(major, [
      'lint',
      '--strict',
      chartDir,
      ...valuesArgs(valuesFile),
      ...TAG_ARGS,
    ]);

    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    expect(result.status).toBe(0);
  });

  it('.helmignore keeps an editor leftover out of lint and the package', () => {
    // A stray `templates/secrets.yaml.save` made the original chart's lint fail.
    const scratch = mkdtempSync(path.join(tmpdir(), 'todo-app-helmignore-'));
    try {
      const copy = path.join(scratch, 'todo-app');
      cpSync(chartDir, copy, { recursive: true });
      writeFileSync(path.join(copy, 'templates/secrets.yaml.save'), 'data: [not yaml\n');

      const lint = helm(major, ['lint', '--strict', copy, ...TAG_ARGS]);
      const pack = helm(major, ['package', copy, '--destination', scratch]);
      const listing = execFileSync('tar', ['-tzf', path.join(scratch, 'todo-app-0.1.0.tgz')], {
        encoding: 'utf8',
      });

      expect(lint.stdout).toContain('0 chart(s) failed');
      expect(pack.status).toBe(0);
      expect(listing).toContain('todo-app/templates/backend-deployment.yaml');
      expect(listing).not.toContain('secrets.yaml.save');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
