import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { backendEnvSchema, frontendEnvSchema } from '@todo/config';
import { workspaceRoot } from './markdown';

const OUTPUT = 'docs/deployment/configuration.md';
const GENERATOR = 'tools/scripts/generate-config-docs.ts';

const committed = readFileSync(path.join(workspaceRoot, OUTPUT), 'utf8');
/** The table rows of one `## ` section (backend variables, frontend variables, chart values). */
const section = (title: string) =>
  (committed.split(/^## /m).find((part) => part.startsWith(title)) ?? '')
    .split('\n')
    .filter((line) => line.startsWith('| `'));
const rowIn = (rows: string[], name: string) =>
  rows.find((line) => line.startsWith(`| \`${name}\``));
const backendRow = (name: string) => rowIn(section('Backend environment variables'), name);
const chartRow = (name: string) => rowIn(section('Chart values'), name);

/** Dotted paths of every leaf of a values tree (empty maps and lists count as leaves). */
function leaves(tree: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([key, value]) => {
    const dotted = prefix ? `${prefix}.${key}` : key;
    return value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length
      ? leaves(value as Record<string, unknown>, dotted)
      : [dotted];
  });
}

describe(OUTPUT, () => {
  it(`is what ${GENERATOR} writes from the current schemas and chart`, () => {
    const generated = execFileSync(
      path.join(workspaceRoot, 'node_modules/.bin/tsx'),
      [GENERATOR, '--stdout'],
      { cwd: workspaceRoot, encoding: 'utf8' },
    );
    // Stale? Regenerate with: npx tsx tools/scripts/generate-config-docs.ts
    expect(committed).toBe(generated);
  });

  it('lists every environment variable of both apps with its meaning and default', () => {
    for (const [title, schema] of [
      ['Backend environment variables', backendEnvSchema],
      ['Frontend environment variables', frontendEnvSchema],
    ] as const) {
      for (const [name, variable] of Object.entries(schema.shape)) {
        expect({ name, row: rowIn(section(title), name) }).toEqual({
          name,
          row: expect.stringContaining(variable.description as string),
        });
      }
    }
    expect(backendRow('PORT')).toMatch(
      /^\| `PORT` \| `8000` \| must be a whole number from 1 to 65535 \|/,
    );
    // A rule that depends on another variable is found by loading the schema in production mode.
    expect(backendRow('JWT_SECRET_KEY')).toMatch(
      /^\| `JWT_SECRET_KEY` \(secret\) \| unset \| required when NODE_ENV=production, at least 32 characters \|/,
    );
  });

  it('says where a deployment sets each variable: image, ConfigMap value, or Secret', () => {
    expect(backendRow('NODE_ENV')).toContain('image: `NODE_ENV=production`');
    expect(backendRow('LOG_LEVEL')).toContain('chart value `backend.config.LOG_LEVEL`');
    expect(backendRow('JWT_SECRET_KEY')).toContain(
      '**secret**: `backend.secret.existingSecret` key `JWT_SECRET_KEY` or `backend.secret.jwtSecretKey`',
    );
    expect(backendRow('PORT')).toContain('chart ConfigMap, from `backend.containerPort`');
  });

  it('lists every value of values.yaml with its default and a meaning', () => {
    const values = parse(
      readFileSync(path.join(workspaceRoot, 'deploy/helm/todo-app/values.yaml'), 'utf8'),
    ) as Record<string, unknown>;
    const withoutMeaning = leaves(values).filter((leaf) => {
      const row = chartRow(leaf);
      const cells = row?.split(' | ') ?? [];
      return !row || (cells[cells.length - 1] ?? '').replace(/\s*\|$/, '').trim() === '';
    });
    expect(withoutMeaning).toEqual([]);
    // Values without a default in values.yaml come from the schema, marked required.
    expect(chartRow('backend.image.tag')).toMatch(
      /^\| `backend\.image\.tag` \| \*\*required\*\* \|/,
    );
    // A commented-out key's comment stays with it, not with the next key.
    expect(chartRow('backend.image.pullPolicy')).not.toContain('REQUIRED');
  });
});
